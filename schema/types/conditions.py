"""Conditions: problems (diagnoses) and health concerns share one interface."""

from datetime import date, datetime
from typing import Self

import strawberry

from db import observations
from db.code_systems import ICD10_CM as ICD10CM
from schema.types.common import Coding, coding, main_code
from schema.types.relay import Node, implementation, node_values


@strawberry.interface(
    description="A condition coded in SNOMED CT, with ICD-10-CM where one applies."
)
class Condition(Node):
    code: Coding = strawberry.field(description="SNOMED CT code.")
    icd10: Coding | None = strawberry.field(description="ICD-10-CM code, when one applies.")
    clinical_status: str = strawberry.field(
        description="active, recurrence, relapse, inactive, remission or resolved."
    )
    verification_status: str = strawberry.field(
        description="unconfirmed, provisional, differential, confirmed or refuted."
    )
    onset_date: date | None
    abatement_date: date | None
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: observations.ConditionBase) -> Self:
        """The object of one row of the type's condition table."""
        icd10 = coding(ICD10CM, row.icd10_code, row.icd10_display)
        return cls(**node_values(cls, row, code=main_code(row), icd10=icd10))


Problem = implementation(Condition, "Problem", "An item of the problem list (a diagnosis).")
HealthConcern = implementation(
    Condition, "HealthConcern", "A health concern raised by the patient or a clinician."
)

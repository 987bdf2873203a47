"""Observations: lab results, vital signs, smoking, functional and mental status."""

from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry.types import Info

from db import observations
from schema.context import GraphQLContext
from schema.links import link, load_linked
from schema.types.care import Encounter
from schema.types.common import (
    Coding,
    Quantity,
    ReferenceRange,
    coding,
    interpretation,
    main_code,
    quantity,
    reference_range,
)
from schema.types.relay import Node, implementation, node_values


@strawberry.interface(description="A LOINC-coded measurement or assessment.")
class Observation(Node):
    code: Coding = strawberry.field(description="What was measured (LOINC).")
    status: str = strawberry.field(description="final, preliminary, amended or cancelled.")
    effective_at: datetime = strawberry.field(description="When it was measured.")
    value_quantity: Quantity | None = strawberry.field(description="A measured value (UCUM unit).")
    value_code: Coding | None = strawberry.field(description="A coded answer (e.g. SNOMED CT).")
    value_text: str | None = strawberry.field(description="A free-text answer.")
    reference_range: ReferenceRange | None
    interpretation: Coding | None = strawberry.field(
        description="HL7 v3 ObservationInterpretation: N, H, L, HH, LL or A."
    )
    encounter_id: strawberry.Private[int | None]

    @link("Encounter", "The visit this was measured at.")
    async def encounter(self, info: Info[GraphQLContext, Any]) -> Encounter | None:
        row = await load_linked(info, "Encounter", self.encounter_id)
        return Encounter.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: observations.ObservationBase) -> Self:
        """The object of one row of the type's observation table."""
        computed = {
            "code": main_code(row),
            "value_quantity": quantity(row.value_quantity, row.value_unit),
            "value_code": coding(row.value_code_system, row.value_code, row.value_display),
            "reference_range": reference_range(
                row.reference_low, row.reference_high, row.value_unit
            ),
            "interpretation": interpretation(row.interpretation),
        }
        return cls(**node_values(cls, row, **computed))


LabResult = implementation(Observation, "LabResult", "A laboratory result.")
VitalSign = implementation(
    Observation, "VitalSign", "A vital sign: blood pressure, heart rate, weight, height, ..."
)
SmokingStatus = implementation(
    Observation, "SmokingStatus", "A smoking status assessment; the answer is SNOMED CT."
)
FunctionalStatus = implementation(
    Observation, "FunctionalStatus", "A functional status assessment."
)
MentalStatus = implementation(
    Observation, "MentalStatus", "A cognitive or mental status assessment."
)

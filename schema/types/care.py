"""Care team members, encounters and the diagnoses made at them."""

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from db import clinical
from schema.context import GraphQLContext
from schema.links import link, link_category, load_linked
from schema.types.common import Coding, main_code
from schema.types.conditions import Condition
from schema.types.relay import Node, node_values

DAY_NAMES = "Use startDate/endDate: a day is named `...Date` or `...On`, an instant `...At`."


@strawberry.type(description="A clinician or other member of the patient's care team.")
class CareTeamMember(Node):
    name: str
    role: Coding = strawberry.field(description="NUCC provider taxonomy or SNOMED CT role.")
    npi: str | None = strawberry.field(description="National Provider Identifier.")
    organization: str | None
    phone: str | None
    status: str = strawberry.field(description="active, inactive or entered-in-error.")
    start_date: date = strawberry.field(description="Since when the clinician is on the team.")
    end_date: date | None = strawberry.field(
        description="Until when the clinician was on the team, if no longer."
    )
    period_start: date = strawberry.field(
        description="Same as `startDate`.", deprecation_reason=DAY_NAMES
    )
    period_end: date | None = strawberry.field(
        description="Same as `endDate`.", deprecation_reason=DAY_NAMES
    )

    @classmethod
    def from_row(cls, row: clinical.CareTeamMember) -> "CareTeamMember":
        role = Coding(system=row.role_system, code=row.role_code, display=row.role_display)
        days = {"start_date": row.period_start, "end_date": row.period_end}
        return cls(**node_values(cls, row, role=role, **days))


@strawberry.type(description="A visit: office, hospital stay, emergency, virtual or home.")
class Encounter(Node):
    code: Coding = strawberry.field(description="Visit type (CPT or SNOMED CT).")
    encounter_class: str = strawberry.field(
        name="class", description="HL7 v3 ActCode class: AMB, IMP, EMER, VR or HH."
    )
    status: str = strawberry.field(description="planned, in-progress, finished or cancelled.")
    start_at: datetime
    end_at: datetime | None
    location: str | None
    db_id: strawberry.Private[int]
    provider_id: strawberry.Private[int | None]

    @link("CareTeamMember", "The clinician who led the visit.")
    async def provider(self, info: Info[GraphQLContext, Any]) -> CareTeamMember | None:
        row = await load_linked(info, "CareTeamMember", self.provider_id)
        return CareTeamMember.from_row(row) if row else None

    @link("EncounterDiagnosis", "Diagnoses made at this visit, newest first.")
    async def diagnoses(self, info: Info[GraphQLContext, Any]) -> list["EncounterDiagnosis"] | None:
        rows = await info.context.loaders.diagnoses.load(self.db_id)
        key = link_category("EncounterDiagnosis")
        info.context.tally.saw(key, [r.id for r in rows if r.id is not None])
        return [EncounterDiagnosis.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: clinical.Encounter) -> "Encounter":
        return cls(
            **node_values(
                cls, row, code=main_code(row), encounter_class=row.class_code, db_id=row.id
            )
        )


@strawberry.type(description="A diagnosis made at one visit.")
class EncounterDiagnosis(Condition):
    encounter_id: strawberry.Private[int]

    @link("Encounter", "The visit this diagnosis was made at.")
    async def encounter(self, info: Info[GraphQLContext, Any]) -> Encounter | None:
        row = await load_linked(info, "Encounter", self.encounter_id)
        return Encounter.from_row(row) if row else None

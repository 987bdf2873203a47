"""Care team members, encounters and the diagnoses made at them."""

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from db import clinical, observations
from schema.context import GraphQLContext
from schema.permissions import RequireCategory, describe
from schema.types.common import Coding, load_linked, main_code
from schema.types.conditions import Condition, condition_fields
from schema.types.relay import Node, to_global_id
from sharing.scopes import CategoryKey

K = CategoryKey
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
        assert row.id is not None
        return cls(
            id=to_global_id("CareTeamMember", row.id),
            name=row.name,
            role=Coding(system=row.role_system, code=row.role_code, display=row.role_display),
            npi=row.npi,
            organization=row.organization,
            phone=row.phone,
            status=row.status,
            start_date=row.period_start,
            end_date=row.period_end,
            period_start=row.period_start,
            period_end=row.period_end,
        )


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

    @strawberry.field(
        description=describe("The clinician who led the visit.", K.CARE_TEAM),
        extensions=[RequireCategory(K.CARE_TEAM)],
    )
    async def provider(self, info: Info[GraphQLContext, Any]) -> CareTeamMember | None:
        row = await load_linked(info, K.CARE_TEAM, clinical.CareTeamMember, self.provider_id)
        return CareTeamMember.from_row(row) if row else None

    @strawberry.field(
        description=describe("Diagnoses made at this visit, newest first.", K.ENCOUNTER_DIAGNOSES),
        extensions=[RequireCategory(K.ENCOUNTER_DIAGNOSES)],
    )
    async def diagnoses(self, info: Info[GraphQLContext, Any]) -> list["EncounterDiagnosis"] | None:
        rows = await info.context.loaders.diagnoses.load(self.db_id)
        info.context.tally.saw(K.ENCOUNTER_DIAGNOSES, [r.id for r in rows if r.id is not None])
        return [EncounterDiagnosis.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: clinical.Encounter) -> "Encounter":
        assert row.id is not None
        return cls(
            id=to_global_id("Encounter", row.id),
            code=main_code(row),
            encounter_class=row.class_code,
            status=row.status,
            start_at=row.start_at,
            end_at=row.end_at,
            location=row.location,
            db_id=row.id,
            provider_id=row.provider_id,
        )


@strawberry.type(description="A diagnosis made at one visit.")
class EncounterDiagnosis(Condition):
    encounter_id: strawberry.Private[int]

    @strawberry.field(
        description=describe("The visit this diagnosis was made at.", K.ENCOUNTERS),
        extensions=[RequireCategory(K.ENCOUNTERS)],
    )
    async def encounter(self, info: Info[GraphQLContext, Any]) -> Encounter | None:
        row = await load_linked(info, K.ENCOUNTERS, clinical.Encounter, self.encounter_id)
        return Encounter.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: observations.EncounterDiagnosis) -> "EncounterDiagnosis":
        return cls(**condition_fields("EncounterDiagnosis", row), encounter_id=row.encounter_id)

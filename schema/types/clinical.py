"""Allergies, care plans, goals, immunizations, devices, medications, procedures, referrals."""

from datetime import date, datetime
from typing import Any, Self

import strawberry
from strawberry.types import Info

from db import clinical
from db.code_systems import SNOMED
from schema.context import GraphQLContext
from schema.links import link, load_linked
from schema.types.care import CareTeamMember, Encounter
from schema.types.common import Coding, coding, main_code
from schema.types.relay import Node, node_values


@strawberry.interface(description="A record that may point at the visit it came from.")
class FromEncounter:
    encounter_id: strawberry.Private[int | None]

    @link("Encounter", "The visit this record came from.")
    async def encounter(self, info: Info[GraphQLContext, Any]) -> Encounter | None:
        row = await load_linked(info, "Encounter", self.encounter_id)
        return Encounter.from_row(row) if row else None


class CodedRow:
    """A type whose values are its row's same-named columns plus the row's main code."""

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(**node_values(cls, row, code=main_code(row)))


async def _clinician(info: Info[GraphQLContext, Any], db_id: int | None) -> CareTeamMember | None:
    row = await load_linked(info, "CareTeamMember", db_id)
    return CareTeamMember.from_row(row) if row else None


@strawberry.type(description="How a patient reacts to a substance.")
class Reaction:
    manifestation: Coding | None = strawberry.field(description="SNOMED CT manifestation.")
    severity: str | None = strawberry.field(description="mild, moderate or severe.")


@strawberry.type(description="An allergy or intolerance.")
class AllergyIntolerance(Node):
    code: Coding = strawberry.field(description="The substance (RxNorm or SNOMED CT).")
    clinical_status: str = strawberry.field(description="active, inactive or resolved.")
    verification_status: str
    category: str = strawberry.field(description="food, medication, environment or biologic.")
    criticality: str | None = strawberry.field(description="low, high or unable-to-assess.")
    reaction: Reaction | None
    onset_date: date | None
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: clinical.AllergyIntolerance) -> "AllergyIntolerance":
        reaction = None
        if row.reaction_code or row.reaction_severity:
            reaction = Reaction(
                manifestation=coding(SNOMED, row.reaction_code, row.reaction_display),
                severity=row.reaction_severity,
            )
        return cls(**node_values(cls, row, code=main_code(row), reaction=reaction))


@strawberry.type(description="An assessment and plan of treatment written at a visit.")
class CarePlan(Node, FromEncounter, CodedRow):
    code: Coding
    status: str = strawberry.field(description="draft, active, completed or revoked.")
    assessment: str
    plan: str
    authored_at: datetime


@strawberry.type(description="A health goal agreed by the patient and clinicians.")
class Goal(Node, CodedRow):
    code: Coding = strawberry.field(description="SNOMED CT (or LOINC for a measurable target).")
    description: str
    lifecycle_status: str = strawberry.field(description="proposed, active, completed, ...")
    achievement_status: str | None
    start_date: date
    target_date: date | None
    expressed_by: str | None


@strawberry.type(description="A vaccine given or refused.")
class Immunization(Node, CodedRow):
    code: Coding = strawberry.field(description="The vaccine (CVX).")
    status: str = strawberry.field(description="completed, entered-in-error or not-done.")
    occurred_at: datetime
    lot_number: str | None
    site: str | None
    performer: str | None
    primary_source: bool


@strawberry.type(description="An implantable device with its Unique Device Identifier.")
class ImplantableDevice(Node):
    code: Coding = strawberry.field(description="Device type (SNOMED CT).")
    status: str = strawberry.field(description="active, inactive or entered-in-error.")
    udi_carrier: str = strawberry.field(description="The full UDI as printed on the label.")
    device_identifier: str = strawberry.field(description="The UDI's device identifier (DI).")
    manufacturer: str | None
    model_number: str | None
    serial_number: str | None
    lot_number: str | None
    manufactured_on: date | None
    expires_on: date | None
    implanted_on: date

    @classmethod
    def from_row(cls, row: clinical.ImplantableDevice) -> "ImplantableDevice":
        return cls(
            **node_values(
                cls, row, code=main_code(row), device_identifier=row.udi_device_identifier
            )
        )


@strawberry.type(description="A prescription.")
class Medication(Node, FromEncounter, CodedRow):
    code: Coding = strawberry.field(description="The medicine (RxNorm).")
    status: str = strawberry.field(description="active, on-hold, completed, stopped, ...")
    intent: str
    authored_at: datetime
    dosage_text: str | None
    route: str | None
    refills: int | None
    prescriber_id: strawberry.Private[int | None]

    @link("CareTeamMember", "Who prescribed it.")
    async def prescriber(self, info: Info[GraphQLContext, Any]) -> CareTeamMember | None:
        return await _clinician(info, self.prescriber_id)


@strawberry.type(description="A procedure performed.")
class Procedure(Node, FromEncounter, CodedRow):
    code: Coding = strawberry.field(description="CPT or SNOMED CT.")
    status: str = strawberry.field(description="completed, in-progress, not-done, ...")
    performed_at: datetime
    body_site: str | None


@strawberry.type(description="A referral to another clinician or service.")
class Referral(Node, FromEncounter):
    code: Coding = strawberry.field(description="What is requested (SNOMED CT).")
    status: str = strawberry.field(description="active, completed, revoked, ...")
    authored_at: datetime
    reason: Coding | None = strawberry.field(description="Coded reason for the referral.")
    reason_text: str | None
    referred_to: str | None
    requester_id: strawberry.Private[int | None]

    @link("CareTeamMember", "Who asked for the referral.")
    async def requester(self, info: Info[GraphQLContext, Any]) -> CareTeamMember | None:
        return await _clinician(info, self.requester_id)

    @classmethod
    def from_row(cls, row: clinical.Referral) -> "Referral":
        return cls(
            **node_values(
                cls,
                row,
                code=main_code(row),
                reason=coding(row.reason_system, row.reason_code, row.reason_display),
            )
        )

"""The patient: demographics and one connection per data category of the scope registry."""

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from db import patients
from schema.context import GraphQLContext
from schema.permissions import RequireCategory, category_of_field, describe
from schema.records import record_page
from schema.types import care, clinical, conditions, observations
from schema.types.common import Coding, HumanName, coding
from schema.types.relay import Connection, Node, page_window, to_global_id
from sharing.scopes import CategoryKey

K = CategoryKey
RACE_ETHNICITY = "urn:oid:2.16.840.1.113883.6.238"
FIRST = "Items per page from the start (newest first), 1 to 100; 20 when no size is given."
AFTER = "The `endCursor` of the previous page: continue after it (older items)."
LAST = "Items per page from the end (oldest), 1 to 100; pages backward with `before`."
BEFORE = "The `startCursor` of a page: the items just before it (newer items)."
STATUS = "Keep items with any of these statuses (e.g. `active`)."
SINCE = "Keep items dated on or after this day."
UNTIL = "Keep items dated on or before this day."


class Demographic(RequireCategory):
    """Guard a demographic field and note that demographics were returned."""

    def __init__(self) -> None:
        super().__init__(K.DEMOGRAPHICS)

    def resolve(
        self, next_: Any, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> Any:
        value = super().resolve(next_, source, info, **kwargs)
        info.context.tally.saw(K.DEMOGRAPHICS, [source.db_id])
        return value


def _demographic(field_name: str, text: str) -> Any:
    assert category_of_field(field_name) == K.DEMOGRAPHICS
    return strawberry.field(description=describe(text, K.DEMOGRAPHICS), extensions=[Demographic()])


def _records(field_name: str, node: type, text: str) -> StrawberryField:
    """A guarded connection field for the registry category that owns `field_name`."""
    key = category_of_field(field_name)

    async def resolve(
        self: "Patient",
        info: Info[GraphQLContext, Any],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Annotated[int | None, strawberry.argument(description=LAST)] = None,
        before: Annotated[str | None, strawberry.argument(description=BEFORE)] = None,
        status: Annotated[list[str] | None, strawberry.argument(description=STATUS)] = None,
        since: Annotated[date | None, strawberry.argument(description=SINCE)] = None,
        until: Annotated[date | None, strawberry.argument(description=UNTIL)] = None,
    ) -> Any:
        window = page_window(
            first=first,
            after=after,
            last=last,
            before=before,
            maximum=info.context.limits.max_page_size,
        )
        return await record_page(info, key, window=window, status=status, since=since, until=until)

    resolve.__annotations__["return"] = Connection[node] | None  # type: ignore[valid-type]
    return strawberry.field(
        resolver=resolve,
        name=field_name,
        description=describe(text + " Newest first.", key),
        extensions=[RequireCategory(key)],
    )


@strawberry.type(description="The patient whose record the caller reads.")
class Patient(Node):
    db_id: strawberry.Private[int]
    fhir_id: strawberry.ID = strawberry.field(
        description=(
            "The patient's id outside GraphQL: the token response's `patient`, the `{id}` of "
            "`fhirUser` `{issuer}/Patient/{id}` and of FHIR `Patient/{id}`. The global `id` "
            "of the same patient is base64 of `Patient:{fhirId}`."
        )
    )
    name: HumanName | None = _demographic("name", "The patient's name.")
    birth_date: date | None = _demographic("birthDate", "Date of birth.")
    sex: str | None = _demographic("sex", "Birth sex (US Core): F, M or UNK.")
    race: Coding | None = _demographic("race", "Race (CDC Race & Ethnicity, OMB category).")
    ethnicity: Coding | None = _demographic("ethnicity", "Ethnicity (CDC Race & Ethnicity).")
    preferred_language: str | None = _demographic(
        "preferredLanguage", "Preferred language (BCP 47 tag, e.g. `en`, `es`)."
    )

    care_team = _records("careTeam", care.CareTeamMember, "Care team members.")
    allergies = _records("allergies", clinical.AllergyIntolerance, "Allergies and intolerances.")
    assessment_and_plan = _records(
        "assessmentAndPlan", clinical.CarePlan, "Assessments and plans of treatment."
    )
    encounters = _records("encounters", care.Encounter, "Visits.")
    functional_status = _records(
        "functionalStatus", observations.FunctionalStatus, "Functional status assessments."
    )
    mental_status = _records(
        "mentalStatus", observations.MentalStatus, "Cognitive and mental status assessments."
    )
    lab_results = _records("labResults", observations.LabResult, "Laboratory results.")
    vital_signs = _records("vitalSigns", observations.VitalSign, "Vital signs.")
    smoking_status = _records(
        "smokingStatus", observations.SmokingStatus, "Smoking status assessments."
    )
    goals = _records("goals", clinical.Goal, "Goals.")
    problems = _records(
        "problems", conditions.Problem, 'Problems (diagnoses); `status: ["active"]` for current.'
    )
    health_concerns = _records("healthConcerns", conditions.HealthConcern, "Health concerns.")
    immunizations = _records("immunizations", clinical.Immunization, "Immunizations.")
    medical_equipment = _records(
        "medicalEquipment", clinical.ImplantableDevice, "Implantable devices."
    )
    medications = _records(
        "medications", clinical.Medication, 'Prescriptions; `status: ["active"]` for current.'
    )
    procedures = _records("procedures", clinical.Procedure, "Procedures.")
    referrals = _records("referrals", clinical.Referral, "Referrals.")

    @classmethod
    def from_row(cls, row: patients.Patient) -> "Patient":
        assert row.id is not None
        parts = [row.given_name, row.middle_name, row.family_name, row.name_suffix]
        return cls(
            id=to_global_id("Patient", row.id),
            db_id=row.id,
            fhir_id=strawberry.ID(str(row.id)),
            name=HumanName(
                given=row.given_name,
                middle=row.middle_name,
                family=row.family_name,
                suffix=row.name_suffix,
                text=" ".join(p for p in parts if p),
            ),
            birth_date=row.birth_date,
            sex=row.sex,
            race=coding(RACE_ETHNICITY, row.race_code, row.race_display),
            ethnicity=coding(RACE_ETHNICITY, row.ethnicity_code, row.ethnicity_display),
            preferred_language=row.preferred_language,
        )

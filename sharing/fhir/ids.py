"""FHIR ids of the API: the type name and database id that GraphQL's global ids also carry.

A clinical row of GraphQL type `LabResult` with database id 12 has the GraphQL id
base64("LabResult:12") and the FHIR id `LabResult-12` (`Observation/LabResult-12`).
The Patient's FHIR id is its database id, the token response's `patient`; the care team
(one per patient) has the patient's id too; a RelatedPerson's id is the account's id.
"""

import re

from db.columns import MAX_ROW_ID
from sharing.scopes import BY_KEY, CategoryKey

K = CategoryKey
# Must equal the GraphQL type names (tests/api/fhir/test_fhir_ids.py compares them).
TYPE_NAMES: dict[CategoryKey, str] = {
    K.CARE_TEAM: "CareTeamMember",
    K.ALLERGIES: "AllergyIntolerance",
    K.ASSESSMENT_AND_PLAN: "CarePlan",
    K.ENCOUNTERS: "Encounter",
    K.FUNCTIONAL_STATUS: "FunctionalStatus",
    K.MENTAL_STATUS: "MentalStatus",
    K.LAB_RESULTS: "LabResult",
    K.VITAL_SIGNS: "VitalSign",
    K.SMOKING_STATUS: "SmokingStatus",
    K.GOALS: "Goal",
    K.PROBLEMS: "Problem",
    K.HEALTH_CONCERNS: "HealthConcern",
    K.ENCOUNTER_DIAGNOSES: "EncounterDiagnosis",
    K.IMMUNIZATIONS: "Immunization",
    K.MEDICAL_EQUIPMENT: "ImplantableDevice",
    K.MEDICATIONS: "Medication",
    K.PROCEDURES: "Procedure",
    K.REFERRALS: "Referral",
}
BY_TYPE_NAME: dict[str, CategoryKey] = {name: key for key, name in TYPE_NAMES.items()}
# Care team members are served as Practitioners; the CareTeam resource is the whole team.
PRACTITIONER = "Practitioner"
_ROW_ID = re.compile(r"([A-Za-z]{1,40})-([1-9][0-9]{0,9})")
_PLAIN_ID = re.compile(r"[1-9][0-9]{0,9}")


def resource_type_of(key: CategoryKey) -> str:
    """The FHIR resource type a category's rows are served as."""
    return PRACTITIONER if key is K.CARE_TEAM else BY_KEY[key].resource_type


def row_resource_id(key: CategoryKey, row_id: int) -> str:
    """The FHIR id of one row: `{GraphQL type name}-{database id}`."""
    return f"{TYPE_NAMES[key]}-{row_id}"


def parse_row_resource_id(resource_type: str, value: str) -> tuple[CategoryKey, int] | None:
    """(category, database id) of a row's FHIR id of that resource type; None if not one of ours."""
    match = _ROW_ID.fullmatch(value)
    if match is None:
        return None
    key = BY_TYPE_NAME.get(match.group(1))
    row_id = int(match.group(2))
    if key is None or resource_type_of(key) != resource_type or row_id > MAX_ROW_ID:
        return None
    return key, row_id


def parse_plain_id(value: str) -> int | None:
    """A Patient, CareTeam or RelatedPerson id (a database id); None if not one of ours."""
    if _PLAIN_ID.fullmatch(value) is None or int(value) > MAX_ROW_ID:
        return None
    return int(value)


def categories_of_type(resource_type: str) -> tuple[CategoryKey, ...]:
    """The categories whose rows a resource type serves, in registry order."""
    return tuple(key for key in TYPE_NAMES if resource_type_of(key) == resource_type)

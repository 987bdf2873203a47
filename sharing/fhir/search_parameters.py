"""The search parameters the FHIR API supports, per resource type (US Core 6.1's SHALL set).

The CapabilityStatement, the docs and the search planner all read this table.
"""

from dataclasses import dataclass

from sharing.fhir.codes import SNOMED
from sharing.fhir.records import REFERRAL_CATEGORY
from sharing.scopes import BY_KEY, CategoryKey

K = CategoryKey
CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"


@dataclass(frozen=True)
class SearchParameter:
    """One search parameter: its name, FHIR type and what it matches."""

    name: str
    type: str
    documentation: str


ID = SearchParameter("_id", "token", "The resource id.")
PATIENT = SearchParameter("patient", "reference", "The token's patient (`Patient/{id}`).")


def _status(name: str, what: str) -> SearchParameter:
    return SearchParameter(name, "token", f"The {what} (any of comma-separated codes).")


def _date(name: str, what: str) -> SearchParameter:
    return SearchParameter(
        name, "date", f"The {what}; prefixes eq, ne, lt, le, gt, ge, sa, eb; repeat to AND."
    )


CATEGORY = SearchParameter(
    "category", "token", "The category (`system|code` or `code`); omit it for every granted one."
)
CODE = SearchParameter("code", "token", "The code (`system|code`, `code` or `|code`).")

PARAMETERS: dict[str, tuple[SearchParameter, ...]] = {
    "Patient": (
        ID,
        SearchParameter("identifier", "token", "The medical record number."),
        SearchParameter("name", "string", "Part of the given, middle or family name."),
        _date("birthdate", "date of birth"),
        SearchParameter("gender", "token", "female, male or unknown."),
    ),
    "AllergyIntolerance": (ID, PATIENT, _status("clinical-status", "clinical status")),
    "CarePlan": (ID, PATIENT, CATEGORY, _status("status", "status")),
    "CareTeam": (ID, PATIENT, _status("status", "team status")),
    "Condition": (
        ID,
        PATIENT,
        CATEGORY,
        CODE,
        _status("clinical-status", "clinical status"),
        _date("recorded-date", "date recorded"),
    ),
    "Device": (ID, PATIENT, _status("status", "status")),
    "Encounter": (ID, PATIENT, _status("status", "status"), _date("date", "start of the visit")),
    "Goal": (ID, PATIENT, _status("lifecycle-status", "lifecycle status")),
    "Immunization": (ID, PATIENT, _status("status", "status"), _date("date", "date given")),
    "MedicationRequest": (
        ID,
        PATIENT,
        _status("status", "status"),
        SearchParameter("intent", "token", "The intent (order, plan, ...)."),
        _date("authoredon", "date written"),
    ),
    "Observation": (
        ID,
        PATIENT,
        CATEGORY,
        CODE,
        _status("status", "status"),
        _date("date", "effective time"),
    ),
    "Procedure": (ID, PATIENT, CODE, _status("status", "status"), _date("date", "date performed")),
    "ServiceRequest": (
        ID,
        PATIENT,
        CATEGORY,
        CODE,
        _status("status", "status"),
        _date("authored", "date written"),
    ),
    "Practitioner": (
        ID,
        SearchParameter("name", "string", "Part of the name."),
        SearchParameter("identifier", "token", "The NPI."),
    ),
    "RelatedPerson": (ID, PATIENT),
}
# Parameters every search takes besides these (paging and format).
CONTROL_PARAMETERS = ("_count", "_cursor", "_format")


def category_coding(key: CategoryKey) -> tuple[str, str]:
    """(system, code) of the category a row of this category carries in FHIR."""
    if key is K.ASSESSMENT_AND_PLAN:
        return CAREPLAN_CATEGORY, "assess-plan"
    if key is K.REFERRALS:
        return SNOMED, REFERRAL_CATEGORY
    category = BY_KEY[key]
    assert category.category_system and category.category_code
    return category.category_system, category.category_code


def names_of(resource_type: str) -> tuple[str, ...]:
    """The search parameter names a resource type takes."""
    return tuple(p.name for p in PARAMETERS[resource_type])

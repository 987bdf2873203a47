"""The scope registry: the one table that maps SMART scopes to data categories and fields.

The consent page, the permission checks, the discovery document's
`scopes_supported` and the docs all read this table.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import SQLModel

from db import clinical, observations, patients

US_CORE_OBSERVATION = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
US_CORE_CONDITION = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"

# Permissions accepted on a resource scope. SMART v2 `rs` (read + search), its
# parts, and the v1 `read` alias; chartshare is read-only, so c/u/d are refused.
READ_PERMISSIONS = frozenset({"rs", "r", "s", "read"})
# Spellings that mean exactly what chartshare grants (echoed back in the token response).
EXACT_READ_PERMISSIONS = frozenset({"rs", "read"})
SMART_V2_PERMISSIONS = "cruds"


class CategoryKey(StrEnum):
    """Stable names of the data categories (used in the activity log and the API)."""

    DEMOGRAPHICS = "demographics"
    CARE_TEAM = "care_team"
    ALLERGIES = "allergies"
    ASSESSMENT_AND_PLAN = "assessment_and_plan"
    ENCOUNTERS = "encounters"
    FUNCTIONAL_STATUS = "functional_status"
    MENTAL_STATUS = "mental_status"
    LAB_RESULTS = "lab_results"
    VITAL_SIGNS = "vital_signs"
    SMOKING_STATUS = "smoking_status"
    GOALS = "goals"
    PROBLEMS = "problems"
    HEALTH_CONCERNS = "health_concerns"
    ENCOUNTER_DIAGNOSES = "encounter_diagnoses"
    IMMUNIZATIONS = "immunizations"
    MEDICAL_EQUIPMENT = "medical_equipment"
    MEDICATIONS = "medications"
    PROCEDURES = "procedures"
    REFERRALS = "referrals"


@dataclass(frozen=True)
class Category:
    """One data category: who grants it, what it guards, how the patient reads it."""

    key: CategoryKey
    label: str
    explanation: str
    resource_type: str
    fields: tuple[str, ...]
    model: type[SQLModel]
    category_system: str | None = None
    category_code: str | None = None

    @property
    def scope(self) -> str:
        """The narrowest scope that grants this category, in SMART v2 syntax."""
        base = f"patient/{self.resource_type}.rs"
        if self.category_code is None:
            return base
        return f"{base}?category={self.category_system}|{self.category_code}"

    @property
    def type_scope(self) -> str:
        """The whole-type scope that also grants this category."""
        return f"patient/{self.resource_type}.rs"


def _category(
    key: CategoryKey,
    label: str,
    explanation: str,
    resource_type: str,
    fields: tuple[str, ...],
    model: type[SQLModel],
    category: tuple[str, str] | None = None,
) -> Category:
    system, code = category if category else (None, None)
    return Category(key, label, explanation, resource_type, fields, model, system, code)


K = CategoryKey
CATEGORIES: tuple[Category, ...] = (
    _category(K.DEMOGRAPHICS, "Name, date of birth, sex, race, ethnicity and language",
              "Who you are: your name, date of birth, sex, race, ethnicity and preferred language.",
              "Patient", ("name", "birthDate", "sex", "race", "ethnicity", "preferredLanguage"),
              patients.Patient),
    _category(K.CARE_TEAM, "Care team",
              "The doctors, nurses and other clinicians caring for you, and how to reach them.",
              "CareTeam", ("careTeam",), clinical.CareTeamMember),
    _category(K.ALLERGIES, "Allergies",
              "Things you are allergic to or cannot tolerate, and how you react to them.",
              "AllergyIntolerance", ("allergies",), clinical.AllergyIntolerance),
    _category(K.ASSESSMENT_AND_PLAN, "Assessment and plan",
              "What your clinicians concluded at your visits and the treatment they planned.",
              "CarePlan", ("assessmentAndPlan",), clinical.CarePlan),
    _category(K.ENCOUNTERS, "Visits",
              "When and where you were seen: office visits, hospital stays and emergency visits.",
              "Encounter", ("encounters",), clinical.Encounter),
    _category(K.FUNCTIONAL_STATUS, "Functional status",
              "How well you manage daily activities such as walking, dressing and eating.",
              "Observation", ("functionalStatus",), observations.FunctionalStatus,
              (US_CORE_OBSERVATION, "functional-status")),
    _category(K.MENTAL_STATUS, "Mental status",
              "Assessments of your memory, thinking and mood.",
              "Observation", ("mentalStatus",), observations.MentalStatus,
              (US_CORE_OBSERVATION, "cognitive-status")),
    _category(K.LAB_RESULTS, "Lab results",
              "Results of your blood, urine and other laboratory tests.",
              "Observation", ("labResults",), observations.LabResult,
              (OBSERVATION_CATEGORY, "laboratory")),
    _category(K.VITAL_SIGNS, "Vital signs",
              "Measurements such as blood pressure, heart rate, weight, height and temperature.",
              "Observation", ("vitalSigns",), observations.VitalSign,
              (OBSERVATION_CATEGORY, "vital-signs")),
    _category(K.SMOKING_STATUS, "Smoking status",
              "Whether you smoke or used to smoke.",
              "Observation", ("smokingStatus",), observations.SmokingStatus,
              (OBSERVATION_CATEGORY, "social-history")),
    _category(K.GOALS, "Goals",
              "Health goals you and your clinicians agreed on.",
              "Goal", ("goals",), clinical.Goal),
    _category(K.PROBLEMS, "Problems and diagnoses",
              "Your diagnoses and health problems, current and past.",
              "Condition", ("problems",), observations.Problem,
              (CONDITION_CATEGORY, "problem-list-item")),
    _category(K.HEALTH_CONCERNS, "Health concerns",
              "Health concerns you or your clinicians raised.",
              "Condition", ("healthConcerns",), observations.HealthConcern,
              (US_CORE_CONDITION, "health-concern")),
    _category(K.ENCOUNTER_DIAGNOSES, "Visit diagnoses",
              "The diagnoses made at each visit.",
              "Condition", ("Encounter.diagnoses",), observations.EncounterDiagnosis,
              (CONDITION_CATEGORY, "encounter-diagnosis")),
    _category(K.IMMUNIZATIONS, "Immunizations",
              "Vaccines you have received.",
              "Immunization", ("immunizations",), clinical.Immunization),
    _category(K.MEDICAL_EQUIPMENT, "Implanted devices",
              "Devices implanted in your body, such as pacemakers or joint replacements.",
              "Device", ("medicalEquipment",), clinical.ImplantableDevice),
    _category(K.MEDICATIONS, "Medications",
              "Medicines prescribed to you, with doses and who prescribed them.",
              "MedicationRequest", ("medications",), clinical.MedicationRequest),
    _category(K.PROCEDURES, "Procedures",
              "Surgeries and other procedures you have had.",
              "Procedure", ("procedures",), clinical.Procedure),
    _category(K.REFERRALS, "Referrals",
              "Referrals to other clinicians or services, and the reasons for them.",
              "ServiceRequest", ("referrals",), clinical.Referral),
)  # fmt: skip

BY_KEY: dict[CategoryKey, Category] = {c.key: c for c in CATEGORIES}
BY_FIELD: dict[str, Category] = {f: c for c in CATEGORIES for f in c.fields}


class SpecialScope(StrEnum):
    """Scopes that grant no data category."""

    OPENID = "openid"
    FHIR_USER = "fhirUser"
    LAUNCH_PATIENT = "launch/patient"
    OFFLINE_ACCESS = "offline_access"
    ONLINE_ACCESS = "online_access"
    PROFILE = "profile"
    EMAIL = "email"


SPECIAL_EXPLANATIONS: dict[SpecialScope, str] = {
    SpecialScope.OPENID: "Confirm who you are to the app.",
    SpecialScope.FHIR_USER: "Tell the app which person is using it.",
    SpecialScope.LAUNCH_PATIENT: "Tell the app whose record it is reading.",
    SpecialScope.OFFLINE_ACCESS: "Keep access when I am not using the app.",
    SpecialScope.ONLINE_ACCESS: "Keep access while I am using the app.",
    SpecialScope.PROFILE: "Tell the app my name.",
    SpecialScope.EMAIL: "Tell the app my email address.",
}

ALL_PATIENT_DATA = "patient/*.rs"


class ScopeError(ValueError):
    """Raised for a scope string the registry does not accept."""


def categories_of_scope(scope: str) -> tuple[Category, ...]:
    """The categories one scope grants; () for special scopes; ScopeError if unknown."""
    if scope in SpecialScope.__members__.values():
        return ()
    if not scope.startswith("patient/") or "." not in scope:
        raise ScopeError(f"unsupported scope {scope!r}")
    resource_part, _, query = scope.removeprefix("patient/").partition("?")
    resource_type, _, permission = resource_part.rpartition(".")
    if not is_read_permission(permission):
        raise ScopeError(f"unsupported permission in {scope!r} (chartshare is read-only)")
    if resource_type == "*":
        if query:
            raise ScopeError(f"unsupported scope {scope!r}")
        return CATEGORIES
    matching = tuple(c for c in CATEGORIES if c.resource_type == resource_type)
    if not matching:
        raise ScopeError(f"unknown resource type in {scope!r}")
    if not query:
        return matching
    name, _, value = query.partition("=")
    system, _, code = value.partition("|")
    narrowed = tuple(
        c for c in matching
        if name == "category" and c.category_system == system and c.category_code == code
    )  # fmt: skip
    if not narrowed:
        raise ScopeError(f"unknown category in {scope!r}")
    return narrowed


def is_read_permission(permission: str) -> bool:
    """`rs`, `r`, `s`, v1 `read`, or a SMART v2 permission string whose read/search part we grant.

    `cruds` or `rs` ask for more than chartshare grants only in c/u/d: the read/search
    part is granted and the rest is not (the token's `scope` says `.rs`). A v1 `*` is
    read and write, likewise granted as read.
    """
    if permission in READ_PERMISSIONS or permission == "*":
        return True
    letters = [c for c in SMART_V2_PERMISSIONS if c in permission]
    in_order = "".join(letters) == permission
    return bool(permission) and in_order and ("r" in permission or "s" in permission)


def granted_categories(scopes: Iterable[str]) -> frozenset[CategoryKey]:
    """Every category any of the (already validated) scopes grants; unknown scopes grant nothing."""
    keys: set[CategoryKey] = set()
    for scope in scopes:
        try:
            keys.update(c.key for c in categories_of_scope(scope))
        except ScopeError:
            continue
    return frozenset(keys)


def split_scope_string(raw: str) -> tuple[list[str], list[str]]:
    """Split a requested scope string into (accepted, rejected), in order, without repeats.

    Rejected scopes (`launch` without an EHR context, `user/` and `system/` scopes,
    write-only permissions, unknown names) are dropped from an authorization request,
    not fatal (RFC 6749 section 3.3); the token response's `scope` says what was granted.
    """
    accepted: list[str] = []
    rejected: list[str] = []
    for scope in dict.fromkeys(raw.split()):
        try:
            categories_of_scope(scope)
        except ScopeError:
            rejected.append(scope)
        else:
            accepted.append(scope)
    return accepted, rejected


def phrase_granted(
    requested: Iterable[str], categories: frozenset[CategoryKey], specials: Iterable[str]
) -> list[str]:
    """The granted scope in the client's own words where they fit exactly, canonical otherwise.

    A requested `.rs` or v1 `.read` scope whose categories are all granted is echoed as
    sent; the rest of the granted categories come as canonical scopes. A client that
    asked only for supported scopes and got everything sees its own scope set back.
    """
    granted_specials = list(dict.fromkeys(specials))
    result: list[str] = []
    covered: set[CategoryKey] = set()
    for scope in dict.fromkeys(requested):
        if scope in granted_specials:
            result.append(scope)
            continue
        permission = scope.partition("?")[0].rpartition(".")[2]
        try:
            keys = {c.key for c in categories_of_scope(scope)}
        except ScopeError:
            continue
        if keys and permission in EXACT_READ_PERMISSIONS and keys <= categories:
            result.append(scope)
            covered |= keys
    result.extend(s for s in granted_specials if s not in result)
    result.extend(scopes_for(categories - covered))
    return result


def scopes_for(categories: Iterable[CategoryKey], specials: Iterable[str] = ()) -> list[str]:
    """Canonical scopes for a set of categories: whole-type or `*` scopes where all are covered."""
    wanted = set(categories)
    if wanted >= set(BY_KEY):
        return [*specials, ALL_PATIENT_DATA]
    result: list[str] = list(specials)
    for resource_type in dict.fromkeys(c.resource_type for c in CATEGORIES):
        of_type = [c for c in CATEGORIES if c.resource_type == resource_type]
        chosen = [c for c in of_type if c.key in wanted]
        if chosen and len(chosen) == len(of_type):
            result.append(of_type[0].type_scope)
        else:
            result.extend(c.scope for c in chosen)
    return result


def required_scopes(key: CategoryKey) -> list[str]:
    """Scopes that would grant the category, narrowest first (for INSUFFICIENT_SCOPE errors)."""
    category = BY_KEY[key]
    options = [category.scope, category.type_scope, ALL_PATIENT_DATA]
    return list(dict.fromkeys(options))


def supported_scopes() -> list[str]:
    """What the discovery document advertises as `scopes_supported`."""
    category_scopes = [c.scope for c in CATEGORIES]
    type_scopes = list(dict.fromkeys(c.type_scope for c in CATEGORIES))
    specials = [s.value for s in SpecialScope]
    return list(dict.fromkeys([*specials, ALL_PATIENT_DATA, *type_scopes, *category_scopes]))

"""What each GraphQL field of the app read path is in SQL, mirroring the `from_row` builders.

A type or field missing here is not compiled: the operation falls back to Strawberry.
`{a}` in a template stands for the table alias of the row being built.
"""

from dataclasses import dataclass

from db.code_systems import CDC_RACE_ETHNICITY as RACE_ETHNICITY
from db.code_systems import ICD10_CM as ICD10CM
from db.code_systems import INTERPRETATIONS, SNOMED, UCUM
from db.code_systems import OBSERVATION_INTERPRETATION as INTERPRETATION_SYSTEM
from sharing.categories import REGISTRY, Link
from sharing.scopes import CategoryKey

K = CategoryKey


@dataclass(frozen=True)
class Leaf:
    """A scalar: kind is text, int, float, bool, day, moment or id; template is a SQL value."""

    kind: str
    template: str


@dataclass(frozen=True)
class Value:
    """A value object built from the same row; null unless `present` (a SQL condition) holds."""

    fields: dict[str, "Spec"]
    present: str | None = None


@dataclass(frozen=True)
class Demographic:
    """A guarded demographic field of Patient."""

    spec: "Spec"


Spec = Leaf | Value | Link | Demographic


def text(column: str) -> Leaf:
    """A text column of the row."""
    return Leaf("text", "{a}." + column)


def day(column: str) -> Leaf:
    """A date column of the row."""
    return Leaf("day", "{a}." + column)


def moment(column: str) -> Leaf:
    """A timestamp column of the row."""
    return Leaf("moment", "{a}." + column)


def constant(value: str) -> Leaf:
    """A fixed text."""
    return Leaf("text", "'" + value.replace("'", "''") + "'")


def filled(*columns: str) -> str:
    """SQL: every column holds a non-empty value (Python truthiness of strings)."""
    return " AND ".join(f"coalesce({{a}}.{c}, '') <> ''" for c in columns)


def coding(system: Leaf, code: str, display: str, *, nullable: bool) -> Value:
    """A Coding; a nullable one is null when system or code is empty (as `coding()` does)."""
    fields: dict[str, Spec] = {"system": system, "code": text(code), "display": text(display)}
    if not nullable:
        return Value(fields)
    condition = filled(code)
    if system.template.startswith("{a}."):
        condition = filled(system.template.removeprefix("{a}."), code)
    return Value(fields, condition)


def main_code() -> Value:
    """The row's code in its category's system (never null)."""
    return coding(text("code_system"), "code", "code_display", nullable=False)


def quantity(value: str, unit: str) -> Value:
    """A Quantity of a value column and the unit column; null without a value."""
    unit_system = Leaf("text", f"CASE WHEN {filled(unit)} THEN '{UCUM}' END")
    return Value(
        {"value": Leaf("float", "{a}." + value), "unit": text(unit), "unitSystem": unit_system},
        "{a}." + value + " IS NOT NULL",
    )


def _interpretation() -> Value:
    cases = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in INTERPRETATIONS.items())
    return Value(
        {
            "system": constant(INTERPRETATION_SYSTEM),
            "code": text("interpretation"),
            "display": Leaf("text", f"CASE {{a}}.interpretation {cases} END"),
        },
        filled("interpretation"),
    )


def _record(type_name: str, fields: dict[str, Spec]) -> dict[str, Spec]:
    """A node type's fields: its id, the given ones, and its links as the registry declares them."""
    links = {link.field: _link(link) for link in REGISTRY.by_node_type[type_name].links}
    return {"id": Leaf("id", type_name), **fields} | {f: s for f, s in links.items() if s}


def _link(link: Link) -> Link | None:
    """A link by the row's foreign key, or Encounter.diagnoses; None for one not compiled."""
    compiled = link.foreign_key is not None or link.target is K.ENCOUNTER_DIAGNOSES
    return link if compiled else None


def _observation(type_name: str) -> dict[str, Spec]:
    return _record(type_name, {
        "code": main_code(),
        "status": text("status"),
        "effectiveAt": moment("effective_at"),
        "valueQuantity": quantity("value_quantity", "value_unit"),
        "valueCode": coding(text("value_code_system"), "value_code", "value_display",
                            nullable=True),
        "valueText": text("value_text"),
        "referenceRange": Value(
            {"low": quantity("reference_low", "value_unit"),
             "high": quantity("reference_high", "value_unit")},
            "({a}.reference_low IS NOT NULL OR {a}.reference_high IS NOT NULL)",
        ),
        "interpretation": _interpretation(),
    })  # fmt: skip


def _condition(type_name: str) -> dict[str, Spec]:
    return _record(type_name, {
        "code": main_code(),
        "icd10": coding(constant(ICD10CM), "icd10_code", "icd10_display", nullable=True),
        "clinicalStatus": text("clinical_status"),
        "verificationStatus": text("verification_status"),
        "onsetDate": day("onset_date"),
        "abatementDate": day("abatement_date"),
        "recordedAt": moment("recorded_at"),
    })  # fmt: skip


TYPES: dict[str, dict[str, Spec]] = {
    "CareTeamMember": _record("CareTeamMember", {
        "name": text("name"),
        "role": coding(text("role_system"), "role_code", "role_display", nullable=False),
        "npi": text("npi"), "organization": text("organization"), "phone": text("phone"),
        "status": text("status"),
        "startDate": day("period_start"),
        "endDate": day("period_end"),
        "periodStart": day("period_start"),
        "periodEnd": day("period_end"),
    }),
    "AllergyIntolerance": _record("AllergyIntolerance", {
        "code": main_code(),
        "clinicalStatus": text("clinical_status"),
        "verificationStatus": text("verification_status"),
        "category": text("category"), "criticality": text("criticality"),
        "reaction": Value(
            {"manifestation": coding(constant(SNOMED), "reaction_code", "reaction_display",
                                     nullable=True),
             "severity": text("reaction_severity")},
            f"({filled('reaction_code')} OR {filled('reaction_severity')})",
        ),
        "onsetDate": day("onset_date"),
        "recordedAt": moment("recorded_at"),
    }),
    "CarePlan": _record("CarePlan", {
        "code": main_code(), "status": text("status"), "assessment": text("assessment"),
        "plan": text("plan"), "authoredAt": moment("authored_at"),
    }),
    "Encounter": _record("Encounter", {
        "code": main_code(), "class": text("class_code"), "status": text("status"),
        "startAt": moment("start_at"), "endAt": moment("end_at"),
        "location": text("location"),
    }),
    "Goal": _record("Goal", {
        "code": main_code(), "description": text("description"),
        "lifecycleStatus": text("lifecycle_status"),
        "achievementStatus": text("achievement_status"),
        "startDate": day("start_date"), "targetDate": day("target_date"),
        "expressedBy": text("expressed_by"),
    }),
    "Immunization": _record("Immunization", {
        "code": main_code(), "status": text("status"),
        "occurredAt": moment("occurred_at"), "lotNumber": text("lot_number"),
        "site": text("site"), "performer": text("performer"),
        "primarySource": Leaf("bool", "{a}.primary_source"),
    }),
    "ImplantableDevice": _record("ImplantableDevice", {
        "code": main_code(), "status": text("status"), "udiCarrier": text("udi_carrier"),
        "deviceIdentifier": text("udi_device_identifier"),
        "manufacturer": text("manufacturer"), "modelNumber": text("model_number"),
        "serialNumber": text("serial_number"), "lotNumber": text("lot_number"),
        "manufacturedOn": day("manufactured_on"),
        "expiresOn": day("expires_on"),
        "implantedOn": day("implanted_on"),
    }),
    "Medication": _record("Medication", {
        "code": main_code(), "status": text("status"), "intent": text("intent"),
        "authoredAt": moment("authored_at"), "dosageText": text("dosage_text"),
        "route": text("route"), "refills": Leaf("int", "{a}.refills"),
    }),
    "Procedure": _record("Procedure", {
        "code": main_code(), "status": text("status"),
        "performedAt": moment("performed_at"), "bodySite": text("body_site"),
    }),
    "Referral": _record("Referral", {
        "code": main_code(), "status": text("status"),
        "authoredAt": moment("authored_at"),
        "reason": coding(text("reason_system"), "reason_code", "reason_display", nullable=True),
        "reasonText": text("reason_text"), "referredTo": text("referred_to"),
    }),
    "LabResult": _observation("LabResult"),
    "VitalSign": _observation("VitalSign"),
    "SmokingStatus": _observation("SmokingStatus"),
    "FunctionalStatus": _observation("FunctionalStatus"),
    "MentalStatus": _observation("MentalStatus"),
    "Problem": _condition("Problem"),
    "HealthConcern": _condition("HealthConcern"),
    "EncounterDiagnosis": _condition("EncounterDiagnosis"),
}  # fmt: skip

NAME_TEXT = (
    "substr(" + " || ".join(
        f"CASE WHEN {filled(c)} THEN ' ' || {{a}}.{c} ELSE '' END"
        for c in ("given_name", "middle_name", "family_name", "name_suffix")
    ) + ", 2)"
)  # fmt: skip

PATIENT: dict[str, Spec] = {
    "id": Leaf("id", "Patient"),
    "fhirId": Leaf("text", "CAST({a}.id AS TEXT)"),
    "name": Demographic(Value({
        "given": text("given_name"), "middle": text("middle_name"),
        "family": text("family_name"), "suffix": text("name_suffix"),
        "text": Leaf("text", NAME_TEXT),
    })),
    "birthDate": Demographic(day("birth_date")),
    "sex": Demographic(text("sex")),
    "race": Demographic(coding(constant(RACE_ETHNICITY), "race_code", "race_display",
                               nullable=True)),
    "ethnicity": Demographic(coding(constant(RACE_ETHNICITY), "ethnicity_code",
                                    "ethnicity_display", nullable=True)),
    "preferredLanguage": Demographic(text("preferred_language")),
}  # fmt: skip

"""Clinical code catalogs: conditions, medicines, vaccines, procedures, visits, care plans.

The facts are in db/seed/data/ (see its README.md): chronic_conditions.csv,
acute_conditions.csv, health_concerns.csv, chronic_medicines.csv, acute_medicines.csv,
vaccines.csv, visit_types.csv, procedures.csv and care_plans.csv. SNOMED CT, ICD-10-CM,
RxNorm, CVX and CPT codes with their meaning.
"""

from typing import NamedTuple

from db.seed.vocabulary import Record, grouped, table


class Condition(NamedTuple):
    """A SNOMED CT condition with the ICD-10-CM code it is billed under."""

    snomed: str
    display: str
    icd10: str
    icd10_display: str


class Medicine(NamedTuple):
    """An RxNorm clinical drug with how it is usually taken."""

    rxcui: str
    display: str
    dosage: str
    route: str


def _condition(row: Record) -> Condition:
    return Condition(*row.coded("snomed"), row.text("icd10"), row.text("icd10_display"))


def _medicine(row: Record) -> Medicine:
    return Medicine(*row.coded("rxcui"), row.text("dosage"), row.text("route"))


CHRONIC: dict[str, Condition] = {
    row.text("key"): _condition(row) for row in table("chronic_conditions.csv")
}

ACUTE: dict[str, Condition] = {
    row.text("key"): _condition(row) for row in table("acute_conditions.csv")
}

HEALTH_CONCERNS: tuple[Condition, ...] = tuple(
    _condition(row) for row in table("health_concerns.csv")
)

CHRONIC_MEDICINES: dict[str, tuple[Medicine, ...]] = {
    condition: tuple(_medicine(row) for row in rows)
    for condition, rows in grouped(table("chronic_medicines.csv"), "condition").items()
}

ACUTE_MEDICINES: dict[str, Medicine] = {
    row.text("condition"): _medicine(row) for row in table("acute_medicines.csv")
}

# CVX vaccines.
VACCINES: dict[str, tuple[str, str]] = {
    row.text("key"): row.coded("cvx") for row in table("vaccines.csv")
}

# Visit types: (system, code, display, HL7 ActCode class).
VISITS: dict[str, tuple[str, str, str, str]] = {
    row.text("key"): (*row.system_coded(), row.text("class")) for row in table("visit_types.csv")
}

# Procedures: (system, code, display, body site or None).
PROCEDURES: dict[str, tuple[str, str, str, str | None]] = {
    row.text("key"): (*row.system_coded(), row.optional_text("body_site"))
    for row in table("procedures.csv")
}

# SNOMED CT care plan types, by the condition (or situation) they address.
CARE_PLANS: dict[str, tuple[str, str]] = {
    row.text("key"): row.coded("snomed") for row in table("care_plans.csv")
}

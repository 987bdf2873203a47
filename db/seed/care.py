"""Care catalogs: care team roles, referrals, goals, allergens and implantable device types.

The facts are in db/seed/data/ (see its README.md): named_codes.csv (the roles and
referrals named below), specialists.csv, specialty_of.csv, goals.csv, allergens.csv,
reactions.csv and devices.csv. NUCC provider taxonomy, SNOMED CT, LOINC and RxNorm codes
with their meaning.
"""

from typing import NamedTuple

from db.code_systems import NUCC
from db.seed.vocabulary import named_code, table


class Role(NamedTuple):
    """A care team role: code system, code and display."""

    system: str
    code: str
    display: str


PRIMARY_CARE = Role(*named_code("primary_care"))
NURSE = Role(*named_code("nurse"))
NURSE_PRACTITIONER = Role(*named_code("nurse_practitioner"))
PHARMACIST = Role(*named_code("pharmacist"))
CAREGIVER = Role(*named_code("caregiver"))

# Specialists, keyed by specialty; each is a NUCC taxonomy code.
SPECIALISTS: dict[str, Role] = {
    row.text("specialty"): Role(NUCC, *row.coded("nucc")) for row in table("specialists.csv")
}

PRIMARY_CARE_SPECIALTIES: tuple[Role, ...] = (
    Role(*named_code("family_medicine")),
    Role(*named_code("internal_medicine")),
)

# Which specialist sees a chronic condition (conditions without one stay with primary care).
SPECIALTY_OF: dict[str, str] = {
    row.text("condition"): row.text("specialty") for row in table("specialty_of.csv")
}

# SNOMED CT referral procedures: cardiology has its own; others are referrals to a specialist.
REFERRAL_TO_CARDIOLOGY = named_code("referral_to_cardiology").pair
REFERRAL_TO_SPECIALIST = named_code("referral_to_specialist").pair
REFERRAL_FOR_DENTAL_CARE = named_code("referral_for_dental_care").pair


class GoalTarget(NamedTuple):
    """A goal: its code (LOINC for a measurable target, SNOMED CT otherwise) and wording."""

    system: str
    code: str
    display: str
    description: str


GOALS: dict[str, GoalTarget] = {
    row.text("key"): GoalTarget(*row.system_coded(), row.text("description"))
    for row in table("goals.csv")
}


class Allergen(NamedTuple):
    """A substance (SNOMED CT or RxNorm), its allergy category and typical reactions."""

    system: str
    code: str
    display: str
    category: str
    reactions: tuple[str, ...]


ALLERGENS: tuple[Allergen, ...] = tuple(
    Allergen(*row.system_coded(), row.text("category"), row.keys("reactions"))
    for row in table("allergens.csv")
)

# SNOMED CT reaction manifestations.
REACTIONS: dict[str, tuple[str, str]] = {
    row.text("key"): row.coded("snomed") for row in table("reactions.csv")
}


class DeviceType(NamedTuple):
    """A SNOMED CT implantable device type, the procedure that places it, and its maker.

    The makers and model numbers are made up: demo data must not name real products.
    """

    code: str
    display: str
    procedure: str
    manufacturer: str
    model_prefix: str
    shelf_life_years: int


DEVICES: dict[str, DeviceType] = {
    row.text("key"): DeviceType(
        *row.coded("snomed"),
        row.text("procedure"),
        row.text("manufacturer"),
        row.text("model_prefix"),
        row.integer("shelf_life_years"),
    )
    for row in table("devices.csv")
}

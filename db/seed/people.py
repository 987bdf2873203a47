"""Who the synthetic people are: names, CDC race and ethnicity codes, languages, clinics.

The lists are in db/seed/data/ (see its README.md): given_names_female.txt,
given_names_male.txt, family_names.txt, middle_initials.txt, races.csv, languages.csv,
clinics.csv and the ethnicities in named_codes.csv. Every name is invented for demo data;
clinics and phone numbers (555-01xx) are fictional. The fixed demo patients are below.
"""

from typing import NamedTuple

from db.seed.vocabulary import named_code, names, table

FEMALE_NAMES = names("given_names_female.txt")
MALE_NAMES = names("given_names_male.txt")
FAMILY_NAMES = names("family_names.txt")
MIDDLE_INITIAL_NAMES = names("middle_initials.txt")


class Coded(NamedTuple):
    """A CDC Race & Ethnicity code with its display."""

    code: str
    display: str


# OMB race categories with rough US shares (percent).
RACES: tuple[tuple[Coded, int], ...] = tuple(
    (Coded(*row.coded("cdc_code")), row.integer("percent")) for row in table("races.csv")
)
RACE_BY_CODE = {race.code: race for race, _ in RACES}

HISPANIC = Coded(*named_code("hispanic").pair)
NOT_HISPANIC = Coded(*named_code("not_hispanic").pair)

# BCP 47 language tags with rough shares among English-first patients (percent).
LANGUAGES: tuple[tuple[str, int], ...] = tuple(
    (row.text("bcp47"), row.integer("percent")) for row in table("languages.csv")
)


class Clinic(NamedTuple):
    """A fictional practice: its name and area code."""

    name: str
    area_code: str


CLINICS: tuple[Clinic, ...] = tuple(
    Clinic(row.text("name"), row.text("area_code")) for row in table("clinics.csv")
)


class DemoPerson(NamedTuple):
    """A fixed demo patient."""

    given: str
    middle: str | None
    family: str
    sex: str
    age_years: int
    race: Coded
    ethnicity: Coded
    language: str
    conditions: tuple[str, ...]


ALICE = DemoPerson(
    "Alice",
    "Marie",
    "Carter",
    "F",
    58,
    RACE_BY_CODE["2106-3"],
    NOT_HISPANIC,
    "en",
    ("hypertension", "hyperlipidemia", "diabetes", "hypothyroidism"),
)
ALICE_CHILD = DemoPerson(
    "Lily",
    "Rose",
    "Carter",
    "F",
    14,
    RACE_BY_CODE["2106-3"],
    NOT_HISPANIC,
    "en",
    ("asthma", "allergic_rhinitis"),
)
BOB = DemoPerson(
    "Bob",
    "James",
    "Okafor",
    "M",
    44,
    RACE_BY_CODE["2054-5"],
    NOT_HISPANIC,
    "en",
    ("hypertension", "back_pain"),
)

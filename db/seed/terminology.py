"""Code systems and the observation catalogs (LOINC codes, UCUM units, adult reference ranges).

The facts are in db/seed/data/ (see its README.md): labs.csv and vitals.csv, female_ranges.csv,
panels.csv, condition_lab_effects.csv, smoking_answers.csv, mental_assessments.csv,
functional_items.csv and functional_levels.csv. Every code there is a real code of its
system. Values are typical adult reference intervals; laboratories differ slightly, which
is why each result carries its own range.
"""

from typing import NamedTuple

from db.seed.vocabulary import grouped, named_code, table


class Measure(NamedTuple):
    """A LOINC quantity: unit in UCUM, reference range, and a typical healthy value."""

    code: str
    display: str
    unit: str
    low: float | None
    high: float | None
    mean: float
    sd: float
    decimals: int


def _measures(name: str) -> dict[str, Measure]:
    return {
        row.text("key"): Measure(
            *row.coded("loinc"),
            row.text("unit"),
            row.optional_number("low"),
            row.optional_number("high"),
            row.number("mean"),
            row.number("sd"),
            row.integer("decimals"),
        )
        for row in table(name)
    }


LABS: dict[str, Measure] = _measures("labs.csv")

# Female reference intervals where they differ from the defaults above: (low, high, mean).
FEMALE_RANGES: dict[str, tuple[float, float, float]] = {
    row.text("lab"): (row.number("low"), row.number("high"), row.number("mean"))
    for row in table("female_ranges.csv")
}

PANELS: dict[str, tuple[str, ...]] = {
    panel: tuple(row.text("lab") for row in rows)
    for panel, rows in grouped(table("panels.csv"), "panel").items()
}

# How a chronic condition moves a patient's typical value (untreated), by lab key.
CONDITION_LAB_EFFECTS: dict[str, dict[str, float]] = {
    condition: {row.text("lab"): row.number("value") for row in rows}
    for condition, rows in grouped(table("condition_lab_effects.csv"), "condition").items()
}

VITALS: dict[str, Measure] = _measures("vitals.csv")


SMOKING_STATUS = named_code("smoking_status").pair

# SNOMED CT answers for tobacco smoking status (US Core value set).
SMOKING_ANSWERS: dict[str, tuple[str, str]] = {
    row.text("key"): row.coded("snomed") for row in table("smoking_answers.csv")
}


class Assessment(NamedTuple):
    """A scored instrument: LOINC code, top score, and the score from which it is abnormal."""

    code: str
    display: str
    maximum: int
    cutoff: int | None


MENTAL: dict[str, Assessment] = {
    row.text("key"): Assessment(
        *row.coded("loinc"), row.integer("maximum"), row.optional_integer("cutoff")
    )
    for row in table("mental_assessments.csv")
}

# CMS functional-ability items (LOINC), scored on the CMS six-level scale.
FUNCTIONAL: tuple[tuple[str, str], ...] = tuple(
    row.coded("loinc") for row in table("functional_items.csv")
)

FUNCTIONAL_LEVELS: dict[int, str] = {
    row.integer("level"): row.text("display") for row in table("functional_levels.csv")
}

"""Assessments at a visit: smoking status, mental and functional scores, assessment and plan."""

from datetime import datetime, timedelta

from db.code_systems import LOINC, SNOMED
from db.seed import notes
from db.seed.catalog import ACUTE, CARE_PLANS, CHRONIC
from db.seed.person import RECORDS_END, Person
from db.seed.rows import Batch, Ids
from db.seed.schedule import AtVisit, Visit
from db.seed.terminology import (
    FUNCTIONAL,
    FUNCTIONAL_LEVELS,
    MENTAL,
    SMOKING_ANSWERS,
    SMOKING_STATUS,
)
from db.seed.values import interpret

SCORE_UNIT = "{score}"
CHECK_UPS = frozenset({"new", "wellness"})


def _smoking_on(person: Person, visit: Visit) -> str:
    if person.smoking != "former":
        return person.smoking
    quit_day = person.history_start + (RECORDS_END - person.history_start) / 2
    return "daily" if visit.day < quit_day else "former"


def _score(
    person: Person,
    batch: Batch,
    ids: Ids,
    key: str,
    value: int,
    when: datetime,
    encounter: int,
) -> None:
    instrument = MENTAL[key]
    low: float | None = None
    high: float | None = None
    if instrument.cutoff is None:
        low = 26.0  # MoCA: below 26 suggests cognitive impairment
    else:
        high = float(instrument.cutoff - 1)
    quantity = float(value)
    batch.rows["mental_status"].append((
        ids.take("mental_status"), person.id, LOINC, instrument.code, instrument.display, "final",
        when, quantity, SCORE_UNIT, None, None, None, None, low, high,
        interpret(quantity, low, high), encounter,
    ))  # fmt: skip


def _mood_score(person: Person, condition: str, visit: Visit, start: int, maximum: int) -> int:
    diagnosed = person.chronic.get(condition)
    if diagnosed is None or diagnosed > visit.day:
        return person.rng.choice((0, 0, 0, 1, 1, 2, 3))
    years = (visit.day - diagnosed).days / 365.25
    value = start - 3.5 * years + person.rng.gauss(0, 2)
    return int(min(max(round(value), 1), maximum))


def write_assessments(written: AtVisit) -> None:
    """Smoking status, PHQ/GAD/MoCA scores and functional items, as the visit calls for."""
    person, batch, ids, visit, start, encounter = written
    rng, kind = person.rng, visit.kind
    age = person.age_on(visit.day)
    when = start + timedelta(minutes=10)
    if kind in CHECK_UPS:
        code, display = SMOKING_ANSWERS[_smoking_on(person, visit)]
        batch.rows["smoking_status"].append((
            ids.take("smoking_status"), person.id, LOINC, SMOKING_STATUS[0], SMOKING_STATUS[1],
            "final", when, None, None, SNOMED, code, display, None, None, None, None, encounter,
        ))  # fmt: skip
        mood = "depression" if "depression" in person.chronic else "anxiety"
        phq2 = _mood_score(person, mood, visit, 5, 6)
        _score(person, batch, ids, "phq2", phq2, when, encounter)
        if age >= 65 and (kind == "new" or rng.random() < 0.5):
            moca = round(rng.gauss(27.5 if age < 80 else 25.0, 1.6))
            _score(person, batch, ids, "moca", min(max(moca, 15), 30), when, encounter)
        if kind == "new" or age >= 65:
            _functional(person, batch, ids, age, when, encounter)
    if kind in ("followup", "telehealth"):
        if "depression" in visit.focus:
            score = _mood_score(person, "depression", visit, 17, 27)
            _score(person, batch, ids, "phq9", score, when, encounter)
        if "anxiety" in visit.focus:
            score = _mood_score(person, "anxiety", visit, 14, 21)
            _score(person, batch, ids, "gad7", score, when, encounter)


def _functional(
    person: Person, batch: Batch, ids: Ids, age: int, when: datetime, encounter: int
) -> None:
    rng = person.rng
    count = 1 if age < 65 else rng.randint(1, 2)
    for code, display in rng.sample(FUNCTIONAL, count):
        level = 6 if age < 75 or rng.random() < 0.6 else rng.randint(3, 5)
        batch.rows["functional_status"].append((
            ids.take("functional_status"), person.id, LOINC, code, display, "final", when,
            float(level), SCORE_UNIT, None, None, None, FUNCTIONAL_LEVELS[level], None, None,
            None, encounter,
        ))  # fmt: skip


def write_care_plan(written: AtVisit, key: str) -> None:
    """An assessment and plan of treatment written at the visit."""
    person, batch, ids, visit, start, encounter = written
    rng = person.rng
    code, display = CARE_PLANS.get(key, CARE_PLANS["general"])
    if key in CHRONIC:
        phrase = notes.NEW_DIAGNOSIS if visit.diagnosis else rng.choice(notes.STATUS_PHRASES)
        assessment = f"{CHRONIC[key].display}: {phrase}."
    elif key == "infection":
        illness = next((ACUTE[k].display for k in visit.focus if k in ACUTE), "Infection")
        assessment = f"{illness}, uncomplicated; no signs of systemic illness."
    else:
        assessment = "Well visit. No new concerns; chronic conditions reviewed."
    plan = rng.choice(notes.PLANS.get(key, notes.PLANS["general"]))
    recent = RECORDS_END - visit.day <= timedelta(days=365)
    batch.rows["care_plan"].append((
        ids.take("care_plan"), person.id, SNOMED, code, display,
        "active" if recent else "completed", assessment, plan, start + timedelta(minutes=35),
        encounter,
    ))  # fmt: skip

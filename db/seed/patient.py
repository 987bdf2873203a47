"""The patient row: demographics drawn for a bulk patient or fixed for a demo one."""

import random
from datetime import date, timedelta

from db.seed import people
from db.seed.person import (
    BULK,
    RECORDS_END,
    Person,
    Profile,
    at,
    draw_conditions,
    years_before,
)
from db.seed.rows import Batch

# Age bands of bulk patients (years) with their shares.
AGE_BANDS = ((12, 17, 10), (18, 39, 30), (40, 64, 37), (65, 92, 23))

SMOKING_ADULT = (("never", 58), ("former", 25), ("daily", 12), ("occasional", 5))
SMOKING_TEEN = (("never", 95), ("occasional", 5))

ASIAN_LANGUAGES = ("zh", "vi", "tl", "ko", "hi")


def _choice(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _language(rng: random.Random, race: people.Coded, hispanic: bool) -> str:
    if hispanic and rng.random() < 0.45:
        return "es"
    if race.code == "2028-9" and rng.random() < 0.3:
        return rng.choice(ASIAN_LANGUAGES)
    return _choice(rng, people.LANGUAGES)


def _body(
    rng: random.Random, sex: str, age: int, conditions: dict[str, date]
) -> tuple[float, float]:
    height = rng.gauss(162.0, 7.0) if sex == "F" else rng.gauss(176.0, 7.5)
    bmi = rng.gauss(21.0, 3.5) if age < 18 else rng.gauss(27.0, 4.5)
    if "obesity" in conditions:
        bmi = max(bmi, rng.uniform(30.5, 38.0))
    return height, min(max(bmi, 17.0), 45.0)


def _history_start(rng: random.Random, profile: Profile, birth: date) -> date:
    if profile.min_years == profile.max_years:
        years = profile.min_years
    else:
        years = rng.triangular(profile.min_years, profile.max_years, 1.0)
    return max(years_before(RECORDS_END, years), birth + timedelta(days=round(10.5 * 365.25)))


def new_person(
    *,
    patient_id: int,
    seed: int,
    batch: Batch,
    demo: people.DemoPerson | None = None,
    profile: Profile = BULK,
) -> Person:
    """Draw (or take) one patient's demographics, write the patient row, return the person."""
    rng = random.Random(f"chartshare:{seed}:{patient_id}")
    middle: str | None
    if demo is None:
        sex = "F" if rng.random() < 0.51 else "M"
        low, high, _ = rng.choices(AGE_BANDS, [w for *_, w in AGE_BANDS])[0]
        age_years = rng.uniform(low, high + 0.99)
        given = rng.choice(people.FEMALE_NAMES if sex == "F" else people.MALE_NAMES)
        family = rng.choice(people.FAMILY_NAMES)
        middle = rng.choice(people.MIDDLE_INITIAL_NAMES) if rng.random() < 0.5 else None
        race = rng.choices([r for r, _ in people.RACES], [w for _, w in people.RACES])[0]
        hispanic = rng.random() < (0.6 if race.code == "2131-1" else 0.08)
        ethnicity = people.HISPANIC if hispanic else people.NOT_HISPANIC
        language = _language(rng, race, hispanic)
    else:
        sex, given, family, middle = demo.sex, demo.given, demo.family, demo.middle
        age_years = demo.age_years + rng.uniform(0.1, 0.9)
        race, ethnicity, language = demo.race, demo.ethnicity, demo.language
    birth = years_before(RECORDS_END, age_years)
    age = int(age_years)
    smoking = _choice(rng, SMOKING_TEEN if age < 18 else SMOKING_ADULT)
    start = _history_start(rng, profile, birth)
    if demo is None:
        onset, diagnosed = draw_conditions(
            rng, birth=birth, sex=sex, smoker=smoking in ("daily", "former"), history_start=start
        )
    else:
        span = (RECORDS_END - start).days
        onset = {
            key: start + timedelta(days=round(span * (0.55 * i / len(demo.conditions)) - 400))
            for i, key in enumerate(demo.conditions)
        }
        onset = {key: max(day, birth + timedelta(days=2000)) for key, day in onset.items()}
        diagnosed = {key: max(day, start) for key, day in onset.items()}
    height, bmi = _body(rng, sex, age, diagnosed)
    suffix = "Jr." if sex == "M" and demo is None and rng.random() < 0.02 else None
    batch.rows["patient"].append((
        patient_id, given, middle, family, suffix, birth, sex, race.code, race.display,
        ethnicity.code, ethnicity.display, language, f"CS{patient_id:08d}",
        at(start, 13, rng.randrange(60)),
    ))  # fmt: skip
    return Person(
        id=patient_id,
        rng=rng,
        given=given,
        family=family,
        sex=sex,
        birth=birth,
        history_start=start,
        profile=profile,
        chronic=diagnosed,
        onset=onset,
        smoking=smoking,
        height_cm=height,
        bmi=bmi,
    )

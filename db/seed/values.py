"""Plausible measurement values: each person keeps a baseline, conditions and treatment move it."""

from datetime import date

from db.seed.person import Person
from db.seed.terminology import CONDITION_LAB_EFFECTS, FEMALE_RANGES, LABS, VITALS, Measure

# After diagnosis, treatment pulls an abnormal value this far back towards normal per year.
TREATMENT_PULL_PER_YEAR = 0.45
UNTREATED = frozenset({"inr"})  # the anticoagulation target is meant to stay above normal

FEVER = frozenset({"influenza", "pneumonia", "covid", "strep", "otitis", "bronchitis"})
LOW_OXYGEN = frozenset({"pneumonia", "covid", "copd"})

Reading = tuple[Measure, float, float | None, float | None, str | None]


def interpret(value: float, low: float | None, high: float | None) -> str:
    """HL7 interpretation of a value against its reference range: L, H or N."""
    if low is not None and value < low:
        return "L"
    if high is not None and value > high:
        return "H"
    return "N"


def _baseline(person: Person, key: str, mean: float, spread: float) -> float:
    value = person.lab_means.get(key)
    if value is None:
        value = person.lab_means[key] = person.rng.gauss(mean, spread)
    return value


def lab_reading(person: Person, key: str, day: date) -> Reading:
    """One lab result for a person on a day, with its range and interpretation."""
    measure = LABS[key]
    low, high, mean = measure.low, measure.high, measure.mean
    if person.sex == "F" and key in FEMALE_RANGES:
        low, high, mean = FEMALE_RANGES[key]
    base = _baseline(person, key, mean, measure.sd * 0.5)
    target = base
    for condition, effects in CONDITION_LAB_EFFECTS.items():
        onset = person.onset.get(condition)
        if key not in effects or onset is None or onset > day:
            continue
        sick = effects[key] + (base - mean)
        diagnosed = person.chronic[condition]
        pull = 0.0
        if day > diagnosed and key not in UNTREATED:
            pull = min(1.0, (day - diagnosed).days / 365.25 * TREATMENT_PULL_PER_YEAR)
        target = sick - (sick - base) * pull
    value = person.rng.gauss(target, measure.sd * 0.45)
    value = round(max(value, abs(target) * 0.2), measure.decimals)
    return measure, float(value), low, high, interpret(value, low, high)


def _bmi_on(person: Person, day: date) -> float:
    drift = _baseline(person, "_bmi_drift", 0.0, 0.35)
    years = (day - person.history_start).days / 365.25
    return min(max(person.bmi + drift * years, 16.0), 48.0)


def _height_on(person: Person, day: date) -> float:
    age = person.age_on(day)
    growth = 1.0 if age >= 18 else max(0.8, 1.0 - 0.025 * (18 - age))
    return person.height_cm * growth


def _reading(measure: Measure, value: float) -> Reading:
    value = float(round(value, measure.decimals))
    low, high = measure.low, measure.high
    interpretation = None if low is None and high is None else interpret(value, low, high)
    return measure, value, low, high, interpretation


def vital_readings(person: Person, day: date, *, full: bool, acute: str | None) -> list[Reading]:
    """Vital signs taken at a visit; a full set adds height, BMI, breathing and oxygen."""
    rng = person.rng
    age = person.age_on(day)
    hypertension = person.onset.get("hypertension")
    systolic = _baseline(person, "_sys", 110.0 + max(0, age - 40) * 0.35, 5.0)
    diastolic = _baseline(person, "_dia", 71.0, 4.0)
    if hypertension is not None and hypertension <= day:
        treated = day > person.chronic["hypertension"]
        systolic += 11.0 if treated else 24.0
        diastolic += 6.0 if treated else 12.0
    heart = _baseline(person, "_hr", 72.0, 6.0)
    irregular = "afib" in person.chronic and person.chronic["afib"] <= day
    fever = acute in FEVER
    readings = [
        _reading(VITALS["systolic"], rng.gauss(systolic, 7.0)),
        _reading(VITALS["diastolic"], rng.gauss(diastolic, 5.0)),
        _reading(VITALS["heart_rate"], rng.gauss(heart + 14 * fever, 14 if irregular else 5)),
        _reading(VITALS["temperature"], rng.gauss(38.3, 0.4) if fever else rng.gauss(36.7, 0.2)),
    ]  # fmt: skip
    height = _height_on(person, day)
    bmi = _bmi_on(person, day)
    readings.append(_reading(VITALS["weight"], rng.gauss(bmi * (height / 100) ** 2, 0.6)))
    if full or acute in LOW_OXYGEN:
        low_oxygen = acute in LOW_OXYGEN or (
            "copd" in person.chronic and person.chronic["copd"] <= day
        )
        readings.append(
            _reading(VITALS["respiratory_rate"], rng.gauss(21 if low_oxygen else 15, 1.5))
        )
        readings.append(
            _reading(VITALS["spo2"], min(100.0, rng.gauss(92.5 if low_oxygen else 98, 1.0)))
        )
    if full:
        readings.append(_reading(VITALS["height"], rng.gauss(height, 0.3)))
        readings.append(_reading(VITALS["bmi"], bmi))
    return readings  # fmt: skip

"""When a person was seen: check-ups, follow-ups of chronic conditions, sick visits, stays."""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from db.seed.person import RECORDS_END, Person
from db.seed.rows import Batch, Ids

# Months between follow-up visits for a chronic condition; absent ones are seen at check-ups.
FOLLOW_UP_MONTHS: dict[str, int] = {
    "diabetes": 3, "ckd": 4, "heart_failure": 3, "afib": 4, "depression": 3, "copd": 6,
    "hypertension": 6, "anxiety": 6, "asthma": 12, "hypothyroidism": 12, "hyperlipidemia": 12,
    "osteoarthritis": 12, "hip_osteoarthritis": 12, "back_pain": 12, "gout": 12, "obesity": 12,
    "prediabetes": 12, "anemia": 6,
}  # fmt: skip

TEEN_ILLNESSES = ("strep", "pharyngitis", "otitis", "sinusitis", "bronchitis", "influenza",
                  "ankle_sprain", "headache")  # fmt: skip
ADULT_ILLNESSES = ("sinusitis", "pharyngitis", "strep", "bronchitis", "cystitis", "influenza",
                   "ankle_sprain", "headache", "low_back_pain")  # fmt: skip
EXACERBATIONS = ("asthma", "copd", "heart_failure", "afib")
TELEHEALTH_FROM = date(2020, 4, 1)
COVID_FROM = date(2020, 3, 15)


class Visit(NamedTuple):
    """One encounter to write: its day, kind and the conditions it is about."""

    day: date
    kind: str  # new, wellness, followup, acute, telehealth, emergency, inpatient, surgery
    focus: tuple[str, ...]
    diagnosis: bool = False  # the visit where the focus condition was first diagnosed


class AtVisit(NamedTuple):
    """A visit being written: whose, where its rows go, when it began and its encounter id."""

    person: Person
    batch: Batch
    ids: Ids
    visit: Visit
    start: datetime
    encounter: int


def _diagnosed_by(person: Person, day: date) -> list[str]:
    return [key for key, when in person.chronic.items() if when <= day]


def _illness(person: Person, day: date) -> str:
    rng = person.rng
    if day >= COVID_FROM and rng.random() < 0.12:
        return "covid"
    options = TEEN_ILLNESSES if person.age_on(day) < 18 else ADULT_ILLNESSES
    return rng.choice(options)


def plan_visits(person: Person, surgery: tuple[date, str] | None) -> list[Visit]:
    """Every visit of a person's history, oldest first."""
    rng = person.rng
    start, last = person.history_start, RECORDS_END - timedelta(days=2)
    at_start = tuple(k for k, when in person.chronic.items() if when <= start)
    visits = [Visit(start, "new", at_start, True)]
    visits += [
        Visit(when, "followup", (key,), True)
        for key, when in person.chronic.items()
        if start < when <= last
    ]
    day = start + timedelta(days=rng.randint(330, 400))
    while day < last:
        if rng.random() < 0.75:
            visits.append(Visit(day, "wellness", tuple(_diagnosed_by(person, day)[:2])))
        day += timedelta(days=rng.randint(330, 400))
    scale = person.profile.visit_scale
    day = start + timedelta(days=60)
    while day < last:
        followed = sorted(
            (k for k in _diagnosed_by(person, day) if k in FOLLOW_UP_MONTHS),
            key=lambda k: FOLLOW_UP_MONTHS[k],
        )
        if not followed:
            day += timedelta(days=120)
            continue
        if rng.random() < 0.8:
            remote = day >= TELEHEALTH_FROM and rng.random() < 0.2
            visits.append(Visit(day, "telehealth" if remote else "followup", tuple(followed[:2])))
        interval = FOLLOW_UP_MONTHS[followed[0]] * 30.4 / scale
        day += timedelta(days=round(interval * rng.uniform(0.85, 1.15)))
    _add_illness_visits(person, visits, start, last)
    if surgery is not None and start < surgery[0] <= last:
        visits.append(Visit(surgery[0], "surgery", (surgery[1],)))
    visits.sort(key=lambda visit: visit.day)
    return visits


def _add_illness_visits(person: Person, visits: list[Visit], start: date, last: date) -> None:
    rng = person.rng
    frail = person.age_on(last) >= 65 or any(k in person.chronic for k in EXACERBATIONS)
    year_start = start
    while year_start < last:
        span = min(365, (last - year_start).days)
        for _ in range(rng.choices((0, 1, 2), (55, 35, 10))[0]):
            day = year_start + timedelta(days=rng.randrange(max(span, 1)))
            remote = day >= TELEHEALTH_FROM and rng.random() < 0.15
            visits.append(Visit(day, "telehealth" if remote else "acute", (_illness(person, day),)))
        if rng.random() < (0.12 if frail else 0.05):
            day = year_start + timedelta(days=rng.randrange(max(span, 1)))
            flares = [k for k in _diagnosed_by(person, day) if k in EXACERBATIONS]
            cause = rng.choice(flares) if flares and rng.random() < 0.5 else _illness(person, day)
            visits.append(Visit(day, "emergency", (cause,)))
        if rng.random() < (0.04 if frail else 0.01):
            day = year_start + timedelta(days=rng.randrange(max(span - 7, 1)))
            flares = [k for k in _diagnosed_by(person, day) if k in EXACERBATIONS]
            visits.append(Visit(day, "inpatient", (rng.choice(flares) if flares else "pneumonia",)))
        year_start += timedelta(days=365)

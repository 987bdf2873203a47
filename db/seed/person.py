"""One synthetic person: demographics, chronic conditions, history span and care team."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from db.seed import care, people
from db.seed.catalog import CHRONIC
from db.seed.rows import Batch, Ids

# The records end here: a fixed date keeps the same seed producing the same rows on any day.
RECORDS_END = date(2026, 10, 1)


@dataclass(frozen=True)
class Profile:
    """How much history a person has and how closely they are followed."""

    min_years: float
    max_years: float
    visit_scale: float = 1.0
    labs_every_visit: bool = False


BULK = Profile(0.5, 4.5)
MODERATE = Profile(6.0, 6.0, visit_scale=1.3)
LONG = Profile(15.0, 15.0, visit_scale=1.6, labs_every_visit=True)


@dataclass(frozen=True)
class Clinician:
    """A clinician of the shared pool; a care team row is written per patient who sees them."""

    name: str
    npi: str
    clinic: people.Clinic
    phone: str


@dataclass
class Person:
    """Everything the generators need to know about one patient while writing their rows."""

    id: int
    rng: random.Random
    given: str
    family: str
    sex: str
    birth: date
    history_start: date
    profile: Profile
    chronic: dict[str, date]  # condition key -> date it was diagnosed (within the history)
    onset: dict[str, date]
    smoking: str
    height_cm: float
    bmi: float
    pcp_id: int = 0
    clinic: people.Clinic = people.CLINICS[0]
    team: dict[str, int] = field(default_factory=dict)  # specialty -> care team member id
    team_since: dict[str, date] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    lab_means: dict[str, float] = field(default_factory=dict)
    caregiver: str | None = None  # the parent who acts for a minor, if known

    def age_on(self, day: date) -> int:
        """Age in whole years on a day."""
        years = day.year - self.birth.year
        return years - ((day.month, day.day) < (self.birth.month, self.birth.day))

    @property
    def full_name(self) -> str:
        """Given and family name."""
        return f"{self.given} {self.family}"


def at(day: date, hour: int, minute: int) -> datetime:
    """A UTC timestamp on a day."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def years_before(day: date, years: float) -> date:
    """The day a number of years (of 365.25 days) earlier."""
    return day - timedelta(days=round(years * 365.25))


def _prevalence(key: str, age: int, sex: str, smoker: bool, has: dict[str, date]) -> float:
    """Rough chance that a person of this age and sex has the chronic condition."""
    older = age >= 40
    chances = {
        "hypertension": (0.30 + 0.005 * (age - 40)) if older else (0.06 if age >= 18 else 0.0),
        "hyperlipidemia": 0.30 if older else (0.05 if age >= 25 else 0.0),
        "diabetes": 0.14 if older else (0.03 if age >= 18 else 0.0),
        "prediabetes": 0.0 if "diabetes" in has else (0.15 if age >= 30 else 0.0),
        "obesity": 0.30 if age >= 18 else 0.15,
        "asthma": 0.08,
        "copd": (0.25 if smoker else 0.05) if age >= 50 else 0.0,
        "depression": 0.08,
        "anxiety": 0.09,
        "hypothyroidism": (0.09 if sex == "F" else 0.02) if age >= 30 else 0.0,
        "afib": 0.09 if age >= 65 else (0.02 if age >= 50 else 0.0),
        "heart_failure": 0.06 if age >= 65 else 0.0,
        "cad": (0.11 if sex == "M" else 0.07) if age >= 55 else 0.0,
        "ckd": 0.10 if age >= 60 else 0.0,
        "osteoarthritis": 0.15 if age >= 50 else 0.0,
        "hip_osteoarthritis": 0.05 if age >= 60 else 0.0,
        "back_pain": 0.08 if age >= 25 else 0.0,
        "osteoporosis": 0.15 if sex == "F" and age >= 60 else 0.0,
        "allergic_rhinitis": 0.12,
        "migraine": (0.10 if sex == "F" else 0.03) if age < 60 else 0.0,
        "anemia": 0.04 if sex == "F" else 0.01,
        "gout": 0.04 if sex == "M" and older else 0.0,
        "sleep_apnea": (0.15 if "obesity" in has else 0.04) if older else 0.0,
        "atopic_dermatitis": 0.06 if age < 25 else 0.0,
    }
    return chances[key]


MILD_CONDITIONS = ("allergic_rhinitis", "back_pain", "migraine", "anxiety", "obesity")


def draw_conditions(
    rng: random.Random, *, birth: date, sex: str, smoker: bool, history_start: date
) -> tuple[dict[str, date], dict[str, date]]:
    """Chronic conditions with onset and diagnosis dates; everyone has at least one problem."""
    age = (RECORDS_END - birth).days // 365
    onset: dict[str, date] = {}
    for key in CHRONIC:
        if rng.random() < _prevalence(key, age, sex, smoker, onset):
            onset_age = rng.uniform(max(8.0, age * 0.45), age - 0.1)
            onset[key] = min(birth + timedelta(days=round(onset_age * 365.25)), RECORDS_END)
    if not onset:
        key = rng.choice(MILD_CONDITIONS if age >= 25 else MILD_CONDITIONS[:1])
        onset[key] = years_before(RECORDS_END, rng.uniform(0.2, min(age - 8.0, 10.0)))
    last_day = RECORDS_END - timedelta(days=20)
    diagnosed = {key: min(max(day, history_start), last_day) for key, day in onset.items()}
    return onset, diagnosed


def build_clinicians(seed: int) -> dict[str, list[Clinician]]:
    """The pool of clinicians patients are cared for by, the same for every run of a seed."""
    rng = random.Random(f"chartshare-clinicians:{seed}")
    pool: dict[str, list[Clinician]] = {}
    roles = {"pcp": 40, "nurse": 30, "pharmacist": 6, **dict.fromkeys(care.SPECIALISTS, 8)}
    for role, count in roles.items():
        suffix = {"nurse": "RN", "pharmacist": "PharmD", "physical_therapy": "DPT",
                  "dietetics": "RD", "dentistry": "DDS"}.get(role, "MD")  # fmt: skip
        members = []
        for _ in range(count):
            first = rng.choice(people.FEMALE_NAMES + people.MALE_NAMES)
            clinic = rng.choice(people.CLINICS)
            phone = f"({clinic.area_code}) 555-01{rng.randrange(100):02d}"
            name = f"{first} {rng.choice(people.FAMILY_NAMES)}, {suffix}"
            members.append(Clinician(name, make_npi(rng), clinic, phone))
        pool[role] = members
    return pool


def make_npi(rng: random.Random) -> str:
    """A 10-digit NPI with a valid Luhn check digit (computed with the 80840 prefix)."""
    body = "1" + "".join(str(rng.randrange(10)) for _ in range(8))
    total = 0
    for position, char in enumerate(reversed("80840" + body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str((10 - total % 10) % 10)


def write_care_team(
    person: Person, batch: Batch, ids: Ids, pool: dict[str, list[Clinician]]
) -> None:
    """Primary care, a nurse, the specialists of the person's conditions, a parent for a minor."""
    rng = person.rng
    rows = batch.rows["care_team_member"]

    def add(clinician: Clinician, role: care.Role, since: date) -> int:
        member_id = ids.take("care_team_member")
        rows.append(
            (
                member_id,
                person.id,
                clinician.name,
                role.system,
                role.code,
                role.display,
                clinician.npi,
                clinician.clinic.name,
                clinician.phone,
                "active",
                since,
                None,
            )
        )
        person.names[member_id] = clinician.name
        return member_id  # fmt: skip

    pcp = rng.choice(pool["pcp"])
    person.clinic = pcp.clinic
    person.pcp_id = add(pcp, care.PRIMARY_CARE, person.history_start)
    if rng.random() < 0.6:
        role = care.NURSE if rng.random() < 0.6 else care.NURSE_PRACTITIONER
        add(rng.choice(pool["nurse"]), role, person.history_start)
    for key, day in sorted(person.chronic.items(), key=lambda item: item[1]):
        specialty = care.SPECIALTY_OF.get(key)
        if specialty and specialty not in person.team and rng.random() < 0.7:
            member = add(rng.choice(pool[specialty]), care.SPECIALISTS[specialty], day)
            person.team[specialty] = member
            person.team_since[specialty] = day
    if len(person.chronic) >= 4 and rng.random() < 0.3:
        add(rng.choice(pool["pharmacist"]), care.PHARMACIST, person.history_start)
    if person.age_on(RECORDS_END) < 18:
        parent = person.caregiver or f"{rng.choice(people.FEMALE_NAMES)} {person.family}"
        phone = f"({person.clinic.area_code}) 555-01{rng.randrange(100):02d}"
        member_id = ids.take("care_team_member")
        rows.append((member_id, person.id, parent, care.CAREGIVER.system,
                     care.CAREGIVER.code, care.CAREGIVER.display, None, None, phone, "active",
                     person.birth, None))  # fmt: skip

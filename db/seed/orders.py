"""Orders and assessments made at a visit: prescriptions, procedures, referrals, scores, plans."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from db.code_systems import RXNORM, SNOMED
from db.seed.care import (
    DEVICES,
    REFERRAL_FOR_DENTAL_CARE,
    REFERRAL_TO_CARDIOLOGY,
    REFERRAL_TO_SPECIALIST,
    SPECIALTY_OF,
)
from db.seed.catalog import (
    ACUTE_MEDICINES,
    CHRONIC,
    CHRONIC_MEDICINES,
    PROCEDURES,
    Medicine,
)
from db.seed.person import RECORDS_END, Person
from db.seed.rows import Batch, Ids
from db.seed.schedule import AtVisit, Visit

ACTIVE_WITHIN = timedelta(days=400)  # a chronic prescription renewed this recently is current
VIRAL = frozenset({"sinusitis"})  # antibiotics are often (wrongly) given anyway


@dataclass
class Chart:
    """What the visits of one person wrote so far, for rules that span visits."""

    medicines: dict[str, Medicine] = field(default_factory=dict)
    first_visit: tuple[int, datetime] = (0, datetime.min)
    encounters: list[tuple[int, datetime]] = field(default_factory=list)
    medication_count: int = 0
    referral_count: int = 0


def write_procedure(
    person: Person, batch: Batch, ids: Ids, key: str, when: datetime, encounter: int
) -> None:
    """A completed procedure performed at an encounter."""
    system, code, display, body_site = PROCEDURES[key]
    batch.rows["procedure"].append((ids.take("procedure"), person.id, system, code, display,
                                    "completed", when, body_site, encounter))  # fmt: skip


def write_prescription(
    person: Person,
    chart: Chart,
    batch: Batch,
    ids: Ids,
    medicine: Medicine,
    *,
    when: datetime,
    status: str,
    refills: int,
    prescriber: int,
    encounter: int | None,
) -> None:
    """A medication request (RxNorm) by a care team member."""
    batch.rows["medication_request"].append((
        ids.take("medication_request"), person.id, RXNORM, medicine.rxcui, medicine.display,
        status, "order", when, medicine.dosage, medicine.route, refills, prescriber, encounter,
    ))  # fmt: skip
    chart.medication_count += 1


def _screenings(person: Person, visit: Visit, chronic: list[str]) -> list[str]:
    rng, kind, age = person.rng, visit.kind, person.age_on(visit.day)
    chosen: list[str] = []
    if kind == "wellness":
        if age >= 12 and rng.random() < 0.7:
            chosen.append("depression_screening")
        if person.chronic and rng.random() < 0.5:
            chosen.append("med_reconciliation")
        if 45 <= age <= 75 and rng.random() < 0.08:
            chosen.append("colonoscopy")
        if person.sex == "F" and 40 <= age <= 74 and rng.random() < 0.5:
            chosen.append("mammography")
        if person.sex == "F" and age >= 65 and rng.random() < 0.15:
            chosen.append("bone_density")
    elif kind == "followup":
        if "diabetes" in chronic and rng.random() < 0.25:
            chosen.append("retinal_exam")
        if ("copd" in chronic or "asthma" in chronic) and rng.random() < 0.2:
            chosen.append("spirometry")
        if ("heart_failure" in chronic or "afib" in chronic) and rng.random() < 0.15:
            chosen.append("echocardiography")
    elif kind in ("emergency", "inpatient"):
        cause = visit.focus[0]
        if cause in ("pneumonia", "covid", "copd", "heart_failure", "bronchitis"):
            chosen.append("chest_xray")
        if cause in ("afib", "heart_failure") or age >= 50 or kind == "inpatient":
            chosen.append("ecg")
    elif kind == "surgery":
        chosen.append(DEVICES[visit.focus[0]].procedure)
    return chosen


def write_orders(written: AtVisit, chart: Chart, provider: int, acute: str | None) -> None:
    """Prescriptions, procedures and referrals of one visit."""
    person, batch, ids, visit, start, encounter = written
    rng, kind = person.rng, visit.kind
    chronic = [k for k in visit.focus if k in CHRONIC]
    when = start + timedelta(minutes=30)
    for key in _screenings(person, visit, chronic):
        write_procedure(person, batch, ids, key, when, encounter)
    current = RECORDS_END - visit.day <= ACTIVE_WITHIN
    renew: list[str] = []
    if visit.diagnosis:
        renew = chronic
    elif kind == "wellness":
        renew = [k for k, day in person.chronic.items() if day <= visit.day]
    elif kind in ("followup", "telehealth") and rng.random() < 0.25:
        renew = chronic
    for key in renew:
        for medicine in _medicines_for(person, chart, key):
            write_prescription(person, chart, batch, ids, medicine, when=when,
                               status="active" if current else "completed",
                               refills=rng.choice((3, 5, 11)), prescriber=provider,
                               encounter=encounter)  # fmt: skip
    if acute in ACUTE_MEDICINES and rng.random() < (0.4 if acute in VIRAL else 0.8):
        recent = RECORDS_END - visit.day < timedelta(days=10)
        write_prescription(person, chart, batch, ids, ACUTE_MEDICINES[acute], when=when,
                           status="active" if recent else "completed", refills=0,
                           prescriber=provider, encounter=encounter)  # fmt: skip
    if visit.diagnosis:
        for key in chronic:
            specialty = SPECIALTY_OF.get(key)
            if specialty in person.team and person.team_since[specialty] == visit.day:
                write_referral(person, chart, batch, ids, key, specialty, when, encounter)
    elif kind == "wellness" and person.age_on(visit.day) >= 12 and rng.random() < 0.12:
        write_referral(person, chart, batch, ids, None, "dentistry", when, encounter)


def _medicines_for(person: Person, chart: Chart, key: str) -> list[Medicine]:
    options = CHRONIC_MEDICINES.get(key)
    if not options:
        return []
    chosen = chart.medicines.get(key)
    if chosen is None:
        chosen = chart.medicines[key] = person.rng.choice(options)
    extra = [m for m in options if m is not chosen] if key == "asthma" else []
    return [chosen, *extra]


def write_referral(
    person: Person,
    chart: Chart,
    batch: Batch,
    ids: Ids,
    condition: str | None,
    specialty: str,
    when: datetime,
    encounter: int,
) -> None:
    """A referral (ServiceRequest) from primary care, with the condition it is for."""
    code, display = REFERRAL_TO_SPECIALIST
    if specialty == "cardiology":
        code, display = REFERRAL_TO_CARDIOLOGY
    elif specialty == "dentistry":
        code, display = REFERRAL_FOR_DENTAL_CARE
    member = person.team.get(specialty)
    referred_to = (
        person.names[member] if member else f"{specialty.replace('_', ' ').title()} clinic"
    )
    reason = CHRONIC[condition] if condition else None
    status = "completed" if RECORDS_END - when.date() > timedelta(days=90) else "active"
    batch.rows["referral"].append((
        ids.take("referral"), person.id, SNOMED, code, display, status, when,
        SNOMED if reason else None, reason.snomed if reason else None,
        reason.display if reason else None,
        f"Please evaluate and advise on {reason.display.lower()}." if reason
        else "Routine dental examination and cleaning.",
        referred_to, person.pcp_id, encounter,
    ))  # fmt: skip
    chart.referral_count += 1

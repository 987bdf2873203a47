"""Everything written at a visit: the encounter, vitals, labs, diagnoses, orders and notes."""

from datetime import timedelta

from db.code_systems import LOINC, SNOMED
from db.seed.assessments import write_assessments, write_care_plan
from db.seed.care import SPECIALTY_OF
from db.seed.catalog import ACUTE, CHRONIC, VISITS
from db.seed.orders import Chart, write_orders, write_procedure
from db.seed.people import CLINICS
from db.seed.person import RECORDS_END, Person, at
from db.seed.rows import Batch, Ids
from db.seed.schedule import AtVisit, Visit
from db.seed.terminology import PANELS
from db.seed.values import lab_reading, vital_readings

HOSPITALS = tuple(c for c in CLINICS if "Hospital" in c.name or "Medical Center" in c.name)
DURATION_MINUTES = {"new": 45, "wellness": 40, "followup": 25, "acute": 20, "telehealth": 20}
BACTERIAL = frozenset({"strep", "otitis", "cystitis", "pneumonia"})
DEVICE_REASON = {"pacemaker": "afib", "defibrillator": "heart_failure", "stent": "cad",
                 "hip": "hip_osteoarthritis"}  # fmt: skip
CARDIAC_DEVICES = frozenset({"pacemaker", "defibrillator", "stent"})


def _visit_type(person: Person, visit: Visit) -> str:
    if visit.kind != "wellness":
        return visit.kind
    age = person.age_on(visit.day)
    if age < 18:
        return "wellness_teen"
    return "wellness_young" if age < 40 else "wellness_middle" if age < 65 else "wellness_senior"


def _provider(person: Person, visit: Visit) -> int:
    specialties = [person_specialty(person, key, visit) for key in visit.focus]
    for specialty in specialties:
        if specialty is not None and person.rng.random() < 0.6:
            return person.team[specialty]
    return person.pcp_id


def person_specialty(person: Person, key: str, visit: Visit) -> str | None:
    """The specialist on the person's team who cares for a condition on the visit's day."""
    specialty = "cardiology" if key in CARDIAC_DEVICES else SPECIALTY_OF.get(key)
    if key == "hip":
        specialty = "orthopedics"
    if specialty in person.team and person.team_since[specialty] <= visit.day:
        return specialty
    return None


def write_visits(person: Person, visits: list[Visit], batch: Batch, ids: Ids) -> Chart:
    """Write every visit of a person and return the chart for the patient-level rows."""
    chart = Chart()
    for visit in visits:
        _write_visit(person, chart, visit, batch, ids)
    return chart


def _write_visit(person: Person, chart: Chart, visit: Visit, batch: Batch, ids: Ids) -> None:
    rng, rows, pid, kind = person.rng, batch.rows, person.id, visit.kind
    chronic = [k for k in visit.focus if k in CHRONIC]
    acute = next((k for k in visit.focus if k in ACUTE), None)
    start = at(visit.day, rng.randint(13, 21), rng.choice((0, 15, 30, 45)))
    if kind == "inpatient":
        end = start + timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 8))
    elif kind in ("emergency", "surgery"):
        end = start + timedelta(minutes=rng.randint(150, 420))
    else:
        end = start + timedelta(minutes=DURATION_MINUTES[kind])
    site = rng.choice(HOSPITALS) if kind in ("emergency", "inpatient", "surgery") else person.clinic
    location = f"Emergency Department, {site.name}" if kind == "emergency" else site.name
    encounter = ids.take("encounter")
    provider = _provider(person, visit)
    system, code, display, klass = VISITS[_visit_type(person, visit)]
    ongoing = end.date() >= RECORDS_END  # a stay that runs past the end of the records
    rows["encounter"].append((encounter, pid, system, code, display, klass,
                              "in-progress" if ongoing else "finished", start,
                              None if ongoing else end, location, provider))  # fmt: skip
    if kind == "new":
        chart.first_visit = (encounter, start)
    chart.encounters.append((encounter, start))

    if kind != "telehealth":
        full = kind in ("new", "wellness", "emergency", "inpatient")
        when = start + timedelta(minutes=5)
        vitals = rows["vital_sign"]
        for measure, value, low, high, flag in vital_readings(
            person, visit.day, full=full, acute=acute
        ):
            vitals.append((ids.take("vital_sign"), pid, LOINC, measure.code, measure.display,
                           "final", when, value, measure.unit, None, None, None, None, low, high,
                           flag, encounter))  # fmt: skip
    panels = _lab_panels(person, visit, chronic, acute)
    if panels:
        when = start + timedelta(minutes=20)
        labs = rows["lab_result"]
        for panel in panels:
            for key in PANELS[panel]:
                measure, value, low, high, flag = lab_reading(person, key, visit.day)
                labs.append((ids.take("lab_result"), pid, LOINC, measure.code, measure.display,
                             "final", when, value, measure.unit, None, None, None, None, low,
                             high, flag, encounter))  # fmt: skip
        write_procedure(person, batch, ids, "venipuncture", when, encounter)
    written = AtVisit(person, batch, ids, visit, start, encounter)
    _diagnoses(written, chronic, acute)
    write_orders(written, chart, provider, acute)
    write_assessments(written)
    if (
        kind == "new"
        or (kind == "wellness" and rng.random() < 0.35)
        or (chronic and kind == "followup" and rng.random() < 0.5)
    ):
        plan = chronic[0] if chronic else "general"
        write_care_plan(written, plan)
    elif acute in BACTERIAL and rng.random() < 0.5:
        write_care_plan(written, "infection")


def _lab_panels(person: Person, visit: Visit, chronic: list[str], acute: str | None) -> list[str]:
    rng, kind, every = person.rng, visit.kind, person.profile.labs_every_visit
    adult = person.age_on(visit.day) >= 18
    if kind in ("new", "wellness"):
        if kind == "wellness" and not every and rng.random() > 0.6:
            return []
        panels = ["bmp", "cbc", "lipid"] if adult else ["cbc"]
        has = person.chronic
        if "diabetes" in has or "prediabetes" in has:
            panels.append("a1c")
        if "diabetes" in has and rng.random() < 0.5:
            panels.append("uacr")
        if "hypothyroidism" in has:
            panels.append("tsh")
        return panels
    if kind == "followup":
        if not every and rng.random() > 0.7:
            return []
        wanted = {"diabetes": "a1c", "ckd": "bmp", "hyperlipidemia": "lipid", "anemia": "cbc",
                  "hypothyroidism": "tsh", "gout": "urate", "afib": "inr",
                  "heart_failure": "bmp"}  # fmt: skip
        panels = list(dict.fromkeys(wanted[k] for k in chronic if k in wanted))
        if ("diabetes" in chronic or "hypertension" in chronic) and rng.random() < 0.3:
            panels.append("bmp")
        return list(dict.fromkeys(panels))
    if kind == "inpatient" or (kind == "emergency" and rng.random() < 0.6):
        return ["bmp", "cbc"]
    if kind == "acute" and acute in BACTERIAL and rng.random() < 0.2:
        return ["cbc"]
    return []


def _diagnoses(written: AtVisit, chronic: list[str], acute: str | None) -> None:
    person, batch, ids, visit, start, encounter = written
    rows = batch.rows["encounter_diagnosis"]
    reasons = list(chronic)
    if visit.kind == "surgery" and DEVICE_REASON.get(visit.focus[0]) in person.chronic:
        reasons.append(DEVICE_REASON[visit.focus[0]])
    for key in reasons[:3]:
        c = CHRONIC[key]
        rows.append((ids.take("encounter_diagnosis"), person.id, SNOMED, c.snomed, c.display,
                     c.icd10, c.icd10_display, "active", "confirmed", person.onset[key], None,
                     start, encounter))  # fmt: skip
    if acute is not None:
        c = ACUTE[acute]
        onset = visit.day - timedelta(days=person.rng.randint(1, 4))
        healed = visit.day + timedelta(days=person.rng.randint(7, 21))
        done = healed < RECORDS_END
        rows.append((ids.take("encounter_diagnosis"), person.id, SNOMED, c.snomed, c.display,
                     c.icd10, c.icd10_display, "resolved" if done else "active", "confirmed",
                     onset, healed if done else None, start, encounter))  # fmt: skip

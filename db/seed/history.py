"""Patient-level rows: problems, health concerns, goals, allergies and the implanted device."""

from datetime import date, timedelta

from db.code_systems import SNOMED
from db.seed.care import ALLERGENS, DEVICES, GOALS, REACTIONS
from db.seed.catalog import ACUTE_MEDICINES, CHRONIC, HEALTH_CONCERNS
from db.seed.orders import Chart, write_prescription, write_referral
from db.seed.person import RECORDS_END, Person, at
from db.seed.rows import Batch, Ids

EASING = frozenset({"back_pain", "anemia", "migraine", "atopic_dermatitis", "allergic_rhinitis"})
TEEN_CONCERNS = (HEALTH_CONCERNS[0], HEALTH_CONCERNS[2], HEALTH_CONCERNS[3], HEALTH_CONCERNS[4])


def plan_device(person: Person) -> tuple[str, date]:
    """The device a person has implanted and when (everyone in the demo has one)."""
    rng, has = person.rng, person.chronic
    age = person.age_on(RECORDS_END)
    last = RECORDS_END - timedelta(days=30)

    def between(earliest: date) -> date:
        return earliest + timedelta(days=rng.randrange(max((last - earliest).days, 1)))

    for condition, device in (("afib", "pacemaker"), ("heart_failure", "defibrillator"),
                              ("cad", "stent"), ("hip_osteoarthritis", "hip")):  # fmt: skip
        if condition in has and has[condition] + timedelta(days=30) < last:
            return device, between(has[condition] + timedelta(days=30))
    if age < 18:
        return "cochlear", person.birth + timedelta(days=rng.randint(700, 2200))
    # Young adults: past the growth of the jaw (dental) or of age for contraception (IUD).
    adult = person.birth + timedelta(days=17 * 366)
    if person.sex == "F" and age <= 45:
        return "iud", between(max(adult, RECORDS_END - timedelta(days=1800)))
    settled = person.birth + timedelta(days=25 * 366)
    return "dental", between(settled if settled < last - timedelta(days=30) else adult)


def _gtin(body: str) -> str:
    """Append the GS1 mod-10 check digit to 13 digits."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def write_device(person: Person, batch: Batch, ids: Ids, device: str, implanted: date) -> None:
    """The implanted device with a GS1 UDI carrier (device identifier, dates, lot, serial)."""
    rng = person.rng
    kind = DEVICES[device]
    gtin = _gtin(f"008{int(kind.code) % 100000:05d}{rng.randrange(100000):05d}")
    made = implanted - timedelta(days=rng.randint(30, 400))
    expires = made.replace(year=made.year + kind.shelf_life_years, day=min(made.day, 28))
    lot = f"{rng.randrange(10**6):06d}{rng.choice('ABCDEFGH')}"
    serial = f"{kind.model_prefix}{rng.randrange(10**8):08d}"
    carrier = f"(01){gtin}(11){made:%y%m%d}(17){expires:%y%m%d}(10){lot}(21){serial}"
    batch.rows["implantable_device"].append((
        ids.take("implantable_device"), person.id, SNOMED, kind.code, kind.display, "active",
        carrier, gtin, kind.manufacturer, f"{kind.model_prefix}-{rng.randint(100, 999)}", serial,
        lot, made, expires, implanted,
    ))  # fmt: skip


def write_history(person: Person, chart: Chart, batch: Batch, ids: Ids) -> None:
    """Problems, concerns, goals and allergies; fill in a referral or prescription if none."""
    rng, pid = person.rng, person.id
    problems = batch.rows["problem"]
    for key, day in person.chronic.items():
        c = CHRONIC[key]
        eased = key in EASING and rng.random() < 0.25 and day < RECORDS_END - timedelta(days=200)
        ended = day + timedelta(days=rng.randint(90, 180)) if eased else None
        problems.append((ids.take("problem"), pid, SNOMED, c.snomed, c.display, c.icd10,
                         c.icd10_display, "resolved" if eased else "active", "confirmed",
                         person.onset[key], ended, at(day, 23, rng.randrange(60))))  # fmt: skip
    adult = person.age_on(RECORDS_END) >= 18
    options = HEALTH_CONCERNS if adult else TEEN_CONCERNS
    for concern in rng.sample(options, rng.choice((1, 1, 2))):
        _, when = rng.choice(chart.encounters)
        onset = when.date() - timedelta(days=rng.randint(14, 200))
        resolved = rng.random() < 0.3 and when.date() < RECORDS_END - timedelta(days=120)
        batch.rows["health_concern"].append((
            ids.take("health_concern"), pid, SNOMED, concern.snomed, concern.display,
            concern.icd10, concern.icd10_display, "resolved" if resolved else "active",
            "confirmed", max(onset, person.birth), when.date() + timedelta(days=90)
            if resolved else None, when,
        ))  # fmt: skip
    _goals(person, batch, ids)
    _allergies(person, chart, batch, ids)
    first_encounter, first_time = chart.first_visit
    if chart.referral_count == 0:
        write_referral(person, chart, batch, ids, None, "dentistry", first_time, first_encounter)
    if chart.medication_count == 0:
        write_prescription(person, chart, batch, ids, ACUTE_MEDICINES["covid"], when=first_time,
                           status="completed", refills=0, prescriber=person.pcp_id,
                           encounter=first_encounter)  # fmt: skip


def _goals(person: Person, batch: Batch, ids: Ids) -> None:
    rng = person.rng
    keys = [k for k in person.chronic if k in GOALS] or ["healthy_weight"]
    for key in keys:
        goal = GOALS[key]
        start = person.chronic.get(key, person.history_start)
        target = start + timedelta(days=rng.randint(180, 365))
        if target < RECORDS_END:
            achievement = rng.choice(("achieved", "improving", "not-achieved", "sustaining"))
        else:
            achievement = "in-progress"
        lifecycle = "completed" if achievement == "achieved" else "active"
        expressed_by = person.full_name if rng.random() < 0.4 else person.names[person.pcp_id]
        batch.rows["goal"].append((
            ids.take("goal"), person.id, goal.system, goal.code, goal.display, goal.description,
            lifecycle, achievement, start, target, expressed_by,
        ))  # fmt: skip


def _allergies(person: Person, chart: Chart, batch: Batch, ids: Ids) -> None:
    rng = person.rng
    count = rng.choices((1, 2, 3), (60, 30, 10))[0]
    for allergen in rng.sample(ALLERGENS, count):
        reaction_key = rng.choice(allergen.reactions)
        reaction_code, reaction_display = REACTIONS[reaction_key]
        severe = reaction_key == "anaphylaxis"
        _, recorded = rng.choice(chart.encounters)
        onset_limit = max((recorded.date() - person.birth).days - 1, 1)
        onset = person.birth + timedelta(days=rng.randint(min(365, onset_limit), onset_limit))
        batch.rows["allergy_intolerance"].append((
            ids.take("allergy_intolerance"), person.id, allergen.system, allergen.code,
            allergen.display, "active" if rng.random() < 0.92 else "inactive",
            "confirmed" if rng.random() < 0.85 else "unconfirmed", allergen.category,
            "high" if severe else rng.choice(("low", "low", "unable-to-assess")),
            reaction_code, reaction_display,
            "severe" if severe else rng.choice(("mild", "moderate")), onset, recorded,
        ))  # fmt: skip

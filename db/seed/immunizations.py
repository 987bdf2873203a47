"""Vaccines a person received (CVX), following the US schedule for their age and the calendar."""

from datetime import date, timedelta

from db.code_systems import CVX
from db.seed.catalog import VACCINES
from db.seed.person import RECORDS_END, Person, at
from db.seed.rows import Batch, Ids

QUADRIVALENT_YEARS = range(2013, 2024)  # seasons when most flu shots were quadrivalent
COVID_START = date(2021, 1, 15)
ZOSTER_START = date(2018, 2, 1)

# Childhood and adolescent doses: (vaccine, age in days).
CHILDHOOD = (
    ("hepb_peds", 1), ("hepb_peds", 45), ("dtap", 61), ("ipv", 61), ("dtap", 122), ("ipv", 122),
    ("dtap", 183), ("hepb_peds", 200), ("ipv", 200), ("mmr", 380), ("varicella", 380),
    ("hepa_peds", 380), ("dtap", 480), ("hepa_peds", 560), ("dtap", 1700), ("ipv", 1700),
    ("mmr", 1700), ("varicella", 1700), ("tdap", 4100), ("mcv4", 4100), ("hpv9", 4100),
    ("hpv9", 4300),
)  # fmt: skip


def _doses(person: Person) -> list[tuple[str, date]]:
    rng = person.rng
    doses: list[tuple[str, date]] = []
    start, end = person.history_start, RECORDS_END - timedelta(days=3)
    if person.birth.year >= 2000:
        doses += [(v, person.birth + timedelta(days=d + rng.randint(0, 20))) for v, d in CHILDHOOD]
    season = max(start.year, person.birth.year + 1)
    elderly = person.age_on(end) >= 65
    while season <= end.year:
        day = date(season, 9, 20) + timedelta(days=rng.randrange(70))
        if start <= day <= end and rng.random() < (0.7 if elderly else 0.5):
            kind = "flu_quadrivalent" if season in QUADRIVALENT_YEARS else "flu_trivalent"
            doses.append((kind, day))
        season += 1
    adult_in_2021 = person.age_on(COVID_START) >= 16
    if adult_in_2021 and rng.random() < 0.7:
        kind = rng.choice(("covid_pfizer", "covid_moderna"))
        first = COVID_START + timedelta(days=rng.randrange(150))
        doses += [(kind, first), (kind, first + timedelta(days=28))]
        if rng.random() < 0.5:
            doses.append((kind, first + timedelta(days=rng.randint(200, 300))))
    if person.age_on(end) >= 19 and rng.random() < 0.4:
        doses.append(
            (
                rng.choice(("td", "tdap")),
                start + timedelta(days=rng.randrange(max((end - start).days, 1))),
            )
        )
    if person.age_on(end) >= 50 and end > ZOSTER_START and rng.random() < 0.4:
        first = max(start, ZOSTER_START) + timedelta(days=rng.randrange(300))
        doses += [("zoster", first), ("zoster", first + timedelta(days=rng.randint(60, 180)))]
    if elderly and rng.random() < 0.6:
        day = start + timedelta(days=rng.randrange(max((end - start).days, 1)))
        doses.append(("pcv13", day))
        doses.append(("ppsv23", day + timedelta(days=rng.randint(365, 420))))
    return [(v, d) for v, d in doses if person.birth < d <= end] or [
        ("flu_trivalent", end - timedelta(days=30))
    ]  # fmt: skip


def write_immunizations(person: Person, batch: Batch, ids: Ids) -> None:
    """One row per dose given (or, rarely, refused) with lot, site and who gave it."""
    rng = person.rng
    rows = batch.rows["immunization"]
    vaccinator = person.names[person.pcp_id]
    for vaccine, day in sorted(_doses(person), key=lambda dose: dose[1]):
        code, display = VACCINES[vaccine]
        refused = vaccine.startswith("flu") and rng.random() < 0.03
        infant = (day - person.birth).days < 1000
        site = "Left thigh" if infant else rng.choice(("Left deltoid", "Right deltoid"))
        recorded_here = day >= person.history_start
        lot = f"{rng.choice('EFKLPUW')}{rng.choice('ABCDHJKLMNPRTW')}{rng.randrange(10000):04d}"
        rows.append((
            ids.take("immunization"), person.id, CVX, code, display,
            "not-done" if refused else "completed", at(day, rng.randint(13, 22), rng.randrange(60)),
            None if refused else lot, None if refused else site,
            vaccinator if recorded_here else None, recorded_here,
        ))  # fmt: skip

"""Generate every row of one patient, or of a chunk of patients, as plain tuples."""

from datetime import date

from db.seed import people
from db.seed.history import plan_device, write_device, write_history
from db.seed.immunizations import write_immunizations
from db.seed.patient import new_person
from db.seed.person import BULK, LONG, MODERATE, Clinician, Person, Profile, write_care_team
from db.seed.rows import Batch, Ids
from db.seed.schedule import plan_visits
from db.seed.visits import write_visits

SURGICAL_DEVICES = frozenset({"pacemaker", "defibrillator", "stent", "hip", "iud"})
CHILD = Profile(3.0, 3.0)

# The fixed demo patients, in the order their ids are handed out.
DEMO_PATIENTS: tuple[tuple[people.DemoPerson, Profile], ...] = (
    (people.ALICE, LONG),
    (people.ALICE_CHILD, CHILD),
    (people.BOB, MODERATE),
)


def generate_patient(
    *,
    seed: int,
    batch: Batch,
    ids: Ids,
    pool: dict[str, list[Clinician]],
    demo: people.DemoPerson | None = None,
    profile: Profile = BULK,
    caregiver: str | None = None,
) -> Person:
    """Write one patient and their whole record into the batch."""
    person = new_person(
        patient_id=ids.take("patient"), seed=seed, batch=batch, demo=demo, profile=profile
    )
    person.caregiver = caregiver
    write_care_team(person, batch, ids, pool)
    device, implanted = plan_device(person)
    surgery: tuple[date, str] | None = (implanted, device) if device in SURGICAL_DEVICES else None
    chart = write_visits(person, plan_visits(person, surgery), batch, ids)
    write_history(person, chart, batch, ids)
    write_device(person, batch, ids, device, implanted)
    write_immunizations(person, batch, ids)
    return person


def generate_demo_patients(
    *, seed: int, batch: Batch, ids: Ids, pool: dict[str, list[Clinician]]
) -> list[Person]:
    """Alice (long history), her child and Bob, in that order."""
    alice_name = f"{people.ALICE.given} {people.ALICE.family}"
    persons = []
    for demo, profile in DEMO_PATIENTS:
        caregiver = alice_name if demo is people.ALICE_CHILD else None
        persons.append(
            generate_patient(
                seed=seed,
                batch=batch,
                ids=ids,
                pool=pool,
                demo=demo,
                profile=profile,
                caregiver=caregiver,
            )
        )
    return persons

"""Builders for clinical records: one row of any category, or a whole record for a patient.

Every text value carries a marker "<category>#<tag>" so tests can tell, from a response
alone, which category (and whose record) a value came from.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from db.observations import ConditionBase, ObservationBase
from db.patients import Patient
from sharing.scopes import BY_KEY, CategoryKey

K = CategoryKey
Row = TypeVar("Row", bound=SQLModel)
BASE_TIME = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def marker(key: CategoryKey, tag: str) -> str:
    return f"{key.value}#{tag}"


def _observation(key: CategoryKey, tag: str, n: int) -> dict[str, Any]:
    return {
        "code_system": "http://loinc.org",
        "code": f"{1000 + n}-1",
        "status": "final",
        "effective_at": BASE_TIME - timedelta(days=n),
        "value_quantity": 4.5 + n,
        "value_unit": "mmol/L",
        "reference_low": 3.5,
        "reference_high": 5.5,
        "interpretation": "N",
        "value_text": marker(key, tag),
    }


def _condition(key: CategoryKey, tag: str, n: int) -> dict[str, Any]:
    return {
        "code_system": "http://snomed.info/sct",
        "code": f"{38341003 + n}",
        "icd10_code": "I10",
        "icd10_display": marker(key, tag),
        "clinical_status": "active" if n % 2 == 0 else "resolved",
        "verification_status": "confirmed",
        "onset_date": date(2020, 1, 1) + timedelta(days=n),
        "recorded_at": BASE_TIME - timedelta(days=n),
    }


def defaults(key: CategoryKey, tag: str, n: int) -> dict[str, Any]:
    """Valid column values of one row of a category."""
    when = BASE_TIME - timedelta(days=n)
    coded = {
        "code_system": "http://snomed.info/sct",
        "code": f"{100 + n}",
        "code_display": marker(key, tag),
    }
    text = marker(key, tag)
    model = BY_KEY[key].model
    if issubclass(model, ObservationBase):
        return {**_observation(key, tag, n), "code_display": text}
    if issubclass(model, ConditionBase):
        return {**_condition(key, tag, n), "code_display": text}
    by_key: dict[CategoryKey, dict[str, Any]] = {
        K.CARE_TEAM: {
            "name": text, "role_system": "http://nucc.org/provider-taxonomy",
            "role_code": "207Q00000X", "role_display": "Family Medicine", "status": "active",
            "period_start": when.date(),
        },
        K.ALLERGIES: {
            **coded, "clinical_status": "active", "verification_status": "confirmed",
            "category": "medication", "reaction_code": "271807003", "reaction_display": text,
            "reaction_severity": "mild", "recorded_at": when,
        },
        K.ASSESSMENT_AND_PLAN: {
            **coded, "status": "active", "assessment": text, "plan": text, "authored_at": when,
        },
        K.ENCOUNTERS: {
            **coded, "class_code": "AMB", "status": "finished", "start_at": when, "location": text,
        },
        K.GOALS: {
            **coded, "description": text, "lifecycle_status": "active", "start_date": when.date(),
        },
        K.IMMUNIZATIONS: {
            **coded, "code_system": "http://hl7.org/fhir/sid/cvx", "status": "completed",
            "occurred_at": when, "performer": text,
        },
        K.MEDICAL_EQUIPMENT: {
            **coded, "status": "active", "udi_carrier": text, "udi_device_identifier": f"0{n}",
            "implanted_on": when.date(),
        },
        K.MEDICATIONS: {
            **coded, "code_system": "http://www.nlm.nih.gov/research/umls/rxnorm",
            "status": "active" if n % 2 == 0 else "stopped", "intent": "order",
            "authored_at": when, "dosage_text": text,
        },
        K.PROCEDURES: {**coded, "status": "completed", "performed_at": when, "body_site": text},
        K.REFERRALS: {**coded, "status": "active", "authored_at": when, "reason_text": text},
    }  # fmt: skip
    return by_key[key]


async def make_record(
    session: AsyncSession,
    key: CategoryKey,
    patient: Patient,
    *,
    tag: str = "x",
    n: int = 0,
    **overrides: Any,
) -> Any:
    """One row of a category for the patient."""
    model = BY_KEY[key].model
    values = {**defaults(key, tag, n), "patient_id": patient.id, **overrides}
    row = model.model_validate(values)
    session.add(row)
    await session.flush()
    return row


@dataclass
class SeededRecord:
    """What `seed_record` wrote: ids per category."""

    patient: Patient
    ids: dict[CategoryKey, list[int]] = field(default_factory=dict)


LINKED_TO_ENCOUNTER = (K.ASSESSMENT_AND_PLAN, K.LAB_RESULTS, K.VITAL_SIGNS, K.SMOKING_STATUS,
                       K.FUNCTIONAL_STATUS, K.MENTAL_STATUS, K.MEDICATIONS, K.PROCEDURES,
                       K.REFERRALS)  # fmt: skip


async def seed_record(
    session: AsyncSession, patient: Patient, *, per_category: int = 2, tag: str = "mine"
) -> SeededRecord:
    """Rows of every category, with encounters, diagnoses and clinicians linked."""
    seeded = SeededRecord(patient=patient)
    clinicians = [
        await make_record(session, K.CARE_TEAM, patient, tag=f"{tag}-{i}", n=i)
        for i in range(per_category)
    ]
    seeded.ids[K.CARE_TEAM] = [c.id for c in clinicians]
    encounters = [
        await make_record(
            session, K.ENCOUNTERS, patient, tag=f"{tag}-{i}", n=i, provider_id=clinicians[0].id
        )
        for i in range(per_category)
    ]
    seeded.ids[K.ENCOUNTERS] = [e.id for e in encounters]
    for key in BY_KEY:
        if key in (K.DEMOGRAPHICS, K.CARE_TEAM, K.ENCOUNTERS):
            continue
        extra: dict[str, Any] = {}
        if key in LINKED_TO_ENCOUNTER or key == K.ENCOUNTER_DIAGNOSES:
            extra["encounter_id"] = encounters[0].id
        if key == K.MEDICATIONS:
            extra["prescriber_id"] = clinicians[0].id
        if key == K.REFERRALS:
            extra["requester_id"] = clinicians[0].id
        rows = [
            await make_record(session, key, patient, tag=f"{tag}-{i}", n=i, **extra)
            for i in range(per_category)
        ]
        seeded.ids[key] = [r.id for r in rows]
    seeded.ids[K.DEMOGRAPHICS] = [patient.id or 0]
    return seeded

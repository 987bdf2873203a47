"""Export one patient's record as a FHIR R4 collection Bundle, the format a patient takes elsewhere.

Only the categories passed in are exported. The Patient resource is always present (every
other resource points at it) but carries demographics only when DEMOGRAPHICS is passed.
Links to a clinician or a visit appear only when the care team or the encounters are
exported too, so no category leaks through another one's references.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import SQLModel

from db import clinical
from db.columns import utcnow
from db.patients import Patient
from sharing.categories import REGISTRY, Category, CategoryKey
from sharing.fhir import observations as fhir_observations
from sharing.fhir import records as fhir_records
from sharing.fhir.codes import (
    BCP47,
    CARE_TEAM_MEMBER,
    CDC_RACE_ETHNICITY,
    NULL_FLAVOR,
    US_CORE,
    References,
    coding,
    day,
    instant,
    prune,
    terminology,
)

Resource = dict[str, Any]
GENDERS = {"F": "female", "M": "male", "UNK": "unknown"}
# OMB minimum categories in the CDC Race & Ethnicity code system.
OMB_RACES = frozenset({"1002-5", "2028-9", "2054-5", "2076-8", "2106-3"})
OMB_ETHNICITIES = frozenset({"2135-2", "2186-5"})
NULL_FLAVORS = frozenset({"UNK", "ASKU"})

_Convert = Callable[[Any, Category, References], Resource]
# One converter per FHIR resource type of the registry; the Patient and the CareTeam
# (a team resource plus one Practitioner per member) are built below.
CONVERTERS: dict[str, _Convert] = {
    "AllergyIntolerance": lambda row, _, refs: fhir_records.allergy(row, refs),
    "CarePlan": lambda row, _, refs: fhir_records.care_plan(row, refs),
    "Encounter": lambda row, _, refs: fhir_records.encounter(row, refs),
    "Goal": lambda row, _, refs: fhir_records.goal(row, refs),
    "Immunization": lambda row, _, refs: fhir_records.immunization(row, refs),
    "Device": lambda row, _, refs: fhir_records.device(row, refs),
    "MedicationRequest": lambda row, _, refs: fhir_records.medication_request(row, refs),
    "Procedure": lambda row, _, refs: fhir_records.procedure(row, refs),
    "ServiceRequest": lambda row, _, refs: fhir_records.referral(row, refs),
    "Observation": fhir_observations.observation,
    "Condition": fhir_observations.condition,
}


class ForeignRowError(ValueError):
    """Raised when a row passed for export belongs to another patient or another category."""


def _omb_extension(
    url: str, code: str | None, display: str | None, omb_codes: frozenset[str]
) -> Resource | None:
    if not code:
        return None
    if code in NULL_FLAVORS:
        parts = [{"url": "ombCategory", "valueCoding": coding(NULL_FLAVOR, code, display)}]
    else:
        slice_name = "ombCategory" if code in omb_codes else "detailed"
        parts = [{"url": slice_name, "valueCoding": coding(CDC_RACE_ETHNICITY, code, display)}]
    parts.append({"url": "text", "valueString": display or code})
    return {"url": US_CORE + url, "extension": parts}


def patient_resource(patient: Patient, *, base_url: str, demographics: bool) -> Resource:
    """The US Core Patient; without demographics it is only the anchor others refer to."""
    resource: Resource = {
        "resourceType": "Patient",
        "meta": {"profile": [US_CORE + "us-core-patient"]},
    }
    if not demographics:
        return resource
    extensions = [
        _omb_extension("us-core-race", patient.race_code, patient.race_display, OMB_RACES),
        _omb_extension(
            "us-core-ethnicity",
            patient.ethnicity_code,
            patient.ethnicity_display,
            OMB_ETHNICITIES,
        ),
        {"url": US_CORE + "us-core-birthsex", "valueCode": patient.sex},
    ]
    given = [name for name in (patient.given_name, patient.middle_name) if name]
    name = prune(
        {
            "use": "official",
            "family": patient.family_name,
            "given": given,
            "suffix": [patient.name_suffix] if patient.name_suffix else None,
        }
    )
    language = None
    if patient.preferred_language:
        language = [
            {"language": {"coding": [coding(BCP47, patient.preferred_language)]}, "preferred": True}
        ]
    mrn = {
        "use": "usual",
        "type": terminology("v2-0203", "MR", "Medical record number"),
        "system": f"{base_url}/fhir/sid/mrn",
        "value": patient.medical_record_number,
    }
    return resource | prune(
        {
            "extension": [e for e in extensions if e],
            "identifier": [mrn],
            "name": [name],
            "gender": GENDERS.get(patient.sex, "unknown"),
            "birthDate": day(patient.birth_date),
            "communication": language,
        }
    )


def _check_rows(patient: Patient, rows: Mapping[CategoryKey, Sequence[SQLModel]]) -> None:
    for key, category_rows in rows.items():
        model = REGISTRY.by_key[key].model
        for row in category_rows:
            if not isinstance(row, model):
                raise ForeignRowError(f"a {type(row).__name__} is not a {key.value} row")
            owner = row.id if isinstance(row, Patient) else getattr(row, "patient_id", None)
            if owner != patient.id:
                raise ForeignRowError(f"a {key.value} row belongs to another patient")


def _entry(refs: References, kind: str, row_id: int | None, resource: Resource) -> Resource:
    url = refs.full_url(kind, row_id)
    head = {"resourceType": resource["resourceType"], "id": url.removeprefix("urn:uuid:")}
    return {"fullUrl": url, "resource": head | resource}


def _category_entries(
    key: CategoryKey, category_rows: Sequence[Any], refs: References, patient_id: int | None
) -> list[Resource]:
    category = REGISTRY.by_key[key]
    if category.is_patient or not category_rows:
        return []
    if category.resource_type == "CareTeam":
        members: list[clinical.CareTeamMember] = list(category_rows)
        practitioners = [
            _entry(refs, CARE_TEAM_MEMBER, m.id, fhir_records.practitioner(m, refs))
            for m in members
        ]
        team = fhir_records.care_team(members, refs)
        return [_entry(refs, "care_team", patient_id, team), *practitioners]
    convert = CONVERTERS[category.resource_type]
    return [
        _entry(refs, category.table, row.id, convert(row, category, refs)) for row in category_rows
    ]


def row_resource(key: CategoryKey, row: Any, refs: References) -> Resource:
    """The FHIR resource of one row of a category other than demographics and the care team."""
    category = REGISTRY.by_key[key]
    return CONVERTERS[category.resource_type](row, category, refs)


def build_bundle(
    *,
    patient: Patient,
    rows: Mapping[CategoryKey, Sequence[SQLModel]],
    base_url: str,
    now: datetime | None = None,
) -> Resource:
    """A FHIR R4 collection Bundle of one patient's rows, one resource per row."""
    _check_rows(patient, rows)
    refs = References(base_url=base_url.rstrip("/"))
    refs.patient_url = refs.full_url("patient", patient.id)
    # Register every row first so resources can point at ones listed later.
    for key, category_rows in rows.items():
        category = REGISTRY.by_key[key]
        for row in category_rows:
            if not category.is_patient:
                refs.full_url(category.table, getattr(row, "id", None))
    demographics = any(REGISTRY.by_key[key].is_patient for key in rows)
    anchor = patient_resource(patient, base_url=refs.base_url, demographics=demographics)
    entries = [_entry(refs, "patient", patient.id, anchor)]
    for key, category_rows in rows.items():
        entries += _category_entries(key, category_rows, refs, patient.id)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": instant(now or utcnow()),
        "entry": entries,
    }

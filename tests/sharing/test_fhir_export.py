"""The FHIR R4 export: valid resources for every category, canonical codes, closed references."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.patients import Patient
from sharing.fhir.bundle import ForeignRowError, build_bundle
from sharing.fhir.codes import system_uri
from sharing.scopes import BY_KEY, CategoryKey
from tests.builders.fhir_rows import make_every_category
from tests.builders.people import make_patient

K = CategoryKey
BASE_URL = "https://chartshare.example"


async def _stored_record(session: AsyncSession) -> tuple[Patient, dict[CategoryKey, list[Any]]]:
    """Every category's rows for one patient, as read back from the database."""
    patient = await make_patient(session, race_code="2106-3", race_display="White")
    other = await make_patient(session)
    await make_every_category(session, other)
    await make_every_category(session, patient)
    await session.commit()
    session.expunge_all()
    loaded = await session.get(Patient, patient.id)
    assert loaded is not None
    rows: dict[CategoryKey, list[Any]] = {K.DEMOGRAPHICS: [loaded]}
    for key, category in BY_KEY.items():
        if key is K.DEMOGRAPHICS:
            continue
        model: Any = category.model
        statement = select(model).where(col(model.patient_id) == loaded.id).order_by(model.id)
        rows[key] = list((await session.exec(statement)).all())
    return loaded, rows


def _resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference":
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _systems(concept: dict[str, Any]) -> set[str]:
    return {c["system"] for c in concept["coding"]}


async def test_every_category_becomes_valid_fhir_r4(session: AsyncSession) -> None:
    patient, rows = await _stored_record(session)
    bundle = build_bundle(patient=patient, rows=rows, base_url=BASE_URL)
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    assert bundle["type"] == "collection"
    assert bundle["timestamp"].endswith("Z")
    counts = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert counts == {
        "Patient": 1, "Practitioner": 1, "CareTeam": 1, "Encounter": 1,
        "AllergyIntolerance": 1, "CarePlan": 1, "Observation": 6, "Goal": 1, "Condition": 3,
        "Immunization": 1, "Device": 1, "MedicationRequest": 1, "Procedure": 1,
        "ServiceRequest": 1,
    }  # fmt: skip
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])


async def test_the_patient_follows_us_core(session: AsyncSession) -> None:
    patient, rows = await _stored_record(session)
    bundle = build_bundle(patient=patient, rows=rows, base_url=BASE_URL)
    [resource] = _resources(bundle, "Patient")
    assert resource["name"] == [
        {"use": "official", "family": patient.family_name, "given": [patient.given_name]}
    ]
    assert resource["gender"] == "female"
    assert resource["birthDate"] == "1980-01-01"
    extensions = {e["url"].rsplit("/", 1)[1]: e for e in resource["extension"]}
    race = {part["url"]: part for part in extensions["us-core-race"]["extension"]}
    assert race["ombCategory"]["valueCoding"] == {
        "system": "urn:oid:2.16.840.1.113883.6.238", "code": "2106-3", "display": "White",
    }  # fmt: skip
    assert race["text"]["valueString"] == "White"
    ethnicity = {part["url"]: part for part in extensions["us-core-ethnicity"]["extension"]}
    assert ethnicity["ombCategory"]["valueCoding"]["code"] == "2186-5"
    assert extensions["us-core-birthsex"]["valueCode"] == "F"
    [language] = resource["communication"]
    assert language["language"]["coding"] == [{"system": "urn:ietf:bcp:47", "code": "en"}]
    assert resource["identifier"][0]["value"] == patient.medical_record_number


async def test_codes_use_canonical_systems_and_units(session: AsyncSession) -> None:
    patient, rows = await _stored_record(session)
    bundle = build_bundle(patient=patient, rows=rows, base_url=BASE_URL)
    labs = [
        o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "4548-4"
    ]
    [a1c] = labs
    assert _systems(a1c["code"]) == {"http://loinc.org"}
    assert a1c["valueQuantity"] == {
        "value": 7.2, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%",
    }  # fmt: skip
    assert a1c["referenceRange"][0]["low"]["value"] == 4.0
    assert a1c["interpretation"][0]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
        "code": "H",
        "display": "High",
    }
    [problem, *_] = _resources(bundle, "Condition")
    assert _systems(problem["code"]) == {
        "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm",
    }  # fmt: skip
    [medication] = _resources(bundle, "MedicationRequest")
    assert _systems(medication["medicationCodeableConcept"]) == {
        "http://www.nlm.nih.gov/research/umls/rxnorm"
    }
    [immunization] = _resources(bundle, "Immunization")
    assert _systems(immunization["vaccineCode"]) == {"http://hl7.org/fhir/sid/cvx"}
    [procedure] = _resources(bundle, "Procedure")
    assert _systems(procedure["code"]) == {"http://www.ama-assn.org/go/cpt"}
    [encounter] = _resources(bundle, "Encounter")
    assert encounter["class"]["system"] == "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    [device] = _resources(bundle, "Device")
    assert device["udiCarrier"][0]["deviceIdentifier"] == "00643169007222"
    [plan] = _resources(bundle, "CarePlan")
    assert plan["category"][0]["coding"][0]["code"] == "assess-plan"
    assert "&lt;140/90&gt;" in plan["text"]["div"]


async def test_observations_and_conditions_carry_their_registry_category(
    session: AsyncSession,
) -> None:
    patient, rows = await _stored_record(session)
    categorised = [key for key, category in BY_KEY.items() if category.category_code]
    assert len(categorised) == 8
    for key in categorised:
        bundle = build_bundle(patient=patient, rows={key: rows[key]}, base_url=BASE_URL)
        resource_type = BY_KEY[key].resource_type
        resources = _resources(bundle, resource_type)
        assert len(resources) == len(rows[key]) > 0
        for resource in resources:
            assert resource["category"][0]["coding"][0] == {
                "system": BY_KEY[key].category_system,
                "code": BY_KEY[key].category_code,
            }


async def test_every_reference_resolves_inside_the_bundle(session: AsyncSession) -> None:
    patient, rows = await _stored_record(session)
    bundle = build_bundle(patient=patient, rows=rows, base_url=BASE_URL)
    urls = {e["fullUrl"]: e["resource"]["resourceType"] for e in bundle["entry"]}
    references = list(_references(bundle["entry"]))
    assert references and all(ref in urls for ref in references)
    [medication] = _resources(bundle, "MedicationRequest")
    assert urls[medication["requester"]["reference"]] == "Practitioner"
    assert urls[medication["encounter"]["reference"]] == "Encounter"
    assert urls[medication["subject"]["reference"]] == "Patient"
    [team] = _resources(bundle, "CareTeam")
    assert urls[team["participant"][0]["member"]["reference"]] == "Practitioner"
    [encounter] = _resources(bundle, "Encounter")
    assert urls[encounter["participant"][0]["individual"]["reference"]] == "Practitioner"


async def test_only_the_chosen_categories_are_exported(session: AsyncSession) -> None:
    patient, rows = await _stored_record(session)
    chosen = {K.LAB_RESULTS: rows[K.LAB_RESULTS], K.MEDICATIONS: rows[K.MEDICATIONS]}
    bundle = build_bundle(patient=patient, rows=chosen, base_url=BASE_URL)
    Bundle.model_validate(bundle)
    counts = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert counts == {"Patient": 1, "Observation": 2, "MedicationRequest": 1}
    [anchor] = _resources(bundle, "Patient")
    assert set(anchor) == {"resourceType", "id", "meta"}, "no demographics without the category"
    [medication] = _resources(bundle, "MedicationRequest")
    assert "requester" not in medication and "encounter" not in medication
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert all(ref in urls for ref in _references(bundle["entry"]))


async def test_a_row_of_another_patient_is_refused(session: AsyncSession) -> None:
    patient, rows = await _stored_record(session)
    stranger = await make_patient(session)
    strangers_rows = await make_every_category(session, stranger)
    mixed = {K.LAB_RESULTS: [*rows[K.LAB_RESULTS], strangers_rows[K.LAB_RESULTS][0]]}
    with pytest.raises(ForeignRowError, match="another patient"):
        build_bundle(patient=patient, rows=mixed, base_url=BASE_URL)
    with pytest.raises(ForeignRowError, match="another patient"):
        build_bundle(patient=patient, rows={K.DEMOGRAPHICS: [stranger]}, base_url=BASE_URL)


async def test_a_row_filed_under_the_wrong_category_is_refused(session: AsyncSession) -> None:
    patient, rows = await _stored_record(session)
    misfiled: dict[CategoryKey, list[SQLModel]] = {K.VITAL_SIGNS: rows[K.LAB_RESULTS]}
    with pytest.raises(ForeignRowError, match="not a vital_signs row"):
        build_bundle(patient=patient, rows=misfiled, base_url=BASE_URL)


async def test_unknown_sex_and_detailed_race_codes(session: AsyncSession) -> None:
    patient = await make_patient(
        session, sex="UNK", race_code="2108-9", race_display="European", ethnicity_code="ASKU",
        ethnicity_display="Asked but no answer", name_suffix="Jr.", middle_name="Q",
    )  # fmt: skip
    bundle = build_bundle(patient=patient, rows={K.DEMOGRAPHICS: [patient]}, base_url=BASE_URL)
    [resource] = _resources(bundle, "Patient")
    get_fhir_model_class("Patient").model_validate(resource)
    assert resource["gender"] == "unknown"
    assert resource["name"][0]["given"] == [patient.given_name, "Q"]
    assert resource["name"][0]["suffix"] == ["Jr."]
    extensions = {e["url"].rsplit("/", 1)[1]: e.get("extension") for e in resource["extension"]}
    assert extensions["us-core-race"][0]["url"] == "detailed"
    assert extensions["us-core-ethnicity"][0]["valueCoding"]["system"] == (
        "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
    )


@pytest.mark.parametrize(
    ("stored", "canonical"),
    [
        ("LOINC", "http://loinc.org"),
        ("https://loinc.org/", "http://loinc.org"),
        ("SNOMED CT", "http://snomed.info/sct"),
        ("urn:oid:2.16.840.1.113883.6.96", "http://snomed.info/sct"),
        ("RxNorm", "http://www.nlm.nih.gov/research/umls/rxnorm"),
        ("ICD-10-CM", "http://hl7.org/fhir/sid/icd-10-cm"),
        ("CPT", "http://www.ama-assn.org/go/cpt"),
        ("CVX", "http://hl7.org/fhir/sid/cvx"),
        ("http://example.org/local-codes", "http://example.org/local-codes"),
    ],
)
def test_code_systems_are_normalised(stored: str, canonical: str) -> None:
    assert system_uri(stored) == canonical

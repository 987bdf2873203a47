"""FHIR search: every parameter the CapabilityStatement lists, alone and combined."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from api.settings import Settings
from db.clinical import CareTeamMember
from sharing.fhir.ids import row_resource_id
from sharing.scopes import CategoryKey
from tests.builders.fhir_api import FHIRSetup, entries, fhir_get, ids, setup_fhir

K = CategoryKey
NPI = "1234567893"
Expect = Callable[[FHIRSetup], list[str]]


def rows(key: CategoryKey, *which: int) -> Expect:
    """The FHIR ids of the seeded rows of a category (0: newest, 1: a day older)."""
    return lambda s: [row_resource_id(key, s.record.ids[key][n]) for n in which]


def each(keys: tuple[CategoryKey, ...], *which: int) -> Expect:
    return lambda s: [i for key in keys for i in rows(key, *which)(s)]


def patient(s: FHIRSetup) -> list[str]:
    return [str(s.patient.id)]


def nothing(s: FHIRSetup) -> list[str]:
    return []


OBSERVATIONS = (K.LAB_RESULTS, K.VITAL_SIGNS, K.SMOKING_STATUS, K.FUNCTIONAL_STATUS,
                K.MENTAL_STATUS)  # fmt: skip
CONDITIONS = (K.PROBLEMS, K.HEALTH_CONCERNS, K.ENCOUNTER_DIAGNOSES)
US_CORE_CONDITION = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"

# (resource type, parameter under test, query, expected ids). Values with "{...}" are
# filled in from the seeded record.
CASES: list[tuple[str, str, dict[str, str], Expect]] = [
    ("Patient", "_id", {"_id": "{patient}"}, patient),
    ("Patient", "_id", {"_id": "999999"}, nothing),
    ("Patient", "identifier", {"identifier": "{mrn}"}, patient),
    ("Patient", "identifier", {"identifier": "http://testserver/fhir/sid/mrn|{mrn}"}, patient),
    ("Patient", "identifier", {"identifier": "http://other.example|{mrn}"}, nothing),
    ("Patient", "name", {"name": "given"}, patient),
    ("Patient", "name", {"name": "nobody"}, nothing),
    ("Patient", "birthdate", {"birthdate": "1980-01-01"}, patient),
    ("Patient", "birthdate", {"birthdate": "lt1980"}, nothing),
    ("Patient", "birthdate", {"birthdate": "ge1980-01"}, patient),
    ("Patient", "gender", {"gender": "female"}, patient),
    ("Patient", "gender", {"gender": "male"}, nothing),
    ("AllergyIntolerance", "patient", {"patient": "{patient}"}, rows(K.ALLERGIES, 0, 1)),
    ("AllergyIntolerance", "patient", {"patient": "Patient/{patient}"}, rows(K.ALLERGIES, 0, 1)),
    ("AllergyIntolerance", "clinical-status", {"clinical-status": "active"},
     rows(K.ALLERGIES, 0, 1)),
    ("AllergyIntolerance", "clinical-status", {"clinical-status": "inactive"}, nothing),
    ("AllergyIntolerance", "_id", {"_id": "{ALLERGIES-0}"}, rows(K.ALLERGIES, 0)),
    ("CarePlan", "category", {"category": "assess-plan"}, rows(K.ASSESSMENT_AND_PLAN, 0, 1)),
    ("CarePlan", "category",
     {"category": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category|assess-plan"},
     rows(K.ASSESSMENT_AND_PLAN, 0, 1)),
    ("CarePlan", "category", {"category": "other"}, nothing),
    ("CarePlan", "status", {"status": "active"}, rows(K.ASSESSMENT_AND_PLAN, 0, 1)),
    ("CarePlan", "status", {"status": "completed"}, nothing),
    ("CarePlan", "patient", {"patient": "{patient}", "category": "assess-plan"},
     rows(K.ASSESSMENT_AND_PLAN, 0, 1)),
    ("CarePlan", "_id", {"_id": "{ASSESSMENT_AND_PLAN-1}"}, rows(K.ASSESSMENT_AND_PLAN, 1)),
    ("CareTeam", "patient", {"patient": "{patient}"}, patient),
    ("CareTeam", "status", {"status": "active"}, patient),
    ("CareTeam", "status", {"status": "inactive"}, nothing),
    ("CareTeam", "_id", {"_id": "{patient}"}, patient),
    ("CareTeam", "_id", {"_id": "999999"}, nothing),
    ("Condition", "category", {"category": "problem-list-item"}, rows(K.PROBLEMS, 0, 1)),
    ("Condition", "category", {"category": "encounter-diagnosis"},
     rows(K.ENCOUNTER_DIAGNOSES, 0, 1)),
    ("Condition", "category", {"category": f"{US_CORE_CONDITION}|health-concern"},
     rows(K.HEALTH_CONCERNS, 0, 1)),
    ("Condition", "category", {"category": f"{US_CORE_CONDITION}|problem-list-item"}, nothing),
    ("Condition", "code", {"code": "http://snomed.info/sct|38341003"}, each(CONDITIONS, 0)),
    ("Condition", "code", {"code": "http://hl7.org/fhir/sid/icd-10-cm|I10"},
     each(CONDITIONS, 0, 1)),
    ("Condition", "code", {"code": "38341004"}, each(CONDITIONS, 1)),
    ("Condition", "clinical-status", {"clinical-status": "resolved"}, each(CONDITIONS, 1)),
    ("Condition", "recorded-date", {"recorded-date": "ge2024-06-01"}, each(CONDITIONS, 0)),
    ("Condition", "recorded-date", {"recorded-date": "lt2024-06-01"}, each(CONDITIONS, 1)),
    ("Condition", "patient", {"patient": "{patient}", "category": "problem-list-item",
                              "clinical-status": "active"}, rows(K.PROBLEMS, 0)),
    ("Condition", "_id", {"_id": "{PROBLEMS-0},{HEALTH_CONCERNS-1}"},
     lambda s: rows(K.PROBLEMS, 0)(s) + rows(K.HEALTH_CONCERNS, 1)(s)),
    ("Device", "patient", {"patient": "{patient}"}, rows(K.MEDICAL_EQUIPMENT, 0, 1)),
    ("Device", "status", {"status": "active"}, rows(K.MEDICAL_EQUIPMENT, 0, 1)),
    ("Device", "status", {"status": "inactive"}, nothing),
    ("Device", "_id", {"_id": "{MEDICAL_EQUIPMENT-0}"}, rows(K.MEDICAL_EQUIPMENT, 0)),
    ("Encounter", "date", {"date": "2024-06-01"}, rows(K.ENCOUNTERS, 0)),
    ("Encounter", "date", {"date": "2024-05"}, rows(K.ENCOUNTERS, 1)),
    ("Encounter", "status", {"status": "finished"}, rows(K.ENCOUNTERS, 0, 1)),
    ("Encounter", "status", {"status": "planned"}, nothing),
    ("Encounter", "patient", {"patient": "{patient}", "date": "ge2024"}, rows(K.ENCOUNTERS, 0, 1)),
    ("Encounter", "_id", {"_id": "{ENCOUNTERS-1}"}, rows(K.ENCOUNTERS, 1)),
    ("Goal", "lifecycle-status", {"lifecycle-status": "active"}, rows(K.GOALS, 0, 1)),
    ("Goal", "lifecycle-status", {"lifecycle-status": "completed"}, nothing),
    ("Goal", "patient", {"patient": "{patient}"}, rows(K.GOALS, 0, 1)),
    ("Goal", "_id", {"_id": "{GOALS-0}"}, rows(K.GOALS, 0)),
    ("Immunization", "status", {"status": "completed"}, rows(K.IMMUNIZATIONS, 0, 1)),
    ("Immunization", "date", {"date": "eq2024-05-31"}, rows(K.IMMUNIZATIONS, 1)),
    ("Immunization", "date", {"date": "ne2024-05-31"}, rows(K.IMMUNIZATIONS, 0)),
    ("Immunization", "patient", {"patient": "{patient}"}, rows(K.IMMUNIZATIONS, 0, 1)),
    ("Immunization", "_id", {"_id": "{IMMUNIZATIONS-1}"}, rows(K.IMMUNIZATIONS, 1)),
    ("MedicationRequest", "intent", {"intent": "order"}, rows(K.MEDICATIONS, 0, 1)),
    ("MedicationRequest", "intent", {"intent": "plan"}, nothing),
    ("MedicationRequest", "status", {"intent": "order", "status": "active"},
     rows(K.MEDICATIONS, 0)),
    ("MedicationRequest", "status", {"intent": "order", "status": "active,stopped"},
     rows(K.MEDICATIONS, 0, 1)),
    ("MedicationRequest", "authoredon", {"authoredon": "sa2024-05-31"}, rows(K.MEDICATIONS, 0)),
    ("MedicationRequest", "authoredon", {"authoredon": "eb2024-06-01"}, rows(K.MEDICATIONS, 1)),
    ("MedicationRequest", "patient", {"patient": "{patient}", "intent": "order"},
     rows(K.MEDICATIONS, 0, 1)),
    ("MedicationRequest", "_id", {"_id": "{MEDICATIONS-0}"}, rows(K.MEDICATIONS, 0)),
    ("Observation", "category", {"category": "laboratory"}, rows(K.LAB_RESULTS, 0, 1)),
    ("Observation", "category", {"category": "vital-signs"}, rows(K.VITAL_SIGNS, 0, 1)),
    ("Observation", "category", {"category": "social-history"}, rows(K.SMOKING_STATUS, 0, 1)),
    ("Observation", "category", {"category": "functional-status"},
     rows(K.FUNCTIONAL_STATUS, 0, 1)),
    ("Observation", "category",
     {"category": "http://hl7.org/fhir/us/core/CodeSystem/us-core-category|cognitive-status"},
     rows(K.MENTAL_STATUS, 0, 1)),
    ("Observation", "category", {"category": "laboratory,vital-signs"},
     each((K.LAB_RESULTS, K.VITAL_SIGNS), 0, 1)),
    ("Observation", "category", {"category": "imaging"}, nothing),
    ("Observation", "code", {"code": "http://loinc.org|1000-1"}, each(OBSERVATIONS, 0)),
    ("Observation", "code", {"code": "1001-1"}, each(OBSERVATIONS, 1)),
    ("Observation", "code", {"code": "http://snomed.info/sct|1000-1"}, nothing),
    ("Observation", "code", {"code": "|1000-1"}, nothing),
    ("Observation", "status", {"status": "final"}, each(OBSERVATIONS, 0, 1)),
    ("Observation", "status", {"status": "preliminary"}, nothing),
    ("Observation", "date", {"date": "le2024-05-31T09:00:00Z"}, each(OBSERVATIONS, 1)),
    ("Observation", "date", {"date": "gt2024-05-31T09:00:00Z"}, each(OBSERVATIONS, 0)),
    ("Observation", "date", {"date": "2024-06-01T05:00:00-04:00"}, each(OBSERVATIONS, 0)),
    ("Observation", "date", {"category": "laboratory", "date": "ge2024-06-01"},
     rows(K.LAB_RESULTS, 0)),
    ("Observation", "patient", {"patient": "{patient}", "category": "laboratory",
                                "code": "http://loinc.org|1001-1"}, rows(K.LAB_RESULTS, 1)),
    ("Observation", "_id", {"_id": "{LAB_RESULTS-0},{VITAL_SIGNS-1}"},
     lambda s: rows(K.LAB_RESULTS, 0)(s) + rows(K.VITAL_SIGNS, 1)(s)),
    ("Procedure", "code", {"code": "http://snomed.info/sct|100"}, rows(K.PROCEDURES, 0)),
    ("Procedure", "date", {"date": "2024-06-01"}, rows(K.PROCEDURES, 0)),
    ("Procedure", "status", {"status": "completed"}, rows(K.PROCEDURES, 0, 1)),
    ("Procedure", "patient", {"patient": "{patient}", "date": "ge2024-05-31"},
     rows(K.PROCEDURES, 0, 1)),
    ("Procedure", "_id", {"_id": "{PROCEDURES-1}"}, rows(K.PROCEDURES, 1)),
    ("ServiceRequest", "category", {"category": "http://snomed.info/sct|3457005"},
     rows(K.REFERRALS, 0, 1)),
    ("ServiceRequest", "category", {"category": "3457005"}, rows(K.REFERRALS, 0, 1)),
    ("ServiceRequest", "code", {"code": "101"}, rows(K.REFERRALS, 1)),
    ("ServiceRequest", "status", {"status": "active"}, rows(K.REFERRALS, 0, 1)),
    ("ServiceRequest", "authored", {"category": "3457005", "authored": "lt2024-06-01"},
     rows(K.REFERRALS, 1)),
    ("ServiceRequest", "patient", {"patient": "{patient}"}, rows(K.REFERRALS, 0, 1)),
    ("ServiceRequest", "_id", {"_id": "{REFERRALS-0}"}, rows(K.REFERRALS, 0)),
    ("Practitioner", "name", {"name": "care_team#mine-0"}, rows(K.CARE_TEAM, 0)),
    ("Practitioner", "name", {"name": "MINE"}, rows(K.CARE_TEAM, 0, 1)),
    ("Practitioner", "identifier", {"identifier": f"http://hl7.org/fhir/sid/us-npi|{NPI}"},
     rows(K.CARE_TEAM, 0)),
    ("Practitioner", "identifier", {"identifier": "0000000000"}, nothing),
    ("Practitioner", "_id", {"_id": "{CARE_TEAM-1}"}, rows(K.CARE_TEAM, 1)),
]  # fmt: skip


def _fill(value: str, s: FHIRSetup) -> str:
    names: dict[str, Any] = {"patient": s.patient.id, "mrn": s.patient.medical_record_number}
    for key, found in s.record.ids.items():
        for n, row_id in enumerate(found):
            if key is not K.DEMOGRAPHICS:
                names[f"{key.name}-{n}"] = row_resource_id(key, row_id)
    return value.format(**names)


@pytest.fixture
async def seeded(session: AsyncSession) -> FHIRSetup:
    setup = await setup_fhir(session, ["patient/*.rs", "launch/patient"])
    clinician = await session.get(CareTeamMember, setup.record.ids[K.CARE_TEAM][0])
    assert clinician is not None
    clinician.npi = NPI
    session.add(clinician)
    await session.commit()
    return setup


async def test_every_search_case(client: httpx.AsyncClient, seeded: FHIRSetup) -> None:
    for resource_type, _, query, expect in CASES:
        params = {name: _fill(value, seeded) for name, value in query.items()}
        response = await fhir_get(client, resource_type, seeded, **params)
        assert response.status_code == 200, (resource_type, params, response.text)
        assert response.headers["content-type"].startswith("application/fhir+json")
        bundle = response.json()
        found = ids(bundle)
        assert sorted(found) == sorted(expect(seeded)), (resource_type, params)
        assert bundle["total"] == len(found)
        assert all(r["resourceType"] == resource_type for r in entries(bundle))


async def test_every_advertised_parameter_has_a_case(client: httpx.AsyncClient) -> None:
    statement = (await client.get("/fhir/metadata")).json()
    advertised = {
        (resource["type"], param["name"])
        for resource in statement["rest"][0]["resource"]
        for param in resource["searchParam"]
    }
    tested = {(resource_type, name) for resource_type, name, _, _ in CASES}
    # RelatedPerson's parameters are tested with a representative's grant (test_fhir_access).
    tested |= {("RelatedPerson", "_id"), ("RelatedPerson", "patient")}
    assert advertised == tested


async def test_post_search_is_the_same_search(client: httpx.AsyncClient, seeded: FHIRSetup) -> None:
    query = {"category": "laboratory", "date": "ge2024-06-01"}
    by_get = await fhir_get(client, "Observation", seeded, **query)
    by_post = await client.post("/fhir/Observation/_search", data=query, headers=seeded.headers)
    assert by_post.status_code == 200, by_post.text
    assert ids(by_post.json()) == ids(by_get.json()) == rows(K.LAB_RESULTS, 0)(seeded)


async def test_results_are_newest_first_across_categories(
    client: httpx.AsyncClient, seeded: FHIRSetup
) -> None:
    bundle = (await fhir_get(client, "Observation", seeded)).json()
    moments = [r["effectiveDateTime"] for r in entries(bundle)]
    assert moments == sorted(moments, reverse=True)
    assert len(moments) == 10


async def test_count_pages_through_next_links(client: httpx.AsyncClient, seeded: FHIRSetup) -> None:
    seen: list[str] = []
    response = await fhir_get(client, "Observation", seeded, _count="3")
    pages = 0
    while True:
        bundle = response.json()
        assert bundle["total"] == 10
        page = ids(bundle)
        assert len(page) <= 3
        seen += page
        pages += 1
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        if not following:
            break
        response = await client.get(following[0], headers=seeded.headers)
        assert response.status_code == 200, response.text
    assert pages == 4
    assert sorted(seen) == sorted(each(OBSERVATIONS, 0, 1)(seeded))
    assert len(set(seen)) == 10


async def test_count_zero_gives_the_total_only(
    client: httpx.AsyncClient, seeded: FHIRSetup
) -> None:
    bundle = (await fhir_get(client, "Condition", seeded, _count="0")).json()
    assert bundle["total"] == 6
    assert entries(bundle) == []


async def test_count_is_capped_at_the_page_size(seeded: FHIRSetup, settings: Settings) -> None:
    app = create_app(replace(settings, max_page_size=4))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as small:
            bundle = (await fhir_get(small, "Observation", seeded, _count="1000")).json()
    finally:
        await app.state.engine.dispose()
    assert len(ids(bundle)) == 4
    assert bundle["total"] == 10
    following = next(link["url"] for link in bundle["link"] if link["relation"] == "next")
    assert "_count=4&" in following

"""Differential: for random grants, FHIR and GraphQL return the same records of every category.

Each example grants a random set of categories, then reads the whole record through
GraphQL (lists, and `node(id:)` for visit diagnoses when visits are not granted) and
through FHIR searches, and compares ids, codes, statuses, values and dates per category.
"""

import base64
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel.ext.asyncio.session import AsyncSession

from sharing.fhir.access import categories_served
from sharing.fhir.codes import system_uri
from sharing.fhir.ids import TYPE_NAMES
from sharing.fhir.search_parameters import PARAMETERS
from sharing.scopes import CATEGORIES, CategoryKey, scopes_for
from tests.builders.fhir_api import FHIRSetup, entries, setup_fhir
from tests.builders.graphql import grant_app, post_graphql

K = CategoryKey
Fact = tuple[Any, ...]
CODED = "id code { system code } "
OBSERVATION = CODED + "status effectiveAt valueQuantity { value }"
CONDITION = CODED + "clinicalStatus recordedAt"
FIELDS: dict[CategoryKey, tuple[str, str]] = {
    K.CARE_TEAM: ("careTeam", "id name periodStart"),
    K.ALLERGIES: ("allergies", CODED + "clinicalStatus recordedAt"),
    K.ASSESSMENT_AND_PLAN: ("assessmentAndPlan", "id status plan authoredAt"),
    K.ENCOUNTERS: ("encounters", CODED + "status startAt"),
    K.FUNCTIONAL_STATUS: ("functionalStatus", OBSERVATION),
    K.MENTAL_STATUS: ("mentalStatus", OBSERVATION),
    K.LAB_RESULTS: ("labResults", OBSERVATION),
    K.VITAL_SIGNS: ("vitalSigns", OBSERVATION),
    K.SMOKING_STATUS: ("smokingStatus", OBSERVATION),
    K.GOALS: ("goals", CODED + "lifecycleStatus startDate"),
    K.PROBLEMS: ("problems", CONDITION),
    K.HEALTH_CONCERNS: ("healthConcerns", CONDITION),
    K.IMMUNIZATIONS: ("immunizations", CODED + "status occurredAt"),
    K.MEDICAL_EQUIPMENT: ("medicalEquipment", CODED + "status udiCarrier"),
    K.MEDICATIONS: ("medications", CODED + "status authoredAt"),
    K.PROCEDURES: ("procedures", CODED + "status performedAt"),
    K.REFERRALS: ("referrals", CODED + "status authoredAt"),
}
OBSERVATIONS = {K.FUNCTIONAL_STATUS, K.MENTAL_STATUS, K.LAB_RESULTS, K.VITAL_SIGNS,
                K.SMOKING_STATUS}  # fmt: skip
CONDITIONS = {K.PROBLEMS, K.HEALTH_CONCERNS, K.ENCOUNTER_DIAGNOSES}


def _moment(value: str) -> datetime | date:
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


def _fhir_id(global_id: str) -> str:
    return base64.b64decode(global_id).decode().replace(":", "-", 1)


def _graphql_fact(key: CategoryKey, node: dict[str, Any]) -> Fact:
    head: Fact = (_fhir_id(node["id"]),)
    if "code" in node:
        head += (system_uri(node["code"]["system"]), node["code"]["code"])
    if key is K.CARE_TEAM:
        return (*head, node["name"], _moment(node["periodStart"]))
    if key is K.ASSESSMENT_AND_PLAN:
        return (*head, node["status"], node["plan"], _moment(node["authoredAt"]))
    if key in OBSERVATIONS:
        value = node["valueQuantity"]["value"] if node["valueQuantity"] else None
        return (*head, node["status"], _moment(node["effectiveAt"]), value)
    if key is K.MEDICAL_EQUIPMENT:
        return (*head, node["status"], node["udiCarrier"])
    status = node.get("clinicalStatus") or node.get("lifecycleStatus") or node.get("status")
    moment = next(node[f] for f in ("recordedAt", "startAt", "startDate", "occurredAt",
                                    "authoredAt", "performedAt") if f in node)  # fmt: skip
    return (*head, status, _moment(moment))


def _coding(concept: dict[str, Any]) -> tuple[str, str]:
    first = concept["coding"][0]
    return first["system"], first["code"]


def _fhir_fact(key: CategoryKey, resource: dict[str, Any], periods: dict[str, str]) -> Fact:
    head: Fact = (resource["id"],)
    if key is K.CARE_TEAM:
        return (*head, resource["name"][0]["text"], _moment(periods[resource["id"]]))
    if key is K.ASSESSMENT_AND_PLAN:
        return (*head, resource["status"], resource["description"], _moment(resource["created"]))
    code_field = {
        K.GOALS: "description",
        K.IMMUNIZATIONS: "vaccineCode",
        K.MEDICAL_EQUIPMENT: "type",
        K.MEDICATIONS: "medicationCodeableConcept",
    }
    concept = resource["type"][0] if key is K.ENCOUNTERS else resource[code_field.get(key, "code")]
    head += _coding(concept)
    if key in OBSERVATIONS:
        value = resource.get("valueQuantity", {}).get("value")
        return (*head, resource["status"], _moment(resource["effectiveDateTime"]), value)
    if key is K.MEDICAL_EQUIPMENT:
        return (*head, resource["status"], resource["udiCarrier"][0]["carrierHRF"])
    if key in CONDITIONS or key is K.ALLERGIES:
        status = resource["clinicalStatus"]["coding"][0]["code"]
        return (*head, status, _moment(resource["recordedDate"]))
    if key is K.GOALS:
        return (*head, resource["lifecycleStatus"], _moment(resource["startDate"]))
    if key is K.ENCOUNTERS:
        return (*head, resource["status"], _moment(resource["period"]["start"]))
    dated = ("occurrenceDateTime", "authoredOn", "performedDateTime")
    moment = next(resource[f] for f in dated if f in resource)
    return (*head, resource["status"], _moment(moment))


async def _graphql_record(
    client: httpx.AsyncClient, setup: FHIRSetup
) -> dict[CategoryKey, set[Fact]]:
    lists = " ".join(f"{field}(first: 100) {{ edges {{ node {{ {selection} }} }} }}"
                     for field, selection in FIELDS.values())  # fmt: skip
    diagnoses = f"encounters(first: 100) {{ edges {{ node {{ diagnoses {{ {CONDITION} }} }} }} }}"
    query = "{ patient { id birthDate sex name { family } " + lists + " } }"
    data = (await post_graphql(client, query, token=setup.access.token)).json()["data"]
    patient = data["patient"]
    facts: dict[CategoryKey, set[Fact]] = {}
    if patient["birthDate"] is not None:
        facts[K.DEMOGRAPHICS] = {(str(setup.patient.id), patient["name"]["family"],
                                  _moment(patient["birthDate"]), patient["sex"])}  # fmt: skip
    for key, (field, _) in FIELDS.items():
        if patient[field] is not None:
            facts[key] = {_graphql_fact(key, e["node"]) for e in patient[field]["edges"]}
    with_diagnoses = (await post_graphql(client, "{ patient { " + diagnoses + " } }",
                                         token=setup.access.token)).json()  # fmt: skip
    visits = (with_diagnoses.get("data") or {}).get("patient", {}).get("encounters")
    if (
        visits is not None
        and visits["edges"]
        and visits["edges"][0]["node"]["diagnoses"] is not None
    ):
        facts[K.ENCOUNTER_DIAGNOSES] = {
            _graphql_fact(K.ENCOUNTER_DIAGNOSES, d)
            for e in visits["edges"] for d in e["node"]["diagnoses"]
        }  # fmt: skip
    elif visits is None:
        found = set()
        for row_id in setup.record.ids[K.ENCOUNTER_DIAGNOSES]:
            global_id = base64.b64encode(f"EncounterDiagnosis:{row_id}".encode()).decode()
            query = "query($id: ID!) { node(id: $id) { ... on EncounterDiagnosis { %s } } }"
            answer = await post_graphql(
                client, query % CONDITION, token=setup.access.token, variables={"id": global_id}
            )
            node = answer.json()
            if node["data"]["node"] is not None:
                found.add(_graphql_fact(K.ENCOUNTER_DIAGNOSES, node["data"]["node"]))
        if found:
            facts[K.ENCOUNTER_DIAGNOSES] = found
    return facts


async def _fhir_record(client: httpx.AsyncClient, setup: FHIRSetup) -> dict[CategoryKey, set[Fact]]:
    headers = {"Authorization": f"Bearer {setup.access.token}"}
    resources: dict[str, list[dict[str, Any]]] = {}
    for resource_type in PARAMETERS:
        if resource_type == "RelatedPerson":
            continue
        response = await client.get(f"/fhir/{resource_type}", params={"_count": "100"},
                                    headers=headers)  # fmt: skip
        if response.status_code == 403:
            continue
        assert response.status_code == 200, response.text
        resources[resource_type] = entries(response.json())
    facts: dict[CategoryKey, set[Fact]] = {}
    for patient in resources.get("Patient", []):
        sex = {"female": "F", "male": "M"}.get(patient["gender"], "UNK")
        family = patient["name"][0]["family"]
        facts[K.DEMOGRAPHICS] = {(patient["id"], family, _moment(patient["birthDate"]), sex)}
    periods = {p["member"]["reference"].split("/")[1]: p["period"]["start"]
               for team in resources.get("CareTeam", []) for p in team["participant"]}  # fmt: skip
    prefixes = {key: f"{name}-" for key, name in TYPE_NAMES.items()}
    for resource_type, found in resources.items():
        for key in categories_served(resource_type):
            if key is K.DEMOGRAPHICS or resource_type == "CareTeam":
                continue
            mine = [r for r in found if r["id"].startswith(prefixes[key])]
            if mine:  # every category of the seeded record has rows
                facts[key] = {_fhir_fact(key, r, periods) for r in mine}
    return facts


scope_choices = st.sets(st.sampled_from([c.key for c in CATEGORIES]), min_size=1)


@pytest.fixture
async def record(session: AsyncSession) -> FHIRSetup:
    return await setup_fhir(session, ["patient/*.rs"], per_category=2)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(categories=scope_choices)
async def test_fhir_and_graphql_return_the_same_records(
    session: AsyncSession,
    client: httpx.AsyncClient,
    record: FHIRSetup,
    categories: set[CategoryKey],
) -> None:
    access = await grant_app(session, record.patient, scopes_for(categories))
    setup = FHIRSetup(record.patient, record.record, record.other, access)
    by_graphql = await _graphql_record(client, setup)
    by_fhir = await _fhir_record(client, setup)
    assert set(by_fhir) == categories
    assert by_fhir == {k: v for k, v in by_graphql.items() if k in categories}
    for key in categories - {K.DEMOGRAPHICS}:
        assert len(by_fhir[key]) == len(record.record.ids[key]), key

"""A partner app reads the patient record through GraphQL, exactly as far as its grant goes."""

import json

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import ActivityEvent, EventKind
from db.grants import Grant
from schema.types.relay import to_global_id
from sharing.categories import REGISTRY
from sharing.scopes import BY_KEY, CategoryKey, required_scopes
from tests.builders.graphql import PATIENT_FIELDS, full_record_query, grant_app, post_graphql
from tests.builders.people import make_patient
from tests.builders.records import seed_record

K = CategoryKey


async def test_full_access_returns_every_category(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session, given_name="Ada", family_name="Lovelace")
    seeded = await seed_record(session, patient, per_category=2)
    access = await grant_app(session, patient, ["launch/patient", "patient/*.rs"])

    response = await post_graphql(client, full_record_query(), token=access.token)

    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body.get("errors")
    record = body["data"]["patient"]
    assert record["name"]["text"] == "Ada Lovelace"
    for field in PATIENT_FIELDS:
        connection = record[field]
        expected = len(seeded.ids[REGISTRY.by_field[field].key])
        assert connection["totalCount"] == expected, field
        assert len(connection["edges"]) == expected, field
    [lab] = [e["node"] for e in record["labResults"]["edges"]][:1]
    assert lab["valueQuantity"]["unit"] == "mmol/L"
    assert lab["referenceRange"]["low"]["value"] == 3.5
    assert lab["interpretation"] == {"code": "N", "display": "Normal"}
    assert lab["encounter"]["location"].startswith("encounters#")
    encounter = record["encounters"]["edges"][0]["node"]
    assert {d["icd10"]["display"] for d in encounter["diagnoses"]} >= {"encounter_diagnoses#mine-0"}
    medication = record["medications"]["edges"][0]["node"]
    assert medication["prescriber"]["name"].startswith("care_team#")


async def test_narrower_grant_gets_one_insufficient_scope_error_per_denied_field(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=1)
    access = await grant_app(
        session,
        patient,
        [
            BY_KEY[K.LAB_RESULTS].scope,
            "patient/Goal.rs",
            "patient/Encounter.rs",
        ],
    )
    query = (
        "{ patient { birthDate labResults { edges { node { id valueText } } } "
        "goals { edges { node { description } } } vitalSigns { totalCount } "
        "medications { totalCount } encounters { edges { node { id provider { name } } } } } }"
    )

    body = (await post_graphql(client, query, token=access.token)).json()

    record = body["data"]["patient"]
    assert record["labResults"]["edges"][0]["node"]["valueText"].startswith("lab_results#")
    assert record["goals"]["edges"][0]["node"]["description"].startswith("goals#")
    assert record["birthDate"] is None
    assert record["vitalSigns"] is None
    assert record["medications"] is None
    assert record["encounters"]["edges"][0]["node"]["provider"] is None
    errors = {tuple(e["path"]): e["extensions"] for e in body["errors"]}
    assert errors == {
        ("patient", "birthDate"): {
            "code": "INSUFFICIENT_SCOPE",
            "requiredScopes": required_scopes(K.DEMOGRAPHICS),
        },
        ("patient", "vitalSigns"): {
            "code": "INSUFFICIENT_SCOPE",
            "requiredScopes": required_scopes(K.VITAL_SIGNS),
        },
        ("patient", "medications"): {
            "code": "INSUFFICIENT_SCOPE",
            "requiredScopes": required_scopes(K.MEDICATIONS),
        },
        ("patient", "encounters", "edges", 0, "node", "provider"): {
            "code": "INSUFFICIENT_SCOPE",
            "requiredScopes": required_scopes(K.CARE_TEAM),
        },
    }
    assert len(body["errors"]) == 4


async def test_app_read_is_logged_with_counts_and_denials(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=3)
    access = await grant_app(session, patient, ["patient/Goal.rs"])

    query = (
        "query MyGoals { patient { goals(first: 2) { edges { node { id } } } "
        "problems { totalCount } } }"
    )
    response = await post_graphql(client, query, token=access.token, operation_name="MyGoals")
    assert response.status_code == 200

    rows = await session.exec(
        select(ActivityEvent).where(col(ActivityEvent.kind) == EventKind.DATA_READ)
    )
    [event] = rows.all()
    details = json.loads(event.details)
    assert details == {"operation": "MyGoals", "categories": {"goals": 2}, "denied": ["problems"]}
    assert event.outcome == "partial"
    assert event.app_id == access.app_id
    assert event.patient_id == patient.id
    assert event.source_address == "203.0.113.7"
    assert "goals#" not in event.details
    grant = await session.get(Grant, access.grant_id)
    await session.refresh(grant)
    assert grant is not None and grant.last_used_at is not None


async def test_viewer_says_the_app_and_exactly_its_grant(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    access = await grant_app(
        session, patient, ["launch/patient", "patient/Goal.rs"], app_name="Step Counter"
    )
    query = (
        "{ viewer { kind appName accountName patientId grantedScopes grantedCategories { key } } }"
    )
    body = (await post_graphql(client, query, token=access.token)).json()
    assert body == {
        "data": {
            "viewer": {
                "kind": "APP",
                "appName": "Step Counter",
                "accountName": None,
                "patientId": to_global_id("Patient", patient.id or 0),
                "grantedScopes": ["launch/patient", "patient/Goal.rs"],
                "grantedCategories": [{"key": "GOALS"}],
            }
        }
    }

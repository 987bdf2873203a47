"""FHIR authorization: the grant decides, as for GraphQL; every request is one logged event."""

import json
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Relationship
from db.activity import ActivityEvent, EventKind
from sharing.consent import narrow_app_grant, revoke_app
from sharing.fhir.ids import row_resource_id
from sharing.scopes import BY_KEY, CategoryKey
from tests.builders.fhir_api import FHIRSetup, entries, fhir_get, ids, setup_fhir, validate
from tests.builders.graphql import grant_app
from tests.builders.oauth import (
    ISSUER,
    arrange,
    authorize_params,
    consent,
    csrf_of,
    exchange,
    login,
    pkce_pair,
    query_of,
    request_of,
    tokens_for,
)
from tests.builders.people import make_account, make_patient
from tests.builders.records import seed_record

K = CategoryKey
LAB_SCOPE = BY_KEY[K.LAB_RESULTS].scope
VITALS_SCOPE = BY_KEY[K.VITAL_SIGNS].scope


async def _events(session: AsyncSession) -> list[dict[str, Any]]:
    session.expire_all()
    found = await session.exec(
        select(ActivityEvent)
        .where(col(ActivityEvent.kind) == EventKind.DATA_READ)
        .order_by(col(ActivityEvent.id))
    )
    return [{"outcome": e.outcome, **json.loads(e.details)} for e in found.all()]


def _outcome_text(response: httpx.Response) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    validate(body)
    return str(body["issue"][0]["diagnostics"])


async def test_a_read_outside_the_grant_is_403_naming_the_scope(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    setup = await setup_fhir(session, [VITALS_SCOPE])
    lab = row_resource_id(K.LAB_RESULTS, setup.record.ids[K.LAB_RESULTS][0])
    response = await fhir_get(client, f"Observation/{lab}", setup)
    assert response.status_code == 403
    assert LAB_SCOPE in _outcome_text(response)
    assert "insufficient_scope" in response.headers["www-authenticate"]
    vital = row_resource_id(K.VITAL_SIGNS, setup.record.ids[K.VITAL_SIGNS][0])
    assert (await fhir_get(client, f"Observation/{vital}", setup)).status_code == 200
    patient = await fhir_get(client, f"Patient/{setup.patient.id}", setup)
    assert patient.status_code == 403
    assert "patient/Patient.rs" in _outcome_text(patient)


async def test_a_search_outside_the_grant_is_403_and_one_without_category_is_narrowed(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    setup = await setup_fhir(session, [VITALS_SCOPE, "patient/Goal.rs"])
    refused = await fhir_get(client, "Observation", setup, category="laboratory")
    assert refused.status_code == 403
    assert LAB_SCOPE in _outcome_text(refused)
    mixed = await fhir_get(client, "Observation", setup, category="laboratory,vital-signs")
    assert mixed.status_code == 403
    narrowed = await fhir_get(client, "Observation", setup)
    vitals = [row_resource_id(K.VITAL_SIGNS, i) for i in setup.record.ids[K.VITAL_SIGNS]]
    assert sorted(ids(narrowed.json())) == sorted(vitals)
    no_type = await fhir_get(client, "Condition", setup)
    assert no_type.status_code == 403
    assert "patient/Condition.rs" in _outcome_text(no_type)
    assert (await fhir_get(client, "Goal", setup)).status_code == 200
    events = await _events(session)
    assert [e["outcome"] for e in events] == ["denied", "denied", "success", "denied", "success"]
    assert events[0]["denied"] == ["lab_results"]
    assert events[2]["categories"] == {"vital_signs": 2}
    assert events[2]["api"] == "fhir" and events[2]["resourceType"] == "Observation"


async def test_v1_read_and_v2_rs_scopes_both_work(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    v1 = await setup_fhir(session, ["patient/Observation.read", "patient/Patient.read"])
    v2 = await grant_app(session, v1.patient, [LAB_SCOPE])
    for scopes_of in (v1, FHIRSetup(v1.patient, v1.record, v1.other, v2)):
        labs = await fhir_get(client, "Observation", scopes_of, category="laboratory")
        assert labs.status_code == 200
        assert len(ids(labs.json())) == 2
    assert (await fhir_get(client, f"Patient/{v1.patient.id}", v1)).status_code == 200
    v2_only = FHIRSetup(v1.patient, v1.record, v1.other, v2)
    assert (
        await fhir_get(client, "Observation", v2_only, category="vital-signs")
    ).status_code == 403


async def test_other_patients_records_are_not_found(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    setup = await setup_fhir(session, ["patient/*.rs"])
    theirs = row_resource_id(K.LAB_RESULTS, setup.other.ids[K.LAB_RESULTS][0])
    assert (await fhir_get(client, f"Observation/{theirs}", setup)).status_code == 404
    other_id = setup.other.patient.id
    assert (await fhir_get(client, f"Patient/{other_id}", setup)).status_code == 404
    assert (await fhir_get(client, f"CareTeam/{other_id}", setup)).status_code == 404
    assert (await fhir_get(client, f"Patient/{other_id}/$everything", setup)).status_code == 404
    by_id = await fhir_get(client, "Observation", setup, _id=theirs)
    assert ids(by_id.json()) == []
    other_patient = await fhir_get(client, "Observation", setup, patient=f"Patient/{other_id}")
    assert other_patient.status_code == 403
    assert "own patient" in _outcome_text(other_patient)
    assert [e["outcome"] for e in await _events(session)][-1] == "denied"


async def test_revoked_and_narrowed_grants_take_effect_on_the_next_request(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    setup = await setup_fhir(session, [LAB_SCOPE, VITALS_SCOPE])
    assert (await fhir_get(client, "Observation", setup, category="laboratory")).status_code == 200
    await narrow_app_grant(
        session,
        account_id=setup.access.account.id,
        grant_id=setup.access.grant_id,
        categories=frozenset({K.VITAL_SIGNS}),
        source_address=None,
    )
    await session.commit()
    assert (await fhir_get(client, "Observation", setup, category="laboratory")).status_code == 403
    narrowed = await fhir_get(client, "Observation", setup)
    assert {r["category"][0]["coding"][0]["code"] for r in entries(narrowed.json())} == {
        "vital-signs"
    }
    await revoke_app(
        session,
        account_id=setup.access.account.id,
        grant_id=setup.access.grant_id,
        source_address=None,
    )
    await session.commit()
    revoked = await fhir_get(client, "Observation", setup)
    assert revoked.status_code == 401
    assert 'error="invalid_token"' in revoked.headers["www-authenticate"]
    _outcome_text(revoked)


async def test_references_reach_only_granted_categories(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    labs_only = await setup_fhir(session, [LAB_SCOPE])
    lab_id = labs_only.record.ids[K.LAB_RESULTS][0]
    lab = (await fhir_get(client, f"Observation/{row_resource_id(K.LAB_RESULTS, lab_id)}",
                          labs_only)).json()  # fmt: skip
    assert "encounter" not in lab
    assert lab["subject"] == {"reference": f"Patient/{labs_only.patient.id}"}
    both = await grant_app(session, labs_only.patient, [LAB_SCOPE, "patient/Encounter.rs"])
    with_visits = FHIRSetup(labs_only.patient, labs_only.record, labs_only.other, both)
    linked = (await fhir_get(client, f"Observation/{lab['id']}", with_visits)).json()
    reference = linked["encounter"]["reference"]
    assert (
        reference
        == f"Encounter/{row_resource_id(K.ENCOUNTERS, labs_only.record.ids[K.ENCOUNTERS][0])}"
    )
    assert (await fhir_get(client, reference, with_visits)).status_code == 200


async def test_everything_returns_what_the_grant_covers(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    setup = await setup_fhir(session, [LAB_SCOPE, "patient/CareTeam.rs", "patient/Patient.rs"])
    response = await fhir_get(client, f"Patient/{setup.patient.id}/$everything", setup)
    assert response.status_code == 200
    resources = entries(response.json())
    by_type: dict[str, int] = {}
    for resource in resources:
        by_type[resource["resourceType"]] = by_type.get(resource["resourceType"], 0) + 1
    assert by_type == {"Patient": 1, "CareTeam": 1, "Practitioner": 2, "Observation": 2}
    assert (await _events(session))[-1]["categories"] == {
        "care_team": 2, "demographics": 1, "lab_results": 2,
    }  # fmt: skip


async def test_related_person_is_the_representative_and_needs_fhir_user(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    parent_patient = await make_patient(session, given_name="Parent")
    child = await make_patient(session, given_name="Kid")
    await seed_record(session, child, per_category=1)
    parent = await make_account(
        session,
        patients=[(parent_patient, Relationship.SELF), (child, Relationship.CHILD)],
    )
    with_user = await grant_app(session, child, ["patient/*.rs", "fhirUser"], account=parent)
    without = await grant_app(session, child, ["patient/*.rs"], account=parent)
    setup = FHIRSetup(child, None, None, with_user)
    person = await fhir_get(client, f"RelatedPerson/{parent.id}", setup)
    assert person.status_code == 200, person.text
    body = person.json()
    validate(body)
    assert body["patient"] == {"reference": f"Patient/{child.id}"}
    assert body["name"] == [{"text": parent.display_name}]
    assert ids((await fhir_get(client, "RelatedPerson", setup, _id=str(parent.id))).json()) == [
        str(parent.id)
    ]
    assert ids((await fhir_get(client, "RelatedPerson", setup, patient=str(child.id))).json()) == [
        str(parent.id)
    ]
    assert ids((await fhir_get(client, "RelatedPerson", setup, _id="999999")).json()) == []
    assert (await fhir_get(client, "RelatedPerson/999999", setup)).status_code == 404
    refused = await fhir_get(client, f"RelatedPerson/{parent.id}",
                             FHIRSetup(child, None, None, without))  # fmt: skip
    assert refused.status_code == 403
    assert "fhirUser" in _outcome_text(refused)


async def test_fhir_user_of_the_id_token_resolves_for_self_and_representative(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session, child=True)
    alone = await arrange(session, username="alone")
    scope = "launch/patient openid fhirUser patient/*.rs"
    body = await tokens_for(client, alone, aud=f"{ISSUER}/fhir", scope=scope)
    jwks = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    fhir_user = jwt.decode(body["id_token"], jwks).claims["fhirUser"]
    assert fhir_user == f"{ISSUER}/fhir/Patient/{alone.patient.id}"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    own = await client.get(fhir_user, headers=headers)
    assert own.status_code == 200 and own.json()["id"] == body["patient"]

    client.cookies.clear()
    child = party.other_patients[0]
    verifier, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, aud=f"{ISSUER}/fhir", scope=scope)
    start = await client.get("/oauth/authorize", params=params)
    request_id = request_of(start.headers["location"])
    await login(client, party.account.username)
    page = await client.get("/oauth/select-patient", params={"request": request_id})
    await client.post(
        "/oauth/select-patient",
        data={"csrf_token": csrf_of(page.text), "request": request_id, "patient_id": child.id},
    )
    code = query_of((await consent(client, request_id)).headers["location"])["code"]
    tokens = (await exchange(client, party, code, verifier)).json()
    representative = jwt.decode(tokens["id_token"], jwks).claims["fhirUser"]
    assert representative == f"{ISSUER}/fhir/RelatedPerson/{party.account.id}"
    read = await client.get(
        representative, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert read.status_code == 200, read.text
    assert read.json()["patient"] == {"reference": f"Patient/{child.id}"}


async def test_aud_must_be_the_issuer_or_the_fhir_base(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    for aud in (f"{ISSUER}/fhir/", f"{ISSUER}/graphql", "https://elsewhere.example/fhir"):
        response = await client.get(
            "/oauth/authorize", params=authorize_params(party.app, challenge, aud=aud)
        )
        assert "error=invalid_request" in response.headers.get("location", ""), aud

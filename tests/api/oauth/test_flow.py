"""The full authorization code flow as a partner app and a patient would drive it."""

import json
import re
import time

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import ActivityEvent, EventKind
from db.grants import Grant
from tests.builders.oauth import (
    APP_SECRET,
    ISSUER,
    REDIRECT_URI,
    arrange,
    authorize,
    authorize_params,
    consent,
    csrf_of,
    exchange,
    login,
    open_request,
    pkce_pair,
    query_of,
    request_of,
)


async def test_public_app_gets_tokens_with_pkce(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge)
    assert query["iss"] == ISSUER
    response = await exchange(client, party, query["code"], verifier)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    assert body["patient"] == str(party.patient.id)
    assert set(body["scope"].split()) >= {"launch/patient", "openid", "offline_access"}
    assert "refresh_token" in body and "id_token" in body
    assert body["grant_expires_at"] > time.time() + 89 * 86400
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"


async def test_id_token_is_rs256_and_verifies_with_the_published_jwks(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge, nonce="n-0S6")
    body = (await exchange(client, party, query["code"], verifier)).json()
    jwks = (await client.get("/.well-known/jwks.json")).json()
    token = jwt.decode(body["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    assert token.header["kid"] in {k["kid"] for k in jwks["keys"]}
    claims = token.claims
    assert claims["iss"] == ISSUER
    assert claims["sub"] == str(party.account.id)
    assert claims["aud"] == party.app.client_id
    assert claims["fhirUser"] == f"{ISSUER}/fhir/Patient/{party.patient.id}"
    assert claims["nonce"] == "n-0S6"
    assert claims["iat"] <= time.time() < claims["exp"]


async def test_confidential_app_authenticates_with_basic_or_post(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge)
    basic = await exchange(client, party, query["code"], verifier)
    assert basic.status_code == 200, basic.text
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge)
    post = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": REDIRECT_URI,
            "client_id": party.app.client_id,
            "client_secret": APP_SECRET,
            "code_verifier": verifier,
        },
    )
    assert post.status_code == 200, post.text


async def test_representative_chooses_the_child_and_the_token_is_bound_to_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, child=True)
    child = party.other_patients[0]
    verifier, challenge = pkce_pair()
    request_id = await open_request(client, party, challenge)
    before = await client.get("/oauth/consent", params={"request": request_id})
    assert before.status_code == 303
    assert before.headers["location"] == f"/oauth/select-patient?request={request_id}"
    page = await client.get(before.headers["location"])
    assert "Kid" in page.text and "your child" in page.text
    chosen = await client.post(
        "/oauth/select-patient",
        data={"csrf_token": csrf_of(page.text), "request": request_id, "patient_id": child.id},
    )
    assert chosen.status_code == 303
    answer = await consent(client, request_id)
    code = query_of(answer.headers["location"])["code"]
    body = (await exchange(client, party, code, verifier)).json()
    assert body["patient"] == str(child.id)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    claims = jwt.decode(body["id_token"], KeySet.import_key_set(jwks)).claims
    assert claims["fhirUser"] == f"{ISSUER}/fhir/RelatedPerson/{party.account.id}"
    events = await session.exec(
        select(ActivityEvent).where(col(ActivityEvent.kind) == EventKind.PATIENT_SELECTED)
    )
    assert [e.patient_id for e in events.all()] == [child.id]


async def test_patient_cannot_choose_a_record_they_do_not_act_for(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, child=True)
    stranger = await arrange(session)
    request_id = await open_request(client, party)
    page = await client.get("/oauth/select-patient", params={"request": request_id})
    refused = await client.post(
        "/oauth/select-patient",
        data={
            "csrf_token": csrf_of(page.text),
            "request": request_id,
            "patient_id": stranger.patient.id,
        },
    )
    assert refused.status_code == 400


async def test_patient_narrows_categories_and_refuses_offline_access(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    verifier, challenge = pkce_pair()
    request_id = await open_request(client, party, challenge)
    page = await client.get("/oauth/consent", params={"request": request_id})
    # A whole-type request is shown as its categories, offline access as plain words.
    assert "Lab results" in page.text and "Vital signs" in page.text
    assert "Keep access when I am not using the app" in page.text
    assert "Not provided by app developer" in page.text
    answer = await consent(client, request_id, category=["lab_results"], offline_access="no")
    code = query_of(answer.headers["location"])["code"]
    body = (await exchange(client, party, code, verifier)).json()
    granted = body["scope"].split()
    assert "offline_access" not in granted and "refresh_token" not in body
    assert "patient/Goal.rs" not in granted
    assert any("laboratory" in s for s in granted)
    assert not any("vital-signs" in s for s in granted)
    [event] = (
        await session.exec(select(ActivityEvent).where(col(ActivityEvent.kind) == "consent"))
    ).all()
    details = json.loads(event.details)
    assert "offline_access" in details["refused_scopes"]


async def test_patient_chooses_one_hour_and_access_ends_with_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    verifier, challenge = pkce_pair()
    request_id = await open_request(client, party, challenge)
    answer = await consent(client, request_id, duration="one_hour")
    code = query_of(answer.headers["location"])["code"]
    body = (await exchange(client, party, code, verifier)).json()
    assert time.time() + 3500 < body["grant_expires_at"] <= time.time() + 3600
    grant = (await session.exec(select(Grant))).one()
    assert grant.expires_at is not None


async def test_deny_redirects_with_access_denied_and_the_same_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge)
    start = await client.get("/oauth/authorize", params=params)
    await login(client, party.account.username)
    answer = await consent(client, request_of(start.headers["location"]), decision="deny")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(REDIRECT_URI)
    query = query_of(answer.headers["location"])
    assert query["error"] == "access_denied"
    assert query["state"] == params["state"]
    assert query["iss"] == ISSUER
    assert "code" not in query
    kinds = [e.kind for e in (await session.exec(select(ActivityEvent))).all()]
    assert EventKind.DENIAL in kinds and EventKind.CONSENT not in kinds


async def test_authorize_accepts_post(client: httpx.AsyncClient, session: AsyncSession) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    response = await client.post("/oauth/authorize", data=authorize_params(party.app, challenge))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/oauth/consent%3Frequest%3D")


async def test_no_secret_token_or_code_reaches_the_activity_log(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge)
    body = (await exchange(client, party, query["code"], verifier)).json()
    rows = (await session.exec(select(ActivityEvent))).all()
    kinds = {e.kind for e in rows}
    assert {EventKind.LOGIN, EventKind.CONSENT, EventKind.TOKEN_ISSUED} <= kinds
    dump = " ".join(e.details for e in rows)
    for secret in (query["code"], body["access_token"], body["refresh_token"], APP_SECRET):
        assert secret not in dump
    assert "correct horse" not in dump


async def test_after_a_consent_error_the_form_keeps_the_patients_choices(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    request_id = await open_request(client, party)
    page = await client.get("/oauth/consent", params={"request": request_id})
    offered = re.findall(r'name="category" value="([^"]+)"', page.text)
    kept = offered[:1]

    answer = await consent(client, request_id, category=kept, offline_access="no", duration="")

    assert answer.status_code == 400
    assert "Choose how long access lasts." in answer.text
    checked = re.findall(r'name="category" value="([^"]+)" checked', answer.text)
    assert checked == kept
    assert re.search(r'name="offline_access" value="yes"\s*>', answer.text)
    assert not re.search(r'name="duration" value="[^"]+" checked', answer.text)
    assert len(offered) > 1

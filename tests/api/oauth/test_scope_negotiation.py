"""Scopes as SMART and OIDC clients send them: unsupported ones dropped, the grant echoed."""

from datetime import timedelta

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.columns import utcnow
from db.tokens import Token, TokenKind
from tests.builders.oauth import (
    SCOPE,
    arrange,
    authorize_params,
    pkce_pair,
    query_of,
    tokens_for,
)

SMART_CLIENT = (
    "launch launch/patient openid fhirUser profile email user/Goal.rs "
    "patient/Observation.cruds patient/Goal.rs patient/Encounter.cud"
)


async def test_unsupported_scopes_are_dropped_and_the_token_says_what_was_granted(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    body = await tokens_for(client, party, scope=SMART_CLIENT)
    assert body["scope"].split() == [
        "launch/patient",
        "openid",
        "fhirUser",
        "profile",
        "email",
        "patient/Goal.rs",
        "patient/Observation.rs",
    ]


async def test_a_client_that_gets_everything_sees_its_own_scope_back(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    v1 = "launch/patient openid offline_access patient/Observation.read patient/Goal.rs"
    for requested in (SCOPE, v1):
        body = await tokens_for(client, party, scope=requested)
        assert set(body["scope"].split()) == set(requested.split())


async def test_nothing_usable_is_invalid_scope_naming_the_scope(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, scope="launch user/Goal.rs")
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code in (302, 303)
    query = query_of(response.headers["location"])
    assert query["error"] == "invalid_scope"
    assert "'launch'" in query["error_description"]


async def test_userinfo_carries_fhir_user_and_the_granted_profile_claims(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    body = await tokens_for(client, party, scope=SMART_CLIENT)
    discovery = (await client.get("/.well-known/openid-configuration")).json()
    assert discovery["userinfo_endpoint"] == "http://testserver/oauth/userinfo"
    for method in ("GET", "POST"):
        response = await client.request(
            method, "/oauth/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert response.status_code == 200
        assert response.json() == {
            "sub": str(party.account.id),
            "fhirUser": f"http://testserver/fhir/Patient/{party.patient.id}",
            "name": party.account.display_name,
            "preferred_username": party.account.username,
            "email": party.account.email,
        }
    jwks = (await client.get("/.well-known/jwks.json")).json()
    id_token = jwt.decode(body["id_token"], KeySet.import_key_set(jwks)).claims
    assert id_token["fhirUser"] == f"http://testserver/fhir/Patient/{party.patient.id}"


async def test_userinfo_without_openid_or_without_profile(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    no_openid = await tokens_for(client, party, scope="launch/patient patient/Goal.rs")
    response = await client.get(
        "/oauth/userinfo", headers={"Authorization": f"Bearer {no_openid['access_token']}"}
    )
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]

    plain = await tokens_for(client, party, scope="openid fhirUser patient/Goal.rs")
    response = await client.get(
        "/oauth/userinfo", headers={"Authorization": f"Bearer {plain['access_token']}"}
    )
    assert set(response.json()) == {"sub", "fhirUser"}


async def test_userinfo_refuses_a_missing_or_unknown_token(client: httpx.AsyncClient) -> None:
    missing = await client.get("/oauth/userinfo")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    unknown = await client.get("/oauth/userinfo", headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401
    assert 'error="invalid_token"' in unknown.headers["www-authenticate"]


async def test_online_access_gives_a_refresh_token_that_lapses_when_the_patient_is_away(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    party = await arrange(session)
    body = await tokens_for(client, party, scope="launch/patient online_access patient/Goal.rs")
    assert "online_access" in body["scope"].split()
    assert body["refresh_token"]
    refresh = (await session.exec(select(Token).where(col(Token.kind) == TokenKind.REFRESH))).one()
    assert refresh.expires_at <= utcnow() + timedelta(seconds=settings.session_idle_seconds)
    renewed = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": party.app.client_id,
        },
    )
    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] != body["refresh_token"]

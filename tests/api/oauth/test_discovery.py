"""Discovery documents, the JWKS, and signing key rotation."""

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlmodel.ext.asyncio.session import AsyncSession

from api.oauth.signing import rotate_signing_key
from api.settings import DEVELOPMENT_KEY_SECRET
from sharing.scopes import supported_scopes
from tests.builders.oauth import ISSUER, arrange, tokens_for


async def test_smart_configuration(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/smart-configuration")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["issuer"] == ISSUER
    assert body["authorization_endpoint"] == f"{ISSUER}/oauth/authorize"
    assert body["token_endpoint"] == f"{ISSUER}/oauth/token"
    assert body["revocation_endpoint"] == f"{ISSUER}/oauth/revoke"
    assert body["introspection_endpoint"] == f"{ISSUER}/oauth/introspect"
    assert body["registration_endpoint"] == f"{ISSUER}/oauth/register"
    assert body["management_endpoint"] == f"{ISSUER}/account"
    assert body["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert body["userinfo_endpoint"] == f"{ISSUER}/oauth/userinfo"
    assert body["scopes_supported"] == supported_scopes()
    assert body["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert body["code_challenge_methods_supported"] == ["S256"]
    # Exactly what is built and tested: no EHR launch, no asymmetric client auth.
    assert sorted(body["capabilities"]) == [
        "authorize-post",
        "client-confidential-symmetric",
        "client-public",
        "context-standalone-patient",
        "launch-standalone",
        "permission-offline",
        "permission-online",
        "permission-patient",
        "permission-v1",
        "permission-v2",
        "sso-openid-connect",
    ]


async def test_openid_and_oauth_metadata(client: httpx.AsyncClient) -> None:
    openid = (await client.get("/.well-known/openid-configuration")).json()
    assert openid["issuer"] == ISSUER
    assert openid["id_token_signing_alg_values_supported"] == ["RS256"]
    assert openid["response_types_supported"] == ["code"]
    oauth = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert oauth["issuer"] == ISSUER
    assert "implicit" not in oauth["grant_types_supported"]
    assert oauth["authorization_response_iss_parameter_supported"] is True


async def test_jwks_publishes_rs256_public_keys_only(client: httpx.AsyncClient) -> None:
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert "d" not in keys[0]


async def test_signing_key_is_persisted(client: httpx.AsyncClient) -> None:
    first = (await client.get("/.well-known/jwks.json")).json()
    second = (await client.get("/.well-known/jwks.json")).json()
    assert first == second


async def test_rotation_keeps_old_id_tokens_verifiable(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    before = await tokens_for(client, party)
    await rotate_signing_key(session, secret=DEVELOPMENT_KEY_SECRET)
    await session.commit()
    after = await tokens_for(client, party)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) == 2
    keys = KeySet.import_key_set(jwks)
    old = jwt.decode(before["id_token"], keys)
    new = jwt.decode(after["id_token"], keys)
    # Both tokens verify against the published set, each under its own key, both published.
    assert old.header["kid"] != new.header["kid"]
    assert {old.header["kid"], new.header["kid"]} == {k["kid"] for k in jwks["keys"]}


async def test_keys_two_rotations_old_are_retired(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    original = (await client.get("/.well-known/jwks.json")).json()["keys"][0]["kid"]
    await rotate_signing_key(session, secret=DEVELOPMENT_KEY_SECRET)
    await rotate_signing_key(session, secret=DEVELOPMENT_KEY_SECRET)
    await session.commit()
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert len(kids) == 2 and original not in kids

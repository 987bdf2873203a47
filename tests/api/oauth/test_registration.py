"""RFC 7591 dynamic registration through the shared registration rules."""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from db.apps import AUTO_APPROVE_DYNAMIC_REGISTRATION, find_app_by_client_id, set_operator_flag
from db.passwords import verify_password
from tests.builders.oauth import REDIRECT_URI, authorize_params, pkce_pair
from tests.builders.people import TEST_HASHER

METADATA = {
    "client_name": "Step Counter",
    "redirect_uris": [REDIRECT_URI],
    "token_endpoint_auth_method": "none",
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
    "client_uri": "https://steps.example",
}


async def test_public_app_registers_and_waits_for_approval(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post("/oauth/register", json=METADATA)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["client_id"] and "client_secret" not in body
    assert body["status"] == "pending"
    assert response.headers["cache-control"] == "no-store"
    _, challenge = pkce_pair()
    app = await find_app_by_client_id(session, client_id=body["client_id"])
    assert app is not None
    start = await client.get("/oauth/authorize", params=authorize_params(app, challenge))
    assert "error=unauthorized_client" in start.headers["location"]


async def test_auto_approval_approves_at_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await set_operator_flag(session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION, value=True)
    await session.commit()
    response = await client.post("/oauth/register", json=METADATA)
    assert response.json()["status"] == "approved"


async def test_confidential_app_gets_a_secret_shown_once_and_stored_hashed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    metadata = {**METADATA, "token_endpoint_auth_method": "client_secret_basic"}
    body = (await client.post("/oauth/register", json=metadata)).json()
    secret = body["client_secret"]
    app = await find_app_by_client_id(session, client_id=body["client_id"])
    assert app is not None and app.client_secret_hash is not None
    assert secret not in app.client_secret_hash
    assert verify_password(TEST_HASHER, app.client_secret_hash, secret)


@pytest.mark.parametrize(
    "uris",
    [
        ["http://app.example/callback"],
        ["ftp://app.example/cb"],
        [],
        "https://a.example/cb",
        # Unparsable: urlsplit or the port raised ValueError (a 500 before).
        ["http://[::1"],
        ["https://a.example:99999/cb"],
    ],
)
async def test_bad_redirect_uris_are_invalid_redirect_uri(
    client: httpx.AsyncClient, uris: object
) -> None:
    response = await client.post("/oauth/register", json={**METADATA, "redirect_uris": uris})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_redirect_uri"


async def test_loopback_http_redirect_uri_is_accepted(client: httpx.AsyncClient) -> None:
    metadata = {**METADATA, "redirect_uris": ["http://127.0.0.1:8765/callback"]}
    assert (await client.post("/oauth/register", json=metadata)).status_code == 201


@pytest.mark.parametrize(
    "change",
    [
        {"client_name": ""},
        {"client_name": 42},
        {"token_endpoint_auth_method": "private_key_jwt"},
        {"grant_types": ["password"]},
        {"response_types": ["token"]},
        {"scope": "patient/Observation.write"},
        {"logo_uri": "http://insecure.example/logo.png"},
        # Values of the wrong shape or unparsable URLs (each a 500 before).
        {"token_endpoint_auth_method": ["none"]},
        {"grant_types": [["authorization_code"]]},
        {"grant_types": [{}]},
        {"logo_uri": "https://[::1"},
        {"client_uri": "https://app.example:70000/"},
    ],
)
async def test_bad_metadata_is_invalid_client_metadata(
    client: httpx.AsyncClient, change: dict[str, object]
) -> None:
    response = await client.post("/oauth/register", json={**METADATA, **change})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_non_json_body_is_invalid_client_metadata(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth/register", content=b"client_name=x")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        # A lone surrogate decodes in Python but no database can store it (a 500 before).
        (b'{"client_name": "\\ud800", "redirect_uris": ["https://a.example/cb"]}', "surrogate"),
        # Nested past the parser's recursion (a 500 before).
        (b'{"client_name": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nests"),
        (b'{"client_name": NaN}', "NaN"),
    ],
)
async def test_json_no_database_can_store_is_invalid_client_metadata(
    client: httpx.AsyncClient, body: bytes, says: str
) -> None:
    response = await client.post(
        "/oauth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert says in response.json()["error_description"]

"""Every endpoint refuses a body over the limit with 413, without reading it into memory."""

from collections.abc import AsyncIterator

import httpx
import pytest

from api.settings import Settings

FORM_ENDPOINTS = [
    "/login",
    "/oauth/authorize",
    "/oauth/token",
    "/oauth/revoke",
    "/oauth/introspect",
    "/oauth/consent",
    "/oauth/select-patient",
    "/oauth/register",
    "/logout",
    "/operator/settings",
]
TEN_MB = 10 * 1024 * 1024
CHUNK = 16 * 1024


@pytest.mark.parametrize("path", FORM_ENDPOINTS)
async def test_a_declared_10_mb_form_post_is_413(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(
        path,
        content=b"a=" + b"x" * TEN_MB,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", ["/login", "/oauth/token", "/oauth/register"])
async def test_a_streamed_body_stops_being_read_at_the_limit(
    client: httpx.AsyncClient, settings: Settings, path: str
) -> None:
    pulled = 0

    async def endless_form() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(TEN_MB // CHUNK):
            pulled += 1
            yield b"x" * CHUNK

    response = await client.post(
        path,
        content=endless_form(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert pulled * CHUNK <= settings.max_body_bytes + CHUNK


async def test_a_body_within_the_limit_reaches_the_endpoint(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "pad": "x" * (settings.max_body_bytes - 100)},
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("invalid_client", "invalid_request", "invalid_grant")

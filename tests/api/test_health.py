"""Liveness and readiness."""

import httpx
from sqlalchemy import text

from api.app import create_app
from api.settings import Settings

BEARER = {"Authorization": "Bearer " + "x" * 43}


async def test_healthz_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_while_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "reachable"


async def test_readyz_is_503_when_database_is_unreachable() -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nothing",
        database_pool_timeout=1.0,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/readyz")
        live = await client.get("/healthz")
    await app.state.engine.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert live.status_code == 200


async def test_a_full_pool_is_503_with_retry_after_on_every_endpoint(database_url: str) -> None:
    settings = Settings(database_url=database_url, database_pool_size=1, database_pool_timeout=0.2)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.state.engine.connect() as held,
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        ):
            await held.execute(text("SELECT 1"))
            graphql = await client.post(
                "/graphql", json={"query": "{ viewer { kind } }"}, headers=BEARER
            )
            token = await client.post(
                "/oauth/token",
                data={"grant_type": "refresh_token", "client_id": "an-app", "refresh_token": "r"},
            )
            for response in (graphql, token):
                assert response.status_code == 503
                assert response.headers["retry-after"] == "5"
    finally:
        await app.state.engine.dispose()


def test_the_apps_password_hasher_uses_the_designed_argon2id_cost(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url))
    stored = app.state.password_hasher.hash("a password")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")

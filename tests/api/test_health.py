"""Liveness and readiness."""

import httpx

from api.app import create_app
from api.settings import Settings


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

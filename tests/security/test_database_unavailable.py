"""A database that cannot be reached is a 503 with Retry-After on every route, never a 500."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import Settings

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REQUESTS: list[tuple[str, str, dict[str, str], str]] = [
    ("POST", "/graphql", {"Authorization": "Bearer x" * 4}, '{"query": "{ viewer { kind } }"}'),
    ("POST", "/graphql", {"Cookie": "chartshare_session=s"}, '{"query": "{ viewer { kind } }"}'),
    ("POST", "/oauth/token", FORM, "grant_type=refresh_token&refresh_token=x&client_id=c"),
    ("POST", "/oauth/token", FORM, "grant_type=authorization_code&code=x&client_id=c"),
    ("POST", "/oauth/revoke", FORM, "token=x&client_id=c"),
    ("POST", "/oauth/introspect", FORM, "token=x&client_id=c&client_secret=s"),
    ("GET", "/oauth/authorize?client_id=c&response_type=code", {}, ""),
    ("GET", "/login", {}, ""),
    ("GET", "/account", {"Cookie": "chartshare_session=s"}, ""),
    ("GET", "/apps", {}, ""),
    ("GET", "/.well-known/jwks.json", {}, ""),
]


def _unreachable_urls(tmp_path: Path) -> list[str]:
    return [
        "postgresql+asyncpg://postgres@127.0.0.1:1/nothing",  # a closed port
        f"sqlite+aiosqlite:///{tmp_path}/missing-directory/chartshare.db",
    ]


@pytest.fixture(params=["postgresql-closed-port", "sqlite-missing-file"])
async def unreachable(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    url = _unreachable_urls(tmp_path)[0 if request.param.startswith("postgresql") else 1]
    app = create_app(Settings(database_url=url, database_pool_timeout=1.0))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.engine.dispose()


@pytest.mark.parametrize(("method", "path", "headers", "body"), REQUESTS)
async def test_unreachable_database_is_503_with_retry_after(
    unreachable: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], body: str
) -> None:
    headers = {"Content-Type": "application/json", **headers}
    response = await unreachable.request(method, path, headers=headers, content=body)

    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert "Traceback" not in response.text
    if path == "/graphql":  # GraphQL clients read `errors` on every status
        assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"

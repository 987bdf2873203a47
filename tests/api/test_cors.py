"""CORS: browser apps on any origin reach the bearer-token endpoints; cookie sessions stay home."""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import Relationship
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.people import make_patient

APP_ORIGIN = "http://localhost:5173"
QUERY = "{ patient { goals { totalCount } } }"
BEARER_PATHS = [
    ("/.well-known/smart-configuration", "GET"),
    ("/.well-known/openid-configuration", "GET"),
    ("/.well-known/oauth-authorization-server", "GET"),
    ("/.well-known/jwks.json", "GET"),
    ("/oauth/token", "POST"),
    ("/oauth/revoke", "POST"),
    ("/oauth/userinfo", "GET"),
    ("/graphql", "POST"),
    ("/fhir/Patient/1", "GET"),
]


@pytest.mark.parametrize(("path", "method"), BEARER_PATHS)
async def test_preflight_from_any_origin_is_answered_without_credentials(
    client: httpx.AsyncClient, path: str, method: str
) -> None:
    response = await client.options(
        path,
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert method in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "access-control-allow-credentials" not in response.headers
    vary = response.headers["vary"]
    assert "Origin" in vary and "Access-Control-Request-Method" in vary


async def test_preflight_for_a_method_the_path_does_not_take_is_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options(
        "/oauth/token",
        headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "DELETE"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_preflight_for_a_header_outside_the_list_is_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options(
        "/graphql",
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-csrf-token",
        },
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_pages_and_the_authorization_endpoint_get_no_cors(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/account", "/oauth/authorize", "/login", "/oauth/introspect"):
        preflight = await client.options(
            path, headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in preflight.headers, path
    page = await client.get("/login", headers={"Origin": APP_ORIGIN})
    assert "access-control-allow-origin" not in page.headers


async def test_discovery_and_jwks_carry_cors_headers_and_vary(client: httpx.AsyncClient) -> None:
    for path in ("/.well-known/smart-configuration", "/.well-known/jwks.json"):
        response = await client.get(path, headers={"Origin": APP_ORIGIN})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        assert "Origin" in response.headers["vary"]
        assert "access-control-allow-credentials" not in response.headers


async def test_token_errors_are_readable_by_a_browser_app(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": "nope", "client_id": "nobody"},
        headers={"Origin": APP_ORIGIN},
    )
    assert response.status_code in (400, 401)
    assert response.headers["access-control-allow-origin"] == "*"


async def test_bearer_graphql_from_another_origin_works_and_exposes_the_challenge(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/Goal.rs"])
    ok = await post_graphql(client, QUERY, token=access.token, headers={"Origin": APP_ORIGIN})
    assert ok.status_code == 200
    assert ok.json()["data"]["patient"]["goals"]["totalCount"] == 0
    assert ok.headers["access-control-allow-origin"] == "*"

    refused = await post_graphql(client, QUERY, token="wrong", headers={"Origin": APP_ORIGIN})
    assert refused.status_code == 401
    assert "WWW-Authenticate" in refused.headers["access-control-expose-headers"]


async def test_a_cross_origin_request_never_rides_on_the_patient_session(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    home = await post_graphql(client, QUERY, headers={**csrf, "Origin": "http://testserver"})
    assert home.status_code == 200
    assert home.json()["data"]["patient"]["goals"]["totalCount"] == 0

    foreign = await post_graphql(client, QUERY, headers={**csrf, "Origin": APP_ORIGIN})
    assert foreign.status_code == 403
    assert foreign.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "data" not in foreign.json()
    assert "Origin" in foreign.headers["vary"]


async def test_a_null_origin_is_foreign(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    response = await post_graphql(client, QUERY, headers={**csrf, "Origin": "null"})
    assert response.status_code == 403

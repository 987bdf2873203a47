"""A NUL character anywhere in a request is a 400 before any handler runs.

PostgreSQL text cannot hold NUL: a login name, client_id, state, path segment or
GraphQL variable carrying one made the database raise and the request answer 500.
"""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import AccountRole, Relationship
from tests.builders.graphql import post_graphql, sign_in
from tests.builders.oauth import arrange, authorize_params, csrf_of, pkce_pair
from tests.builders.people import make_patient

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_a_nul_in_the_login_name_is_refused_not_a_500(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    page = await client.get("/login")

    response = await client.post(
        "/login", data={"login": "alice\x00", "password": "x", "csrf_token": csrf_of(page.text)}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/oauth/authorize?client_id=a%00b&response_type=code", b""),
        ("GET", "/login?next=/account%00", b""),
        ("POST", "/oauth/token", b"grant_type=refresh_token&refresh_token=a&client_id=a%00"),
        ("POST", "/oauth/token", b"grant_type=authorization_code&code=a\x00&client_id=c"),
        ("POST", "/oauth/revoke", b"token=t&client_id=a%00"),
        ("POST", "/oauth/register", b'{"client_name": "a\\u0000", "redirect_uris": []}'),
        ("POST", "/operator/apps/a%00b", b"status=approved"),
    ],
)
async def test_a_nul_anywhere_is_a_400(
    client: httpx.AsyncClient, method: str, path: str, body: bytes
) -> None:
    response = await client.request(method, path, content=body, headers=FORM)

    assert response.status_code == 400
    assert "NUL" in response.json()["error_description"]


async def test_a_nul_in_an_authorization_request_state_is_refused(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()

    response = await client.get(
        "/oauth/authorize", params=authorize_params(party.app, challenge, state="s\x00")
    )

    assert response.status_code == 400


async def test_a_nul_in_graphql_variables_or_query_is_bad_user_input(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    _, csrf = await sign_in(
        session, client, settings, [(patient, Relationship.SELF)], role=AccountRole.DEVELOPER
    )
    by_variable = await post_graphql(
        client,
        "query S($s: [String!]) { patient { labResults(status: $s) { totalCount } } }",
        variables={"s": ["final\x00"]},
        headers=csrf,
    )
    in_query = await post_graphql(
        client,
        'mutation { registerApp(input: {name: "a\\u0000", redirectUris: ["https://a.test/cb"], '
        "confidential: false}) { userErrors { code } } }",
        headers=csrf,
    )

    for response in (by_variable, in_query):
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_requests_without_nul_still_reach_the_handlers(client: httpx.AsyncClient) -> None:
    percent = await client.post(
        "/oauth/token",
        content=b"grant_type=refresh_token&refresh_token=%2500&client_id=unknown",
        headers=FORM,
    )

    assert percent.json()["error"] == "invalid_client"

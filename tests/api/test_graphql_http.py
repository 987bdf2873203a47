"""The /graphql endpoint's HTTP contract: who may call, and what kinds of request are refused."""

from datetime import timedelta

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import Relationship
from db.grants import Grant
from db.tokens import TokenKind
from sharing.consent import revoke_app
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.people import issue_token, make_patient

QUERY = "{ patient { goals { totalCount } } }"


def _code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_no_credentials_is_401_with_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await post_graphql(client, QUERY)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert _code(response) == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Basic abc", "Bearer ", "Bearer"])
async def test_malformed_or_unknown_token_is_invalid_token(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_expired_token_and_refresh_token_are_refused(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/*.rs"])
    grant = await session.get(Grant, access.grant_id)
    assert grant is not None
    expired = await issue_token(session, grant=grant, lifetime=timedelta(seconds=-1))
    refresh = await issue_token(session, grant=grant, kind=TokenKind.REFRESH)
    await session.commit()
    for token in (expired, refresh):
        response = await post_graphql(client, QUERY, token=token)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_revocation_takes_effect_on_the_next_request(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/Goal.rs"])
    assert (await post_graphql(client, QUERY, token=access.token)).status_code == 200

    await revoke_app(
        session, account_id=access.account.id, grant_id=access.grant_id, source_address=None
    )
    await session.commit()

    response = await post_graphql(client, QUERY, token=access.token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_session_needs_the_csrf_header(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])

    without = await post_graphql(client, QUERY)
    wrong = await post_graphql(client, QUERY, headers={"X-CSRF-Token": "nope"})
    right = await post_graphql(client, QUERY, headers=csrf)

    assert without.status_code == 403 and _code(without) == "FORBIDDEN"
    assert wrong.status_code == 403
    assert right.status_code == 200
    assert right.json()["data"]["patient"]["goals"]["totalCount"] == 0


async def test_get_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": QUERY})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_batching_is_refused(session: AsyncSession, client: httpx.AsyncClient) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/*.rs"])
    response = await client.post(
        "/graphql",
        json=[{"query": QUERY}, {"query": QUERY}],
        headers={"Authorization": f"Bearer {access.token}"},
    )
    assert response.status_code == 400
    assert "Batching" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/x-www-form-urlencoded", b"query=%7B__typename%7D"), ("text/plain", b"{}")],
)
async def test_non_json_bodies_are_refused(
    client: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    response = await client.post("/graphql", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 415


async def test_invalid_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_body_over_the_limit_is_413(client: httpx.AsyncClient, settings: Settings) -> None:
    padding = " " * settings.max_body_bytes
    response = await client.post("/graphql", json={"query": "{ viewer { kind } }" + padding})
    assert response.status_code == 413
    assert _code(response) == "QUERY_TOO_COMPLEX"

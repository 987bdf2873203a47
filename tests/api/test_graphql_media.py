"""GraphQL over HTTP: application/graphql-response+json with the spec's status codes."""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.graphql_media import GRAPHQL_RESPONSE, JSON, negotiate
from tests.builders.graphql import grant_app, post_graphql
from tests.builders.people import make_patient

NEW = {"Accept": GRAPHQL_RESPONSE}


def _code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"*/*, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0, application/json", JSON),
        ("text/html", None),
        ("application/json;q=0", None),
        ("application/json;q=x", None),
    ],
)
def test_negotiation(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


async def test_an_executed_operation_is_200_in_the_new_media_type(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/Goal.rs"])
    ok = await post_graphql(
        client, "{ patient { goals { totalCount } } }", token=access.token, headers=NEW
    )
    assert ok.status_code == 200
    assert ok.headers["content-type"] == GRAPHQL_RESPONSE
    # A field outside the grant is an error beside data: still executed, still 200.
    partial = await post_graphql(
        client, "{ patient { goals { totalCount } labResults { totalCount } } }",
        token=access.token, headers=NEW,
    )  # fmt: skip
    assert partial.status_code == 200
    assert partial.json()["data"]["patient"]["labResults"] is None


@pytest.mark.parametrize(
    ("query", "code"),
    [("{ patient { ", "GRAPHQL_VALIDATION_FAILED"), ("{ nope }", "GRAPHQL_VALIDATION_FAILED")],
)
async def test_a_request_error_is_400_in_both_media_types(
    session: AsyncSession, client: httpx.AsyncClient, query: str, code: str
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/Goal.rs"])
    new = await post_graphql(client, query, token=access.token, headers=NEW)
    assert new.status_code == 400
    assert new.headers["content-type"] == GRAPHQL_RESPONSE
    assert "data" not in new.json() and _code(new) == code
    legacy = await post_graphql(client, query, token=access.token)
    # A request that does not run is a client error in application/json too (docs/graphql.md).
    assert legacy.status_code == 400
    assert legacy.headers["content-type"] == JSON


async def test_http_refusals_have_their_own_codes_and_keep_the_media_type(
    client: httpx.AsyncClient,
) -> None:
    unauthenticated = await post_graphql(client, "{ viewer { kind } }", headers=NEW)
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == GRAPHQL_RESPONSE
    assert unauthenticated.headers["www-authenticate"] == "Bearer"
    assert _code(unauthenticated) == "UNAUTHENTICATED"

    get = await client.get("/graphql", params={"query": "{ viewer { kind } }"}, headers=NEW)
    assert get.status_code == 405
    assert get.headers["allow"] == "POST"
    assert _code(get) == "METHOD_NOT_ALLOWED"

    form = await client.post("/graphql", data={"query": "{ viewer { kind } }"}, headers=NEW)
    assert form.status_code == 415
    assert _code(form) == "UNSUPPORTED_MEDIA_TYPE"

    html = await post_graphql(client, "{ viewer { kind } }", headers={"Accept": "text/html"})
    assert html.status_code == 406
    assert _code(html) == "NOT_ACCEPTABLE"

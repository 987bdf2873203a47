"""Query limits, introspection, suggestions and error masking, all before any resolver runs."""

import json
import logging

import httpx
import pytest
from graphql import get_introspection_query
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import schema.loaders
from api.settings import Settings
from db.accounts import Relationship
from db.activity import ActivityEvent, EventKind
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.people import make_patient
from tests.builders.records import seed_record

DEEP = (
    "{ patient { labResults { edges { node { encounter { diagnoses { encounter { diagnoses "
    "{ encounter { diagnoses { code { system } } } } } } } } } } } }"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(max_query_cost=150)


async def _app_token(session: AsyncSession) -> str:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=1)
    return (await grant_app(session, patient, ["patient/*.rs"])).token


async def _read_events(session: AsyncSession) -> list[ActivityEvent]:
    rows = await session.exec(
        select(ActivityEvent).where(col(ActivityEvent.kind) == EventKind.DATA_READ)
    )
    return list(rows.all())


def _codes(body: dict[str, object]) -> list[str]:
    errors = body["errors"]
    assert isinstance(errors, list)
    return [e["extensions"]["code"] for e in errors]


async def test_too_deep_is_refused_before_any_resolver(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    body = (await post_graphql(client, DEEP, token=token)).json()
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "data" not in body
    [event] = await _read_events(session)
    assert event.outcome == "rejected"
    assert json.loads(event.details)["categories"] == {}


async def test_too_many_aliases(session: AsyncSession, client: httpx.AsyncClient) -> None:
    token = await _app_token(session)
    query = "{ " + " ".join(f"a{i}: viewer {{ kind }}" for i in range(16)) + " }"
    body = (await post_graphql(client, query, token=token)).json()
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]
    within = "{ " + " ".join(f"a{i}: viewer {{ kind }}" for i in range(15)) + " }"
    assert "errors" not in (await post_graphql(client, within, token=token)).json()


async def test_too_many_tokens(session: AsyncSession, client: httpx.AsyncClient) -> None:
    token = await _app_token(session)
    query = "{ viewer { " + "kind " * 2000 + "} }"
    body = (await post_graphql(client, query, token=token)).json()
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]


async def test_cost_counts_page_sizes(session: AsyncSession, client: httpx.AsyncClient) -> None:
    token = await _app_token(session)
    cheap = "{ patient { goals(first: 100) { totalCount } problems(first: 50) { totalCount } } }"
    costly = "{ patient { goals(first: 100) { totalCount } problems(first: 51) { totalCount } } }"
    assert "errors" not in (await post_graphql(client, cheap, token=token)).json()
    body = (await post_graphql(client, costly, token=token)).json()
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]


async def test_page_size_over_100_is_bad_input(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    body = (
        await post_graphql(client, "{ patient { goals(first: 101) { totalCount } } }", token=token)
    ).json()
    assert _codes(body) == ["BAD_USER_INPUT"]
    assert body["data"]["patient"]["goals"] is None


async def test_no_introspection_for_apps_but_graphiql_works_for_accounts(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    token = await _app_token(session)
    app_body = (await post_graphql(client, "{ __schema { types { name } } }", token=token)).json()
    assert set(_codes(app_body)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "data" not in app_body

    patient = await make_patient(session)
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    account_body = (await post_graphql(client, get_introspection_query(), headers=csrf)).json()
    assert "errors" not in account_body
    names = {t["name"] for t in account_body["data"]["__schema"]["types"]}
    assert {"Patient", "LabResult", "AuthorizedApp"} <= names


async def test_unknown_fields_get_no_suggestions(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    body = (
        await post_graphql(client, "{ patient { labResult { totalCount } } }", token=token)
    ).json()
    assert _codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean" not in json.dumps(body)
    variables = {"c": "LAB_RESULT"}
    query = (
        'mutation M($c: DataCategory!) { updateAppGrant(input: {grantId: "x", '
        "categories: [$c]}) { userErrors { code } } }"
    )
    body = (await post_graphql(client, query, token=token, variables=variables)).json()
    assert _codes(body) == ["BAD_USER_INPUT"]
    assert "Did you mean" not in json.dumps(body)


async def test_syntax_errors_are_validation_failures(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    body = (await post_graphql(client, "{ patient { ", token=token)).json()
    assert _codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_unexpected_errors_are_masked_and_logged_without_data(
    session: AsyncSession,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = await _app_token(session)

    async def explode(*args: object, **kwargs: object) -> object:
        raise RuntimeError("glucose 7.9 mmol/L for Ada")

    monkeypatch.setattr(schema.loaders, "count_patient_records_many", explode)
    with caplog.at_level(logging.ERROR):
        body = (
            await post_graphql(
                client, "{ patient { goals { totalCount } } viewer { kind } }", token=token
            )
        ).json()
    assert body["errors"] == [
        {
            "message": "Unexpected error.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            "locations": [{"line": 1, "column": 21}],
            "path": ["patient", "goals", "totalCount"],
        }
    ]
    assert body["data"]["viewer"] == {"kind": "APP"}
    assert "glucose" not in caplog.text
    assert "RuntimeError" in caplog.text

"""Query limits, introspection, suggestions and error masking, all before any resolver runs."""

import asyncio
import json
import logging
import time
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

import schema.loaders
from api.settings import Settings
from db import records_query
from db.accounts import Relationship
from db.activity import ActivityEvent, EventKind
from schema.execution import MAX_ERRORS
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


ALIASED_FRAGMENT = (
    "fragment F on Patient { "
    + " ".join(f"f{i}: goals(first: 1) {{ totalCount }}" for i in range(7))
    + " }"
)


async def test_aliases_in_fragments_count_every_time_the_fragment_is_used(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    spread = "{ " + " ".join(f"p{i}: patient {{ ...F }}" for i in range(8)) + " } "
    response = await post_graphql(client, spread + ALIASED_FRAGMENT, token=token)
    assert response.status_code == 400
    assert _codes(response.json()) == ["QUERY_TOO_COMPLEX"]
    assert "data" not in response.json()
    once = "{ p0: patient { ...F } } " + ALIASED_FRAGMENT
    assert "errors" not in (await post_graphql(client, once, token=token)).json()


async def test_nested_fragments_are_measured_without_expanding_them(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    # Each fragment uses the next one twice: 2**40 uses of the last if expanded naively.
    chain = " ".join(
        f"fragment F{i} on Patient {{ a{i}: id ...F{i + 1} ...F{i + 1} }}" for i in range(40)
    )
    query = "{ patient { ...F0 } } " + chain + " fragment F40 on Patient { id }"
    started = time.monotonic()
    response = await post_graphql(client, query, token=token)
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert _codes(response.json()) == ["QUERY_TOO_COMPLEX"]


async def test_fragment_cycles_are_validation_errors(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    query = "{ patient { ...A } } fragment A on Patient { id ...B } fragment B on Patient { ...A }"
    response = await post_graphql(client, query, token=token)
    assert response.status_code == 400
    assert set(_codes(response.json())) == {"GRAPHQL_VALIDATION_FAILED"}


def _diagnoses(first: int) -> str:
    return (
        f"{{ patient {{ encounters(first: {first}) "
        "{ edges { node { diagnoses { id } } } } } }"
    )


async def test_lists_without_a_page_size_count_their_assumed_size(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    # 7 encounters + 7 x 20 assumed diagnoses = 147 <= 150; 8 + 8 x 20 = 168 > 150.
    assert "errors" not in (await post_graphql(client, _diagnoses(7), token=token)).json()
    response = await post_graphql(client, _diagnoses(8), token=token)
    assert response.status_code == 400
    assert _codes(response.json()) == ["QUERY_TOO_COMPLEX"]


async def test_unpaged_lists_multiply_through_nesting(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    # 1 + 20 diagnoses, each with its encounter's 20 diagnoses: far more than 150.
    nested = (
        "{ patient { encounters(first: 1) { edges { node { diagnoses { encounter { "
        "diagnoses { id } } } } } } } }"
    )
    body = (await post_graphql(client, nested, token=token)).json()
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]


async def test_a_response_over_the_ceiling_is_refused(
    session: AsyncSession, client: httpx.AsyncClient, app: Starlette
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=5)
    token = (await grant_app(session, patient, ["patient/*.rs"])).token
    query = "{ patient { labResults(first: 5) { edges { node { id code { display } } } } } }"
    fits = await post_graphql(client, query, token=token)
    assert fits.status_code == 200 and "errors" not in fits.json()
    # Half the size: the compiled path's JSON and Strawberry's differ in spacing, not in content.
    app.state.settings = app.state.settings.with_overrides(
        max_response_bytes=len(fits.content) // 2
    )
    response = await post_graphql(client, query, token=token)
    assert response.status_code == 400
    assert _codes(response.json()) == ["QUERY_TOO_COMPLEX"]
    assert "larger than" in response.json()["errors"][0]["message"]
    events = await _read_events(session)
    assert [e.outcome for e in events] == ["success", "rejected"]
    assert json.loads(events[1].details)["categories"] == {}


async def test_a_query_past_its_time_budget_is_refused(
    session: AsyncSession,
    client: httpx.AsyncClient,
    app: Starlette,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = await _app_token(session)
    # Strawberry's budget between reads (the compiled path is one statement, bounded by the
    # database's statement timeout: tests/db/test_engine.py).
    app.state.settings = app.state.settings.with_overrides(
        max_query_seconds=0.3, compiled_reads=False
    )
    real = records_query.count_patient_records_many

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.5)
        return await real(*args, **kwargs)

    monkeypatch.setattr(schema.loaders, "count_patient_records_many", slow)
    query = "{ patient { goals { totalCount } problems { totalCount } } }"
    started = time.monotonic()
    first = await post_graphql(client, "{ patient { goals { totalCount } } }", token=token)
    second = await post_graphql(client, query, token=token)
    assert time.monotonic() - started < 3
    for response in (first, second):
        assert response.status_code == 400, response.text
        assert _codes(response.json()) == ["QUERY_TOO_COMPLEX"]
        assert "data" not in response.json()


async def test_repeated_and_unknown_directives_are_one_error_each(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    unknown = "{ viewer { kind " + "@nope " * 300 + "} }"
    body = (await post_graphql(client, unknown, token=token)).json()
    assert len(body["errors"]) == 1
    assert _codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    repeated = "{ viewer { kind " + "@skip(if: false) " * 200 + "} }"
    body = (await post_graphql(client, repeated, token=token)).json()
    assert len(body["errors"]) == 1


async def test_errors_in_one_response_are_capped(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    token = await _app_token(session)
    distinct = "{ viewer { kind " + " ".join(f"@d{i}" for i in range(300)) + " } }"
    body = (await post_graphql(client, distinct, token=token)).json()
    assert len(body["errors"]) == MAX_ERRORS
    assert "more errors were left out" in body["errors"][-1]["message"]

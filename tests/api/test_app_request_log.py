"""Every request presenting an app token is one activity event, refused and failed ones too."""

import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from api.settings import Settings
from db.accounts import Relationship
from db.activity import ActivityEvent, EventKind
from db.apps import App, AppStatus
from db.columns import utcnow
from db.grants import Grant, revoke_grant
from db.tokens import Token
from sharing.scopes import CategoryKey
from tests.builders.graphql import AppAccess, grant_app, post_graphql
from tests.builders.people import issue_token, make_patient
from tests.builders.records import seed_record

LABS = (
    "patient/Observation.rs?category="
    "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
)
ACTIVITY = """query { activityLog(first: 20) { edges { node {
    kind outcome summary deniedCategories { key label } } } } }"""


@pytest.fixture
async def access(session: AsyncSession) -> AppAccess:
    patient = await make_patient(session)
    return await grant_app(session, patient, [LABS])


async def _events(session: AsyncSession, grant_id: int | None = None) -> list[ActivityEvent]:
    statement = select(ActivityEvent).order_by(col(ActivityEvent.id))
    if grant_id is not None:
        statement = statement.where(col(ActivityEvent.grant_id) == grant_id)
    rows = (await session.exec(statement.execution_options(populate_existing=True))).all()
    return [e for e in rows if e.kind not in (EventKind.CONSENT, EventKind.REVOCATION)]


def _bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


REFUSALS: list[tuple[str, dict[str, Any], int]] = [
    ("GET", {}, 405),
    ("POST", {"content": b"query=1", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", {"json": [{"query": "{ viewer { kind } }"}]}, 400),
    (
        "POST",
        {"content": b"{" + b" " * 70_000 + b"}", "headers": {"Content-Type": "application/json"}},
        413,
    ),
]


@pytest.mark.parametrize(("method", "request_args", "status"), REFUSALS)
async def test_a_refused_request_is_one_event(
    session: AsyncSession,
    client: httpx.AsyncClient,
    access: AppAccess,
    method: str,
    request_args: dict[str, Any],
    status: int,
) -> None:
    body = {k: v for k, v in request_args.items() if k != "headers"}  # shared by both backends
    headers = {**request_args.get("headers", {}), **_bearer(access.token)}
    response = await client.request(method, "/graphql", headers=headers, **body)
    assert response.status_code == status
    [event] = await _events(session, access.grant_id)
    assert (event.kind, event.outcome, event.source_address) == (
        EventKind.DATA_READ, "rejected", "203.0.113.7"
    )  # fmt: skip
    assert json.loads(event.details)["status"] == status


async def test_refusals_limit_violations_and_reads_are_one_event_each(
    session: AsyncSession, client: httpx.AsyncClient, access: AppAccess
) -> None:
    wrong_method = await client.get("/graphql", headers=_bearer(access.token))
    deep = "{ patient " + "{ id " * 30 + "}" * 31
    too_deep = await post_graphql(client, deep, token=access.token)
    read = await post_graphql(client, "{ patient { id } }", token=access.token)
    assert wrong_method.status_code == 405 and read.status_code == 200
    assert too_deep.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    events = await _events(session, access.grant_id)
    assert [(e.kind, e.outcome) for e in events] == [
        (EventKind.DATA_READ, "rejected"),
        (EventKind.DATA_READ, "rejected"),
        (EventKind.DATA_READ, "success"),
    ]
    assert json.loads(events[0].details)["status"] == 405


@pytest.fixture
async def crashing_client(
    app: Starlette, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    async def crash(*args: object, **kwargs: object) -> dict[str, Any]:
        raise RuntimeError("a bug")

    # Whichever executor answers (the compiled read path or Strawberry) crashes.
    monkeypatch.setattr("api.graphql_endpoint.run_compiled", crash)
    monkeypatch.setattr("api.graphql_endpoint.run_operation", crash)
    transport = httpx.ASGITransport(
        app=app, client=("203.0.113.7", 50000), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
        yield client


async def test_a_server_error_is_logged_although_its_transaction_rolled_back(
    session: AsyncSession, crashing_client: httpx.AsyncClient, access: AppAccess
) -> None:
    response = await post_graphql(crashing_client, "{ patient { id } }", token=access.token)
    assert response.status_code == 500
    [event] = await _events(session, access.grant_id)
    assert (event.kind, event.outcome) == (EventKind.DATA_READ, "error")
    assert json.loads(event.details)["status"] == 500


async def _end(session: AsyncSession, access: AppAccess, how: str) -> None:
    grant = await session.get(Grant, access.grant_id)
    assert grant is not None
    if how == "revoked":
        await revoke_grant(
            session, grant=grant, reason="revoked_by_patient", account_id=None, source_address=None
        )
    elif how == "grant expired":
        grant.expires_at = utcnow() - timedelta(minutes=1)
        session.add(grant)
    elif how == "app suspended":
        app = await session.get(App, grant.app_id)
        assert app is not None
        app.status = AppStatus.SUSPENDED
        session.add(app)
    else:
        tokens = (await session.exec(select(Token).where(Token.grant_id == grant.id))).all()
        for token in tokens:
            token.expires_at = utcnow() - timedelta(seconds=1)
            session.add(token)
    await session.commit()


@pytest.mark.parametrize("how", ["revoked", "grant expired", "token expired", "app suspended"])
async def test_ended_access_is_logged_for_the_patient(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    access: AppAccess,
    how: str,
) -> None:
    await _end(session, access, how)
    response = await post_graphql(client, "{ patient { id } }", token=access.token)
    assert response.status_code == 401
    [event] = await _events(session, access.grant_id)
    assert (event.kind, event.outcome) == (EventKind.ENDED_ACCESS_USED, "denied")
    assert event.patient_id is not None and event.app_id == access.app_id
    assert json.loads(event.details)["grant_ended"] == (how in ("revoked", "grant expired"))


async def test_an_unknown_token_goes_to_the_server_log_without_the_token(
    session: AsyncSession, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    forged = "forged-token-value-" + "x" * 30
    with caplog.at_level(logging.WARNING, logger="chartshare.app_requests"):
        response = await post_graphql(client, "{ patient { id } }", token=forged)
    assert response.status_code == 401
    assert await _events(session) == []
    [record] = [r for r in caplog.records if r.name == "chartshare.app_requests"]
    message = record.getMessage()
    assert "203.0.113.7" in message and "401" in message
    assert forged not in message and "forged-token" not in message


async def test_the_patient_sees_ended_access_and_refused_categories(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    from tests.builders.graphql import sign_in

    patient = await make_patient(session)
    await seed_record(session, patient, per_category=1, tag="t")
    await session.commit()
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    access = await grant_app(session, patient, [LABS], app_name="Tracker")
    query = (
        "{ patient { labResults(first: 5) { totalCount } medications(first: 5) { totalCount } "
        "allergies(first: 5) { totalCount } } }"
    )
    read = await post_graphql(client, query, token=access.token)
    assert {e["extensions"]["code"] for e in read.json()["errors"]} == {"INSUFFICIENT_SCOPE"}
    grant = await session.get(Grant, access.grant_id)
    assert grant is not None
    stale = await issue_token(session, grant=grant, lifetime=timedelta(seconds=-1))
    await session.commit()
    assert (await post_graphql(client, "{ patient { id } }", token=stale)).status_code == 401
    log = (await post_graphql(client, ACTIVITY, headers=csrf)).json()["data"]["activityLog"]
    ended, denied = log["edges"][0]["node"], log["edges"][1]["node"]
    assert ended["kind"] == "ENDED_ACCESS_USED"
    assert (
        ended["summary"]
        == "Tracker, whose access had ended, tried to read your record and was refused."
    )
    assert [c["key"] for c in denied["deniedCategories"]] == [
        CategoryKey.ALLERGIES.name, CategoryKey.MEDICATIONS.name
    ]  # fmt: skip
    assert denied["summary"] == (
        "Tracker read 1 lab result. It was refused allergies and medications: "
        "you have not shared them with it."
    )


async def test_fhir_requests_are_one_event_each_refused_or_answered(
    session: AsyncSession, client: httpx.AsyncClient, access: AppAccess
) -> None:
    bearer = _bearer(access.token)
    wrong_method = await client.delete("/fhir/Observation", headers=bearer)
    wrong_format = await client.get("/fhir/Patient/1?_format=xml", headers=bearer)
    search = await client.get("/fhir/Observation?category=laboratory", headers=bearer)
    assert [r.status_code for r in (wrong_method, wrong_format, search)] == [405, 400, 200]
    events = await _events(session, access.grant_id)
    assert [(e.outcome, json.loads(e.details).get("status")) for e in events] == [
        ("rejected", 405),
        ("rejected", 400),
        ("success", None),
    ]
    await _end(session, access, "revoked")
    ended = await client.get("/fhir/Observation", headers=bearer)
    assert ended.status_code == 401
    last = (await _events(session, access.grant_id))[-1]
    assert (last.kind, last.outcome) == (EventKind.ENDED_ACCESS_USED, "denied")

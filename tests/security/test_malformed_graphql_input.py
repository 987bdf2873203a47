"""Crafted IDs, cursors and date bounds are BAD_USER_INPUT or plain answers, never internal errors.

Each case used to reach the database as an out-of-range integer, a date compared with a
timestamp column, a naive datetime or an overflowing day, and came back as a masked
INTERNAL_SERVER_ERROR (on PostgreSQL it also aborted the request's transaction).
"""

import base64
import json

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import Relationship
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.people import make_patient
from tests.builders.records import seed_record

HUGE = 99_999_999_999_999_999_999
# Past PostgreSQL's 32-bit INTEGER id columns, yet within a 64-bit integer.
PAST_INT32 = 2**31


def _id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _cursor(raw: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()


NODE = "query N($id: ID!) { node(id: $id) { id } }"
PAGE = "query P($a: String) { patient { %s(first: 2, after: $a) { edges { node { id } } } } }"
APP_CASES = [
    (NODE, {"id": _id(f"LabResult:{HUGE}")}),
    (NODE, {"id": _id(f"Patient:{HUGE}")}),
    (NODE, {"id": _id("LabResult:2**70")}),
    (PAGE % "labResults", {"a": _cursor(["t", "2024-01-01T00:00:00+00:00", HUGE])}),
    (PAGE % "careTeam", {"a": _cursor(["d", "2024-01-01", HUGE])}),
    (PAGE % "labResults", {"a": _cursor(["d", "2024-01-01", 1])}),  # a day on a timed list
    (PAGE % "careTeam", {"a": _cursor(["t", "2024-01-01T00:00:00+00:00", 1])}),
    (PAGE % "labResults", {"a": _cursor(["t", "2024-01-01T00:00:00", 1])}),  # no zone
    (PAGE % "labResults", {"a": _cursor(["t", "2024-01-01T00:00:00+00:00", True])}),
    ('query { patient { labResults(until: "9999-12-31") { totalCount } } }', None),
    (NODE, {"id": _id(f"LabResult:{PAST_INT32}")}),
    (NODE, {"id": _id(f"Encounter:{2**63 - 1}")}),
    (NODE, {"id": _id(f"CareTeamMember:{PAST_INT32}")}),
    (PAGE % "labResults", {"a": _cursor(["t", "2024-01-01T00:00:00+00:00", PAST_INT32])}),
    (PAGE % "goals", {"a": _cursor(["d", "2024-01-01", PAST_INT32])}),
    (PAGE % "goals", {"a": _cursor(["d", "2024-01-01", 2**63 - 1])}),
    # Moments whose UTC lies outside datetime's years.
    (PAGE % "labResults", {"a": _cursor(["t", "9999-12-31T23:59:59-14:00", 1])}),
    (
        "query P($b: String) { patient { labResults(last: 2, before: $b) { totalCount } } }",
        {"b": _cursor(["t", "0001-01-01T00:00:00+14:00", 1])},
    ),
    ('query { patient { careTeam(until: "9999-12-31") { totalCount } } }', None),
]
ACCOUNT_CASES = [
    (
        "query A($a: String) { activityLog(after: $a) { totalCount } }",
        {"a": _cursor(["i", HUGE, HUGE])},
    ),
    ("query A($id: ID) { activityLog(appId: $id) { totalCount } }", {"id": _id(f"App:{HUGE}")}),
    (
        "query A($a: String) { activityLog(after: $a) { totalCount } }",
        {"a": _cursor(["i", PAST_INT32, PAST_INT32])},
    ),
    (
        "query A($id: ID) { activityLog(appId: $id) { totalCount } }",
        {"id": _id(f"App:{PAST_INT32}")},
    ),
    (
        "mutation R($id: ID!) { revokeApp(input: {grantId: $id}) { userErrors { code } } }",
        {"id": _id(f"Grant:{PAST_INT32}")},
    ),
    ('query { activityLog(since: "2024-01-01T00:00:00") { totalCount } }', None),
    (
        "mutation R($id: ID!) { revokeApp(input: {grantId: $id}) { userErrors { code } } }",
        {"id": _id(f"Grant:{HUGE}")},
    ),
    (
        "mutation U($id: ID!) { updateAppGrant(input: {grantId: $id, categories: [GOALS]}) "
        "{ userErrors { code } } }",
        {"id": _id(f"Grant:{HUGE}")},
    ),
]


def _codes(body: dict[str, object]) -> list[str]:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return [e["extensions"]["code"] for e in errors]


@pytest.mark.parametrize(("query", "variables"), APP_CASES)
async def test_crafted_ids_cursors_and_dates_from_an_app_are_user_errors(
    session: AsyncSession,
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, object] | None,
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=1)
    access = await grant_app(session, patient, ["patient/*.rs"])

    response = await post_graphql(client, query, token=access.token, variables=variables)

    assert response.status_code == 200
    assert set(_codes(response.json())) <= {"BAD_USER_INPUT", "NOT_FOUND"}


@pytest.mark.parametrize(("query", "variables"), ACCOUNT_CASES)
async def test_crafted_ids_cursors_and_dates_from_an_account_are_user_errors(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    query: str,
    variables: dict[str, object] | None,
) -> None:
    patient = await make_patient(session)
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])

    response = await post_graphql(client, query, variables=variables, headers=csrf)

    assert response.status_code == 200
    assert set(_codes(response.json())) <= {"BAD_USER_INPUT", "NOT_FOUND"}


async def test_an_id_is_read_only_in_its_canonical_form(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    seeded = await seed_record(session, patient, per_category=1)
    access = await grant_app(session, patient, ["patient/*.rs"])
    [lab_id] = seeded.ids[next(k for k in seeded.ids if k.value == "lab_results")]

    for spelling in (f" {lab_id}", f"+{lab_id}", f"0{lab_id}", f"{lab_id}\n"):
        response = await post_graphql(
            client, NODE, token=access.token, variables={"id": _id(f"LabResult:{spelling}")}
        )
        assert _codes(response.json()) == ["BAD_USER_INPUT"], spelling
    canonical = await post_graphql(
        client, NODE, token=access.token, variables={"id": _id(f"LabResult:{lab_id}")}
    )
    assert canonical.json()["data"]["node"] is not None

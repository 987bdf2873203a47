"""Backward pagination (`last`/`before`) on every connection, mirroring `first`/`after`."""

from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import Relationship
from tests.builders.graphql import PATIENT_FIELDS, grant_app, post_graphql, sign_in
from tests.builders.people import make_patient
from tests.builders.records import seed_record

FORWARD = """query F($after: String) { patient { %s(first: 2, after: $after) {
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } } } } }"""
BACKWARD = """query B($before: String) { patient { %s(last: 2, before: $before) {
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } } } } }"""
ACTIVITY = """query A($first: Int, $last: Int, $after: String, $before: String) {
  activityLog(first: $first, last: $last, after: $after, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } } } }"""


async def _page(client: httpx.AsyncClient, query: str, **kwargs: Any) -> Any:
    response = await post_graphql(client, query, **kwargs)
    body = response.json()
    assert "errors" not in body, body
    if "patient" in body["data"]:
        return next(iter(body["data"]["patient"].values()))
    return body["data"]["activityLog"]


def _ids(page: Any) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


async def test_every_category_pages_backward_to_the_same_order(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=3)
    access = await grant_app(session, patient, ["patient/*.rs"])
    for name in PATIENT_FIELDS:
        forward = await _page(client, FORWARD % name, token=access.token)
        rest = await _page(
            client, FORWARD % name, token=access.token,
            variables={"after": forward["pageInfo"]["endCursor"]},
        )  # fmt: skip
        newest_first = _ids(forward) + _ids(rest)

        oldest = await _page(client, BACKWARD % name, token=access.token)
        assert _ids(oldest) == newest_first[1:], name
        assert oldest["pageInfo"]["hasPreviousPage"] is True, name
        assert oldest["pageInfo"]["hasNextPage"] is False, name
        newest = await _page(
            client, BACKWARD % name, token=access.token,
            variables={"before": oldest["pageInfo"]["startCursor"]},
        )  # fmt: skip
        assert _ids(newest) == newest_first[:1], name
        assert newest["pageInfo"]["hasPreviousPage"] is False, name
        assert newest["pageInfo"]["hasNextPage"] is True, name


async def test_mixing_directions_is_bad_user_input(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/Goal.rs"])
    response = await post_graphql(
        client, "{ patient { goals(first: 1, last: 1) { totalCount } } }", token=access.token
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    too_big = await post_graphql(
        client, "{ patient { goals(last: 101) { totalCount } } }", token=access.token
    )
    assert too_big.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_activity_log_pages_backward(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    account, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    for n in range(3):
        await grant_app(session, patient, ["patient/Goal.rs"], account=account, app_name=f"A{n}")
    everything = await _page(client, ACTIVITY, headers=csrf, variables={"first": 100})
    newest_first = _ids(everything)
    assert len(newest_first) == 3
    oldest = await _page(client, ACTIVITY, headers=csrf, variables={"last": 2})
    assert _ids(oldest) == newest_first[1:]
    assert oldest["pageInfo"]["hasPreviousPage"] is True
    newer = await _page(
        client, ACTIVITY, headers=csrf,
        variables={"last": 2, "before": oldest["pageInfo"]["startCursor"]},
    )  # fmt: skip
    assert _ids(newer) == newest_first[:1]
    assert newer["pageInfo"]["hasPreviousPage"] is False

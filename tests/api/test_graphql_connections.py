"""Every category list pages with first/after, counts, and filters by date and status."""

from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from sharing.scopes import CategoryKey
from tests.builders.graphql import PATIENT_FIELDS, grant_app, post_graphql
from tests.builders.people import make_patient
from tests.builders.records import make_record, seed_record

K = CategoryKey
PAGE = """query P($first: Int!, $after: String) { patient { %s(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }"""
FILTERED = """query F($since: Date, $until: Date, $status: [String!]) { patient {
  %s(since: $since, until: $until, status: $status) { totalCount edges { node { id } } } } }"""


async def _list(client: httpx.AsyncClient, token: str, query: str, **variables: Any) -> Any:
    body = (await post_graphql(client, query, token=token, variables=variables)).json()
    assert "errors" not in body, body
    return next(iter(body["data"]["patient"].values()))


async def test_every_category_pages_with_cursors_and_a_total(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    seeded = await seed_record(session, patient, per_category=3)
    access = await grant_app(session, patient, ["patient/*.rs"])
    for name in PATIENT_FIELDS:
        first = await _list(client, access.token, PAGE % name, first=2)
        assert first["totalCount"] == 3, name
        assert first["pageInfo"]["hasNextPage"] is True, name
        assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"], name
        rest = await _list(
            client, access.token, PAGE % name, first=2, after=first["pageInfo"]["endCursor"]
        )
        assert rest["totalCount"] == 3 and rest["pageInfo"]["hasNextPage"] is False, name
        ids = [e["node"]["id"] for e in first["edges"] + rest["edges"]]
        assert len(ids) == len(set(ids)) == 3, name
    assert len(seeded.ids) == len(PATIENT_FIELDS) + 2  # demographics and encounter diagnoses


async def test_every_category_filters_by_an_inclusive_date_range(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=3)  # dated 2024-06-01, 05-31, 05-30
    access = await grant_app(session, patient, ["patient/*.rs"])
    for name in PATIENT_FIELDS:
        one_day = await _list(
            client, access.token, FILTERED % name, since="2024-05-31", until="2024-05-31"
        )
        assert one_day["totalCount"] == len(one_day["edges"]) == 1, name
        from_day = await _list(client, access.token, FILTERED % name, since="2024-05-31")
        assert from_day["totalCount"] == 2, name
        to_day = await _list(client, access.token, FILTERED % name, until="2024-05-30")
        assert to_day["totalCount"] == 1, name


async def test_status_filters_keep_any_of_the_given_statuses(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    for n in range(3):  # n even: active; odd: resolved problems, stopped medications
        await make_record(session, K.PROBLEMS, patient, n=n)
        await make_record(session, K.MEDICATIONS, patient, n=n)
    access = await grant_app(session, patient, ["patient/*.rs"])
    cases = [
        ("problems", ["active"], 2),
        ("problems", ["resolved"], 1),
        ("medications", ["active"], 2),
        ("medications", ["active", "stopped"], 3),
        ("medications", ["no-such-status"], 0),
    ]
    for name, status, expected in cases:
        page = await _list(client, access.token, FILTERED % name, status=status)
        assert page["totalCount"] == len(page["edges"]) == expected, (name, status)

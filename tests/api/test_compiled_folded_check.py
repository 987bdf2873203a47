"""The token check folded into the data statement decides exactly as the separate check.

After a token's first request, the compiled path checks the token inside the statement
that reads the data (one round trip). These tests make sure that a token revoked,
expired or narrowed in between is refused or narrowed on the very next request, that
the folded answer is the same as the unfolded one, and that each is logged.
"""

from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from api.bearer import ACCESS_SHAPES
from db.activity import ActivityEvent, EventKind
from db.columns import utcnow
from db.tokens import Token, hash_secret
from sharing.consent import narrow_app_grant, revoke_app
from sharing.scopes import CategoryKey
from tests.api.test_graphql_statements import counting
from tests.builders.graphql import full_record_query, grant_app, post_graphql
from tests.builders.people import make_patient
from tests.builders.records import seed_record

LABS = "{ patient { birthDate labResults(first: 2) { totalCount edges { node { id } } } } }"


def _folded(statements: list[str]) -> bool:
    return len(statements) == 3 and "token.token_hash" in statements[0]


async def test_the_second_request_is_answered_with_the_folded_check_and_the_same_body(
    session: AsyncSession, client: httpx.AsyncClient, app: Starlette
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=3)
    access = await grant_app(session, patient, ["patient/*.rs"])
    query = full_record_query(first=2)

    with counting(app) as first_statements:
        first = await post_graphql(client, query, token=access.token)
    with counting(app) as second_statements:
        second = await post_graphql(client, query, token=access.token)

    assert not _folded(first_statements)  # the token's first request checks it on its own
    assert _folded(second_statements), [s[:80] for s in second_statements]
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"] == second.headers["content-type"]
    assert first.content == second.content
    events = (
        await session.exec(
            select(ActivityEvent).where(col(ActivityEvent.grant_id) == access.grant_id)
        )
    ).all()
    reads = [e for e in events if e.kind == EventKind.DATA_READ]
    assert len(reads) == 2
    assert reads[0].details == reads[1].details


async def test_a_token_revoked_after_its_first_request_is_refused_on_the_next(
    session: AsyncSession, client: httpx.AsyncClient, app: Starlette
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=1)
    access = await grant_app(session, patient, ["patient/*.rs"])
    assert (await post_graphql(client, LABS, token=access.token)).status_code == 200

    await revoke_app(
        session, account_id=access.account.id, grant_id=access.grant_id, source_address=None
    )
    await session.commit()

    with counting(app) as statements:
        refused = await post_graphql(client, LABS, token=access.token)
    assert refused.status_code == 401
    assert "data" not in refused.json()
    assert "token.token_hash" in statements[0]  # the folded check ran and found no live token
    assert hash_secret(access.token) not in ACCESS_SHAPES._items


async def test_a_token_that_expired_after_its_first_request_is_refused_on_the_next(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/*.rs"])
    assert (await post_graphql(client, LABS, token=access.token)).status_code == 200

    await session.exec(
        update(Token)
        .where(col(Token.token_hash) == hash_secret(access.token))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()

    assert (await post_graphql(client, LABS, token=access.token)).status_code == 401


async def test_a_grant_narrowed_after_the_first_request_is_narrowed_on_the_next(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=1)
    access = await grant_app(session, patient, ["patient/*.rs"])
    before = (await post_graphql(client, LABS, token=access.token)).json()
    assert before["data"]["patient"]["labResults"]["totalCount"] == 1

    await narrow_app_grant(
        session,
        account_id=access.account.id,
        grant_id=access.grant_id,
        categories=frozenset({CategoryKey.DEMOGRAPHICS}),
        source_address=None,
    )
    await session.commit()

    after = (await post_graphql(client, LABS, token=access.token)).json()
    assert after["data"]["patient"] == {"birthDate": "1980-01-01", "labResults": None}
    assert [e["extensions"]["code"] for e in after["errors"]] == ["INSUFFICIENT_SCOPE"]
    # And the request after that runs folded again, for the narrowed grant.
    again = (await post_graphql(client, LABS, token=access.token)).json()
    assert again == after


async def test_another_token_never_rides_on_a_remembered_check(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    mine = await make_patient(session)
    theirs = await make_patient(session, given_name="Other")
    await seed_record(session, mine, per_category=1, tag="mine")
    await seed_record(session, theirs, per_category=2, tag="theirs")
    my_access = await grant_app(session, mine, ["patient/*.rs"])
    their_access = await grant_app(session, theirs, ["patient/Patient.rs"])
    for _ in range(2):
        mine_body = (await post_graphql(client, LABS, token=my_access.token)).json()
        their_body = (await post_graphql(client, LABS, token=their_access.token)).json()
        assert mine_body["data"]["patient"]["labResults"]["totalCount"] == 1
        assert their_body["data"]["patient"]["labResults"] is None
    forged = await post_graphql(client, LABS, token=my_access.token + "x")
    assert forged.status_code == 401

"""DataLoaders keep the number of SQL statements independent of page sizes and row counts.

These tests measure the Strawberry executor, so the compiled read path is switched off.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from api.settings import Settings
from tests.builders.graphql import PATIENT_FIELDS, full_record_query, grant_app, post_graphql
from tests.builders.people import make_patient
from tests.builders.records import seed_record


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(compiled_reads=False)


# Authentication (token lookup, grant update), the patient, the DATA_READ event.
FIXED_STATEMENTS = 4
# Per category: one page and one count. Links selected by the full-record query.
LINK_FIELDS = 13


@contextmanager
def counting(app: Starlette) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)


async def test_statement_count_is_bounded_by_categories_and_links(
    session: AsyncSession, client: httpx.AsyncClient, app: Starlette
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=12)
    access = await grant_app(session, patient, ["patient/*.rs"])
    await post_graphql(client, "{ patient { birthDate } }", token=access.token)  # sets last_used_at

    with counting(app) as small:
        first = await post_graphql(client, full_record_query(first=2), token=access.token)
    with counting(app) as large:
        second = await post_graphql(client, full_record_query(first=100), token=access.token)

    assert "errors" not in first.json() and "errors" not in second.json()
    bound = FIXED_STATEMENTS + 2 * len(PATIENT_FIELDS) + LINK_FIELDS
    assert len(large) <= bound, "\n".join(large)
    assert len(small) == len(large)
    edges = second.json()["data"]["patient"]["labResults"]["edges"]
    assert len(edges) == 12

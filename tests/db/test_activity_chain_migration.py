"""Migration 0005c links the events stored before it and keeps the log append-only."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.activity import EventKind
from db.activity_verify import ChainReport, verify_activity_chains
from db.engine import create_engine, create_session_factory
from migrations import downgrade, upgrade
from tests import databases

BEFORE_CHAIN = "8f4a2d6c3b17"
AT = datetime(2026, 11, 1, 10, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture(params=databases.selected_backends())
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'chain.db'}"
        return
    url = databases.create_postgres_database()
    try:
        yield url
    finally:
        databases.drop_postgres_database(url)


async def _insert_old_events(url: str) -> None:
    engine = create_engine(url)
    rows = [(1, 10), (None, 10), (2, 11), (1, 10), (None, None)] * 3
    postgresql = engine.dialect.name == "postgresql"
    try:
        async with engine.begin() as connection:
            for patient_id, account_id in rows:
                await connection.execute(
                    text(
                        "INSERT INTO activity_event (occurred_at, kind, outcome, account_id, "
                        "patient_id, details) VALUES (:at, :kind, 'success', :account, "
                        ":patient, '{\"k\": 1}')"
                    ),
                    {
                        "at": AT if postgresql else AT.replace(tzinfo=None).isoformat(sep=" "),
                        "kind": EventKind.CONSENT.value,
                        "account": account_id,
                        "patient": patient_id,
                    },
                )
    finally:
        await engine.dispose()


async def _verify(url: str) -> ChainReport:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            return await verify_activity_chains(session)
    finally:
        await engine.dispose()


async def _try_update(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE activity_event SET outcome = 'x'"))
    finally:
        await engine.dispose()


def test_existing_events_are_chained_and_stay_append_only(database: str) -> None:
    upgrade(database, BEFORE_CHAIN)
    databases.run_coroutine(_insert_old_events(database))
    upgrade(database)
    report = databases.run_coroutine(_verify(database))
    assert (report.events, report.chains, report.broken) == (15, 4, None)
    with pytest.raises(DBAPIError, match="append-only"):
        databases.run_coroutine(_try_update(database))
    downgrade(database, BEFORE_CHAIN)
    with pytest.raises(DBAPIError, match="append-only"):
        databases.run_coroutine(_try_update(database))
    upgrade(database)
    assert databases.run_coroutine(_verify(database)).broken is None

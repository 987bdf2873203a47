"""The engine: SQLite pragmas, URL parsing, and a full pool becoming DatabaseUnavailable."""

import asyncio
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import (
    create_engine,
    create_session_factory,
    is_statement_timeout,
    parse_database_url,
    reading_unit,
    unit_of_work,
)
from db.errors import DatabaseUnavailable, ReadOnlyUnit


async def test_sqlite_runs_in_wal_mode_with_full_sync(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        assert engine.dialect.name == "postgresql"
        return
    async with engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        synchronous = (await connection.execute(text("PRAGMA synchronous"))).scalar()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
    assert journal == "wal"
    assert synchronous == 2  # FULL
    assert foreign_keys == 1


@pytest.mark.parametrize(
    ("raw", "driver"),
    [
        ("sqlite:///chartshare.db", "sqlite+aiosqlite"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_urls_get_async_drivers(raw: str, driver: str) -> None:
    assert parse_database_url(raw).drivername == driver


async def _insert_then_fail(factory: async_sessionmaker[AsyncSession]) -> None:
    async with unit_of_work(factory) as session:
        await session.exec(text("INSERT INTO uow_probe VALUES (2)"))  # type: ignore[call-overload]
        raise RuntimeError("handler failed")


async def test_unit_of_work_commits_on_success_and_rolls_back_on_error(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    try:
        async with unit_of_work(factory) as session:
            await session.exec(text("CREATE TABLE IF NOT EXISTS uow_probe (n INTEGER)"))  # type: ignore[call-overload]
        async with unit_of_work(factory) as session:
            await session.exec(text("INSERT INTO uow_probe VALUES (1)"))  # type: ignore[call-overload]
        with pytest.raises(RuntimeError):
            await _insert_then_fail(factory)
        async with unit_of_work(factory) as session:
            rows = (await session.exec(text("SELECT n FROM uow_probe"))).all()  # type: ignore[call-overload]
            await session.exec(text("DROP TABLE uow_probe"))  # type: ignore[call-overload]
        assert [tuple(r) for r in rows] == [(1,)]
    finally:
        await engine.dispose()


async def test_full_pool_is_database_unavailable_after_the_wait(database_url: str) -> None:
    engine = create_engine(database_url, pool_timeout=0.2, pool_size=1)
    factory = create_session_factory(engine)
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(DatabaseUnavailable):
                async with unit_of_work(factory) as session:
                    await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    finally:
        await engine.dispose()


async def test_a_statement_past_the_statement_timeout_is_stopped(database_url: str) -> None:
    engine = create_engine(database_url, statement_timeout=0.3)
    factory = create_session_factory(engine)
    endless = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        if engine.dialect.name == "sqlite"
        else "SELECT pg_sleep(30)"
    )
    try:
        started = time.monotonic()
        with pytest.raises(DBAPIError) as raised:
            async with reading_unit(factory) as session:
                await session.exec(text(endless))  # type: ignore[call-overload]
        assert time.monotonic() - started < 10
        assert is_statement_timeout(raised.value)
        async with reading_unit(factory) as session:  # the connection is usable again
            assert (await session.exec(text("SELECT 1"))).one() == (1,)  # type: ignore[call-overload]
    finally:
        await engine.dispose()


async def test_a_reading_unit_refuses_to_write(database_url: str) -> None:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    try:
        with pytest.raises(ReadOnlyUnit):
            async with reading_unit(factory) as session:
                await session.exec(text("CREATE TABLE ro_probe (n INTEGER)"))  # type: ignore[call-overload]
        async with reading_unit(factory) as session:
            tables = await session.exec(  # type: ignore[call-overload]
                text(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'ro_probe'"
                    if engine.dialect.name == "sqlite"
                    else "SELECT count(*) FROM pg_tables WHERE tablename = 'ro_probe'"
                )
            )
            assert tables.one() == (0,)
    finally:
        await engine.dispose()


async def test_writers_in_one_process_take_turns_without_busy_errors(database_url: str) -> None:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)

    async def write(n: int) -> None:
        async with unit_of_work(factory) as session:
            await session.exec(text("SELECT count(*) FROM turn_probe"))  # type: ignore[call-overload]
            await asyncio.sleep(0.01)
            await session.exec(text("INSERT INTO turn_probe VALUES (:n)").bindparams(n=n))  # type: ignore[call-overload]
            await asyncio.sleep(0.02)  # the write lock is held until commit

    try:
        async with unit_of_work(factory) as session:
            await session.exec(text("CREATE TABLE turn_probe (n INTEGER)"))  # type: ignore[call-overload]
        await asyncio.gather(*(write(n) for n in range(40)))
        async with unit_of_work(factory) as session:
            count = (await session.exec(text("SELECT count(*) FROM turn_probe"))).one()  # type: ignore[call-overload]
            await session.exec(text("DROP TABLE turn_probe"))  # type: ignore[call-overload]
        assert count == (40,)
    finally:
        await engine.dispose()

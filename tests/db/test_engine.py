"""The engine: SQLite pragmas, URL parsing, and a full pool becoming DatabaseUnavailable."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import create_engine, create_session_factory, parse_database_url, unit_of_work
from db.errors import DatabaseUnavailable


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

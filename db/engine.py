"""The async engine: SQLite (WAL, synchronous=FULL) by default, PostgreSQL by URL."""

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.errors import DatabaseUnavailable

OWNER_ONLY = 0o600  # health data: no other user of the machine reads the database file

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def parse_database_url(raw: str) -> URL:
    """Parse a database URL and pick the async driver; raise ValueError with a plain reason."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise ValueError(
            "not a database URL (expected sqlite:///path or postgresql://...)"
        ) from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(f"unsupported database {url.drivername!r} (use sqlite or postgresql)")
    url = url.set(drivername=driver)
    if driver.startswith("sqlite") and not url.database:
        raise ValueError("a SQLite URL needs a file path, e.g. sqlite:///chartshare.db")
    if driver.startswith("postgresql") and not url.database:
        raise ValueError("a PostgreSQL URL needs a database name")
    return url


def _base64(value: str | None) -> str | None:
    return None if value is None else base64.b64encode(value.encode()).decode()


def _base64url(value: str | None) -> str | None:
    return None if value is None else base64.urlsafe_b64encode(value.encode()).decode()


def _float_text(value: float | None) -> str | None:
    return None if value is None else repr(float(value))


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Functions PostgreSQL has built in, for queries that build JSON in the database.
    dbapi_connection.create_function("chartshare_base64", 1, _base64, deterministic=True)
    dbapi_connection.create_function("chartshare_base64url", 1, _base64url, deterministic=True)
    dbapi_connection.create_function("chartshare_float", 1, _float_text, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def restrict_sqlite_files(database: str) -> None:
    """Create the SQLite file readable by its owner only (0600) and tighten existing files.

    SQLite gives the -wal and -shm files the main file's mode, so they follow. An
    unusable path is left for SQLite to report when it connects.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, OWNER_ONLY))
        for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if companion.exists() and companion.stat().st_mode & 0o777 != OWNER_ONLY:
                companion.chmod(OWNER_ONLY)
    except OSError:
        return


def create_engine(url: URL | str, *, pool_timeout: float = 5.0, pool_size: int = 10) -> AsyncEngine:
    """Create the async engine for a URL; SQLite gets its pragmas on every connection."""
    if isinstance(url, str):
        url = parse_database_url(url)
    if url.get_backend_name() == "sqlite":
        restrict_sqlite_files(url.database or "")
        engine = create_async_engine(
            url, pool_timeout=pool_timeout, pool_size=pool_size, max_overflow=0
        )
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        return engine
    return create_async_engine(
        url,
        pool_timeout=pool_timeout,
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args={"timeout": pool_timeout},
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded rows usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One request's transaction: committed on success, rolled back on any error."""
    try:
        async with factory() as session, session.begin():
            yield session
    except PoolTimeout as exc:
        raise DatabaseUnavailable("no database connection was free in time") from exc
    except (OSError, ConnectionError) as exc:
        raise DatabaseUnavailable("the database cannot be reached") from exc
    except OperationalError as exc:
        # The driver's own word for an unreachable, locked or vanished database
        # (SQLite: "unable to open database file", "database is locked").
        raise DatabaseUnavailable("the database cannot be used right now") from exc


async def database_is_reachable(engine: AsyncEngine) -> bool:
    """Answer whether a trivial query succeeds right now."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, ConnectionError, TimeoutError):
        return False
    return True

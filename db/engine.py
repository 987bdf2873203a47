"""The async engine: SQLite (WAL, synchronous=FULL) by default, PostgreSQL by URL.

Units of work come in two kinds. A writing unit (`unit_of_work`) is what every handler
that changes rows uses; a reading unit (`reading_unit`) refuses any write, so a long
read (a GraphQL query) never holds a lock that logins and consents wait for. Its
bookkeeping (last-used times, activity events) goes into a short writing unit after it.

SQLite allows one writer at a time. Within a process, writers queue on the engine's
write gate: a writing unit takes it just before its first write statement and keeps
it until it commits or rolls back, so write transactions stay short and never wait
in SQLite's busy handler for each other; `busy_timeout` covers other processes.

Every statement may run for `statement_timeout` seconds at most: PostgreSQL's own
`statement_timeout`, and on SQLite a progress handler that interrupts the statement.
"""

import asyncio
import base64
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only
from sqlmodel.ext.asyncio.session import AsyncSession

from db.errors import DatabaseUnavailable, ReadOnlyUnit

OWNER_ONLY = 0o600  # health data: no other user of the machine reads the database file

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_READ_STATEMENTS = ("SELECT", "PRAGMA", "EXPLAIN", "WITH", "VALUES")
# SQLite calls the progress handler every this many virtual machine instructions.
_PROGRESS_STEPS = 10_000
WRITE_GATE_TIMEOUT = 30.0
_UNIT_KEY = "chartshare_unit"
_CLOCK_KEY = "chartshare_statement_clock"


def parse_database_url(raw: str) -> URL:
    """Parse a database URL and pick the async driver; raise ValueError with a plain reason."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ValueError(
            "not a database URL (expected sqlite:///path or postgresql://...)"
        ) from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(f"unsupported database {url.drivername!r} (use sqlite or postgresql)")
    url = url.set(drivername=driver)
    # An in-memory database would lose every record when the process ends.
    if driver.startswith("sqlite") and url.database in (None, "", ":memory:"):
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


@dataclass
class _StatementClock:
    """When the running SQLite statement must stop; read by the progress handler's thread."""

    limit: float
    deadline: float | None = None

    def start(self) -> None:
        self.deadline = time.monotonic() + self.limit

    def stop(self) -> None:
        self.deadline = None

    def expired(self) -> bool:
        deadline = self.deadline
        return deadline is not None and time.monotonic() > deadline


@dataclass
class _Unit:
    """What one unit of work may do on its connection, and whether it holds the write gate."""

    writes: bool
    gate: asyncio.Lock | None
    gate_timeout: float
    holds_gate: bool = field(default=False)

    async def take_gate(self) -> None:
        assert self.gate is not None
        try:
            await asyncio.wait_for(self.gate.acquire(), timeout=self.gate_timeout)
        except TimeoutError:
            raise DatabaseUnavailable("no database write slot was free in time") from None
        self.holds_gate = True

    def release_gate(self) -> None:
        if self.holds_gate and self.gate is not None:
            self.holds_gate = False
            self.gate.release()


# One write gate per engine (per process): SQLite takes one writer at a time.
_GATES: "WeakKeyDictionary[Engine, asyncio.Lock]" = WeakKeyDictionary()
_GATE_TIMEOUTS: "WeakKeyDictionary[Engine, float]" = WeakKeyDictionary()


def _is_write(statement: str) -> bool:
    words = statement.lstrip(" \t\r\n(").split(None, 1)
    return bool(words) and words[0].upper() not in _READ_STATEMENTS


def _before_statement(
    connection: Connection, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
) -> None:
    unit: _Unit | None = connection.info.get(_UNIT_KEY)
    if unit is not None and _is_write(statement):
        if not unit.writes:
            raise ReadOnlyUnit("a reading unit of work tried to write")
        if unit.gate is not None and not unit.holds_gate:
            # Sync event inside SQLAlchemy's greenlet: wait for the gate on the event loop.
            await_only(unit.take_gate())
    clock: _StatementClock | None = connection.info.get(_CLOCK_KEY)
    if clock is not None:
        clock.start()


def _after_statement(connection: Connection, *_args: Any, **_kwargs: Any) -> None:
    clock: _StatementClock | None = connection.info.get(_CLOCK_KEY)
    if clock is not None:
        clock.stop()


def _on_error(context: Any) -> None:
    connection = context.connection
    if connection is not None:
        _after_statement(connection)


def _sqlite_connect_listener(statement_timeout: float | None) -> Any:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
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
        if statement_timeout is not None:
            clock = _StatementClock(statement_timeout)
            record.info[_CLOCK_KEY] = clock
            await_only(
                dbapi_connection.driver_connection.set_progress_handler(
                    clock.expired, _PROGRESS_STEPS
                )
            )

    return on_connect


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


def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Check a pooled PostgreSQL connection before it is handed out: one round trip.

    SQLAlchemy's `pool_pre_ping` does the same in three (BEGIN, the ping, ROLLBACK), more
    than a small read costs. A connection the server dropped (a restart, an idle timeout)
    is discarded and the pool checks out or opens another, so no request sees it.
    """
    try:
        await_only(dbapi_connection.driver_connection.fetchrow(";"))
    except Exception as exc:
        raise DisconnectionError("the pooled connection no longer answers") from exc


def create_engine(
    url: URL | str,
    *,
    pool_timeout: float = 5.0,
    pool_size: int = 10,
    statement_timeout: float | None = None,
) -> AsyncEngine:
    """Create the async engine for a URL; SQLite gets its pragmas on every connection.

    `statement_timeout` (seconds) bounds every statement; None leaves statements
    unbounded (the command line's seeding and migrations).
    """
    if isinstance(url, str):
        url = parse_database_url(url)
    if url.get_backend_name() == "sqlite":
        restrict_sqlite_files(url.database or "")
        engine = create_async_engine(
            url, pool_timeout=pool_timeout, pool_size=pool_size, max_overflow=0
        )
        event.listen(engine.sync_engine, "connect", _sqlite_connect_listener(statement_timeout))
        _GATES[engine.sync_engine] = asyncio.Lock()
    else:
        connect_args: dict[str, Any] = {"timeout": pool_timeout}
        if statement_timeout is not None:
            milliseconds = str(max(1, round(statement_timeout * 1000)))
            connect_args["server_settings"] = {"statement_timeout": milliseconds}
        engine = create_async_engine(
            url,
            pool_timeout=pool_timeout,
            pool_size=pool_size,
            max_overflow=0,
            connect_args=connect_args,
        )
        event.listen(engine.sync_engine.pool, "checkout", _ping)
    # A writer waits its turn for longer than for a connection: turns are short, and only
    # a database that stopped answering keeps it waiting this long.
    _GATE_TIMEOUTS[engine.sync_engine] = max(pool_timeout, WRITE_GATE_TIMEOUT)
    event.listen(engine.sync_engine, "before_cursor_execute", _before_statement)
    event.listen(engine.sync_engine, "after_cursor_execute", _after_statement)
    event.listen(engine.sync_engine, "handle_error", _on_error)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded rows usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def is_statement_timeout(error: BaseException) -> bool:
    """Whether a database error is a statement stopped by the statement timeout."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    # PostgreSQL: SQLSTATE 57014 (query_canceled); SQLite: SQLITE_INTERRUPT.
    return (
        getattr(original, "sqlstate", None) == "57014"
        or getattr(original, "sqlite_errorname", None) == "SQLITE_INTERRUPT"
    )


def _engine_of(factory: async_sessionmaker[AsyncSession]) -> Engine | None:
    bind = factory.kw.get("bind")
    return bind.sync_engine if isinstance(bind, AsyncEngine) else None


@asynccontextmanager
async def _rolled_back(session: AsyncSession) -> AsyncIterator[None]:
    """A reading unit's transaction: nothing to commit, so it always ends in a rollback.

    That also ends cleanly a transaction a statement timeout aborted.
    """
    try:
        yield
    finally:
        await session.rollback()


@contextmanager
def _database_errors() -> Iterator[None]:
    """The driver's and the pool's failures as DatabaseUnavailable (statement timeouts pass)."""
    try:
        yield
    except PoolTimeout as exc:
        raise DatabaseUnavailable("no database connection was free in time") from exc
    except (OSError, ConnectionError) as exc:
        raise DatabaseUnavailable("the database cannot be reached") from exc
    except OperationalError as exc:
        if is_statement_timeout(exc):
            raise
        # The driver's own word for an unreachable, locked or vanished database
        # (SQLite: "unable to open database file", "database is locked").
        raise DatabaseUnavailable("the database cannot be used right now") from exc


@asynccontextmanager
async def _unit(
    factory: async_sessionmaker[AsyncSession], *, writes: bool
) -> AsyncIterator[AsyncSession]:
    engine = _engine_of(factory)
    unit = _Unit(
        writes=writes,
        gate=_GATES.get(engine) if engine is not None and writes else None,
        gate_timeout=_GATE_TIMEOUTS.get(engine, 5.0) if engine is not None else 5.0,
    )
    with _database_errors():
        async with factory() as session:
            try:
                async with session.begin() if writes else _rolled_back(session):
                    info = (await session.connection()).info
                    info[_UNIT_KEY] = unit
                    try:
                        yield session
                    finally:
                        info.pop(_UNIT_KEY, None)
            finally:
                unit.release_gate()


def unit_of_work(
    factory: async_sessionmaker[AsyncSession],
) -> AbstractAsyncContextManager[AsyncSession]:
    """One request's transaction: committed on success, rolled back on any error."""
    return _unit(factory, writes=True)


def reading_unit(
    factory: async_sessionmaker[AsyncSession],
) -> AbstractAsyncContextManager[AsyncSession]:
    """A transaction that only reads: any write in it raises ReadOnlyUnit."""
    return _unit(factory, writes=False)


@asynccontextmanager
async def one_read(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A bare connection for work that is one read statement: no ORM session around it.

    On PostgreSQL without a transaction: a single statement sees one snapshot by itself,
    so the BEGIN and ROLLBACK a reading unit sends would only cost round trips (SQLite's
    driver sends no BEGIN before a read anyway, and its autocommit mode measured slower).
    Writes raise ReadOnlyUnit.
    """
    with _database_errors():
        async with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            info = connection.info
            info[_UNIT_KEY] = _Unit(writes=False, gate=None, gate_timeout=0.0)
            try:
                yield connection
            finally:
                info.pop(_UNIT_KEY, None)


async def database_is_reachable(engine: AsyncEngine) -> bool:
    """Answer whether a trivial query succeeds right now."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, ConnectionError, TimeoutError):
        return False
    return True

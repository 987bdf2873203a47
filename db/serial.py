"""One request's AsyncSession, shared by its concurrent resolvers one coroutine at a time."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from db.errors import OutOfTime

T = TypeVar("T")


class SerialSession:
    """The request's AsyncSession, used by one coroutine at a time, within a time budget.

    Sibling resolvers and DataLoader batches run concurrently; an AsyncSession may not.
    Once the request's deadline has passed, every further read raises OutOfTime, so
    that a slow query ends by itself instead of being cancelled midway.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._lock = asyncio.Lock()
        self.deadline: float | None = None

    def start_clock(self, seconds: float) -> None:
        """Allow reads for `seconds` from now."""
        self.deadline = time.monotonic() + seconds

    def out_of_time(self) -> bool:
        """Whether the request's time budget is spent."""
        return self.deadline is not None and time.monotonic() > self.deadline

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run one piece of database work with the session to itself."""
        async with self._lock:
            if self.out_of_time():
                raise OutOfTime("the request's time budget is spent")
            return await work(self.session)

    async def run_statement(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run Core work on the request's connection, with it to itself."""
        return await self.run(lambda session: _on_connection(session, work))

    @property
    def dialect_name(self) -> str:
        """The database's dialect name ("postgresql", "sqlite")."""
        bind = self.session.bind
        return bind.dialect.name if bind is not None else ""


async def _on_connection(
    session: AsyncSession, work: Callable[[AsyncConnection], Awaitable[T]]
) -> T:
    return await work(await session.connection())


class SerialConnection(SerialSession):
    """A request that only runs Core statements: a bare connection, no ORM session.

    `run` (ORM work) is refused; `run_statement` runs on the connection.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._lock = asyncio.Lock()
        self.deadline = None

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """ORM work needs a session: this request has none."""
        raise TypeError("this request reads through a bare connection, not an ORM session")

    async def run_statement(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run Core work on the connection, with it to itself."""
        async with self._lock:
            if self.out_of_time():
                raise OutOfTime("the request's time budget is spent")
            return await work(self.connection)

    @property
    def dialect_name(self) -> str:
        """The database's dialect name ("postgresql", "sqlite")."""
        return self.connection.dialect.name

"""One request's AsyncSession, shared by its concurrent resolvers one coroutine at a time."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

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

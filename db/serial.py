"""One request's AsyncSession, shared by its concurrent resolvers one coroutine at a time."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")


class SerialSession:
    """The request's AsyncSession, used by one coroutine at a time.

    Sibling resolvers and DataLoader batches run concurrently; an AsyncSession may not.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._lock = asyncio.Lock()

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run one piece of database work with the session to itself."""
        async with self._lock:
            return await work(self.session)

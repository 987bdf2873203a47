"""Group commit of what read-only requests must write: last-used times and activity events.

Each read request hands its few writes to `Bookkeeper.write` and waits until they are
committed (so an app's read is logged before its response leaves). Requests that
arrive while a batch is being written are written together in the next batch, in one
short transaction: a burst of reads costs a handful of write transactions, not one
each, and none of them waits in a queue holding a database connection.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import PendingEvent, append_events
from db.engine import unit_of_work

Write = Callable[[AsyncSession], Awaitable[object]]


class Bookkeeper:
    """Writes the bookkeeping of many requests in few transactions (one batch at a time)."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory
        self._pending: list[tuple[Sequence[Write], asyncio.Future[None]]] = []
        self._turn = asyncio.Lock()

    async def write(self, writes: Sequence[Write]) -> None:
        """Commit `writes` (with whatever else is waiting); raise what the batch raised."""
        if not writes:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((writes, done))
        async with self._turn:
            if not done.done():
                await self._write_batch(done)
        await done

    async def _write_batch(self, mine: "asyncio.Future[None]") -> None:
        batch, self._pending = self._pending, []
        try:
            async with unit_of_work(self._factory) as session:
                # Events go into their chains together, in two statements (db/activity_chain.py).
                events = [w.event for ws, _ in batch for w in ws if isinstance(w, PendingEvent)]
                for writes, _ in batch:
                    for write in writes:
                        if not isinstance(write, PendingEvent):
                            await write(session)
                await append_events(session, events)
        except Exception as error:
            for _, done in batch:
                done.set_exception(error)
            return
        except BaseException:
            # This request was cancelled and nothing was committed: the next one writes the rest.
            self._pending[:0] = [item for item in batch if item[1] is not mine]
            raise
        for _, done in batch:
            done.set_result(None)

"""One request's database access, one piece of work at a time, within its time budget."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.engine import one_read
from db.errors import OutOfTime, ReadOnlyUnit
from db.serial import SerialConnection


async def _answer(connection: AsyncConnection) -> int:
    return int((await connection.execute(text("SELECT 6 * 7"))).scalar_one())


async def test_a_bare_connection_runs_core_work_one_piece_at_a_time(engine: AsyncEngine) -> None:
    async with one_read(engine) as connection:
        db = SerialConnection(connection)
        assert db.dialect_name == engine.dialect.name
        both = await asyncio.gather(db.run_statement(_answer), db.run_statement(_answer))
        assert list(both) == [42, 42]
        with pytest.raises(TypeError, match="bare connection"):
            await db.run(lambda session: session.get(object, 1))
        db.start_clock(-1)
        with pytest.raises(OutOfTime):
            await db.run_statement(_answer)


async def test_a_one_read_connection_refuses_writes(engine: AsyncEngine) -> None:
    async with one_read(engine) as connection:
        with pytest.raises(ReadOnlyUnit):
            await connection.execute(text("DELETE FROM activity_event"))

"""Pooled PostgreSQL connections that the server dropped are replaced, not handed out broken.

Every checkout pings the connection in one round trip (db.engine._ping): a request never
gets a connection the server has closed, whether the pool sat idle or was in steady use.
"""

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import create_engine, create_session_factory, reading_unit


async def _drop_other_connections(url: str) -> int:
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        dropped: int = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return dropped


async def _read(factory: async_sessionmaker[AsyncSession]) -> int:
    async with reading_unit(factory) as session:
        connection = await session.connection()
        return int((await connection.execute(text("SELECT 41 + 1"))).scalar_one())


async def test_connections_the_server_dropped_are_replaced_before_use(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    factory = create_session_factory(engine)
    try:
        assert await _read(factory) == 42
        for _ in range(3):
            assert await _drop_other_connections(postgres_url) >= 1
            assert await _read(factory) == 42
    finally:
        await engine.dispose()

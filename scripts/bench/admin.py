"""The benchmarks' PostgreSQL administration: a plain DSN for asyncpg, one admin statement."""

import asyncpg
from sqlalchemy.engine import make_url


def dsn(url: str, database: str | None = None) -> str:
    """`url` (any SQLAlchemy PostgreSQL URL) as asyncpg's DSN, optionally for another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def database_exists(admin_url: str, name: str) -> bool:
    """Whether the server at the admin URL has a database `name`."""
    connection = await asyncpg.connect(dsn(admin_url), timeout=10)
    try:
        found = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await connection.close()
    return found is not None


async def admin_sql(admin_url: str, sql: str) -> None:
    """Run one statement (CREATE or DROP DATABASE) on the admin database."""
    connection = await asyncpg.connect(dsn(admin_url), timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()

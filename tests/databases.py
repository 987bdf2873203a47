"""Test databases: a migrated SQLite template copied per test, and a PostgreSQL database per run.

Every database test runs on both backends. CHARTSHARE_TEST_BACKENDS narrows the list
on purpose (e.g. `sqlite` on a laptop without PostgreSQL); an unreachable PostgreSQL
is a test failure, never a skip.
"""

import asyncio
import os
import secrets
import shutil
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import create_engine
from db.tables import metadata
from migrations import upgrade

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def selected_backends() -> list[str]:
    raw = os.environ.get("CHARTSHARE_TEST_BACKENDS", "sqlite,postgresql")
    backends = [b.strip() for b in raw.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown or not backends:
        raise RuntimeError(f"CHARTSHARE_TEST_BACKENDS: unknown backends {sorted(unknown)}")
    if os.environ.get("CI") == "true" and "postgresql" not in backends:
        raise RuntimeError("CI must test PostgreSQL: CHARTSHARE_TEST_BACKENDS leaves it out")
    return backends


def postgres_admin_url() -> str:
    return os.environ.get("CHARTSHARE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def run_coroutine(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion, from sync code or from inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_dsn(postgres_admin_url()), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_postgres_database() -> str:
    """Create an empty database for this test run and return its async URL."""
    name = f"chartshare_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        run_coroutine(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise RuntimeError(
            f"PostgreSQL at {postgres_admin_url()} cannot be reached ({exc}). Start it, set "
            "CHARTSHARE_TEST_POSTGRES_URL, or run with CHARTSHARE_TEST_BACKENDS=sqlite."
        ) from exc
    return (
        make_url(postgres_admin_url())
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    run_coroutine(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrated_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def copy_sqlite(template: Path, directory: Path) -> str:
    target = directory / "chartshare.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


async def truncate_postgres(url: str) -> None:
    """Empty every table of a PostgreSQL database; ids start at 1 again."""
    engine = create_engine(url)
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


async def fresh_database(backend: str, request: pytest.FixtureRequest, directory: Path) -> str:
    """An empty migrated database for one module: a SQLite copy, or the run's PostgreSQL emptied."""
    if backend == "sqlite":
        return copy_sqlite(request.getfixturevalue("sqlite_template"), directory)
    url: str = request.getfixturevalue("postgres_url")
    await truncate_postgres(url)
    return url

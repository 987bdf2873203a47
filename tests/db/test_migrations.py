"""`alembic upgrade head` yields exactly the models' schema; downgrades work; both backends."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from db.engine import create_engine
from db.tables import metadata
from migrations import downgrade, upgrade
from tests import databases


@pytest.fixture(params=databases.selected_backends())
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    url = databases.create_postgres_database()
    try:
        yield url
    finally:
        databases.drop_postgres_database(url)


def _inspect(url: str, probe: Any) -> Any:
    async def run() -> Any:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(probe)
        finally:
            await engine.dispose()

    return databases.run_coroutine(run())


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_upgrade_head_matches_models(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    assert _inspect(empty_database_url, _differences) == []


def test_downgrade_base_then_upgrade_head(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    assert _inspect(empty_database_url, _tables) == {"alembic_version"}
    upgrade(empty_database_url)
    assert _inspect(empty_database_url, _tables) == {*metadata.tables, "alembic_version"}
    assert _inspect(empty_database_url, _differences) == []

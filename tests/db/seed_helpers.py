"""Builders shared by the seed tests: run a seed, read tables back."""

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.passwords import make_hasher
from db.seed.runner import SeedOptions, run_seed
from sharing.apps import demo_app_registrar

HASHER = make_hasher()


async def seed(url: str, *, patients: int = 4, seed: int = 1, force: bool = False) -> str:
    """Run the seed quietly and return its summary."""
    options = SeedOptions(
        patients=patients,
        seed=seed,
        force=force,
        progress=False,
        hasher=HASHER,
        register_app=demo_app_registrar(HASHER),
    )
    return await run_seed(url, options)


async def table_rows(url: str, table: str, columns: str = "*") -> list[tuple[Any, ...]]:
    """Every row of a table as the driver returns it, ordered by the first column."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(f'SELECT {columns} FROM "{table}" ORDER BY 1'))  # noqa: S608
            return [tuple(row) for row in result.all()]
    finally:
        await engine.dispose()


async def counts(engine: AsyncEngine, tables: list[str]) -> dict[str, int]:
    """Row counts of the given tables."""
    async with engine.connect() as connection:
        return {
            table: int(
                (await connection.execute(text(f'SELECT COUNT(*) FROM "{table}"'))).scalar_one()  # noqa: S608
            )
            for table in tables
        }

"""Bulk inserts of generated rows: COPY on PostgreSQL, large executemany batches on SQLite."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.columns import UTCDateTime
from db.seed.rows import COLUMNS, TABLES, Batch, Row
from db.tables import metadata

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: datetime) -> str:
    # The text SQLAlchemy's SQLite DateTime stores: naive UTC with microseconds.
    return f"{value:%Y-%m-%d %H:%M:%S.%f}"


def _sqlite_date(value: date) -> str:
    return f"{value:%Y-%m-%d}"


def _sqlite_bool(value: bool) -> int:
    return 1 if value else 0


def _sqlite_converters(table: str) -> list[tuple[int, Converter]]:
    """Positions of the columns SQLite needs as text or integers, with their converters."""
    columns = metadata.tables[table].c
    plan: list[tuple[int, Converter]] = []
    for position, name in enumerate(COLUMNS[table]):
        column_type = columns[name].type
        if isinstance(column_type, UTCDateTime):
            plan.append((position, _sqlite_datetime))
        elif isinstance(column_type, Date):
            plan.append((position, _sqlite_date))
        elif isinstance(column_type, Boolean):
            plan.append((position, _sqlite_bool))
    return plan


SQLITE_CONVERTERS = {table: _sqlite_converters(table) for table in TABLES}


def _quoted(table: str) -> str:
    return f'"{table}"'


async def last_ids(connection: AsyncConnection) -> dict[str, int]:
    """The largest id in each seeded table (0 when empty)."""
    parts = " UNION ALL ".join(
        f"SELECT '{table}', COALESCE(MAX(id), 0) FROM {_quoted(table)}"  # noqa: S608
        for table in TABLES
    )
    result = await connection.execute(text(parts))
    return {str(name): int(value) for name, value in result.all()}


def _for_sqlite(table: str, rows: list[Row]) -> list[Row]:
    plan = SQLITE_CONVERTERS[table]
    if not plan:
        return rows
    converted: list[Row] = []
    for row in rows:
        values = list(row)
        for position, convert in plan:
            value = values[position]
            if value is not None:
                values[position] = convert(value)
        converted.append(tuple(values))
    return converted


async def write_batch(connection: AsyncConnection, batch: Batch) -> None:
    """Insert a batch in foreign-key order inside the connection's transaction."""
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        if driver is None:
            raise RuntimeError("the PostgreSQL driver connection is gone")
        for table in TABLES:
            rows = batch.rows[table]
            if rows:
                await driver.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
        return
    for table in TABLES:
        rows = batch.rows[table]
        if rows:
            columns = ", ".join(COLUMNS[table])
            marks = ", ".join("?" * len(COLUMNS[table]))
            statement = f"INSERT INTO {_quoted(table)} ({columns}) VALUES ({marks})"  # noqa: S608
            await connection.exec_driver_sql(statement, _for_sqlite(table, rows))


async def reset_sequences(connection: AsyncConnection) -> None:
    """Move PostgreSQL's id sequences past the ids the seed chose itself."""
    if connection.dialect.name != "postgresql":
        return  # SQLite picks max(id) + 1 for the next insert by itself
    for table in TABLES:
        await connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), "  # noqa: S608 - our names
                f"(SELECT MAX(id) FROM {_quoted(table)})) "
                f"WHERE EXISTS (SELECT 1 FROM {_quoted(table)})"
            ),
            {"table": _quoted(table)},
        )

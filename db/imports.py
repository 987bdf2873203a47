"""Writes of imported FHIR data: one patient's rows upserted by (source system, resource id).

Each function runs inside the caller's transaction (the import commits once per patient).
Rows are matched on the unique (patient, source system, source id) index of every table
(migration 0006c): a new resource is inserted, a changed one updated, an unchanged one
left alone, all with multi-row INSERT ... ON CONFLICT statements.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, Table, and_, delete, literal, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from db.columns import utcnow
from db.tables import CLINICAL_TABLES, metadata

KEY_COLUMNS = ("id", "patient_id", "source_system", "source_id", "created_at")
TABLES: dict[str, Table] = {name: metadata.tables[name] for name in ("patient",)} | {
    str(model.__tablename__): metadata.tables[str(model.__tablename__)] for model in CLINICAL_TABLES
}


@dataclass(frozen=True)
class ColumnRules:
    """What a table demands of imported values: required columns and text lengths."""

    columns: tuple[str, ...]
    required: frozenset[str]
    lengths: dict[str, int]


def _rules(table: Table) -> ColumnRules:
    columns = tuple(c.name for c in table.columns if c.name not in KEY_COLUMNS)
    required = frozenset(
        c.name for c in table.columns
        if c.name not in KEY_COLUMNS and not c.nullable and c.default is None
    )  # fmt: skip
    lengths = {
        c.name: length
        for c in table.columns
        if isinstance(length := getattr(c.type, "length", None), int)
    }
    return ColumnRules(columns, required, lengths)


RULES: dict[str, ColumnRules] = {name: _rules(table) for name, table in TABLES.items()}


def _postgres_upsert(table: Table, *, fresh: bool = False) -> str:
    """One statement per table: rows arrive as one array per column (unnest), any count.

    `fresh`: a plain INSERT, for a patient created in this transaction (no row can conflict,
    and PostgreSQL skips the speculative insertion that ON CONFLICT needs for every row).
    """
    columns = RULES[table.name].columns
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    arrays = ", ".join(
        f"${n}::{table.c[name].type.compile(dialect=dialect)}[]"
        for n, name in enumerate(("source_id", *columns), start=3)
    )
    names = ", ".join(f'"{name}"' for name in columns)
    updates = ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in columns)
    current = ", ".join(f't."{name}"' for name in columns)
    proposed = ", ".join(f'EXCLUDED."{name}"' for name in columns)
    insert = (
        f'INSERT INTO "{table.name}" AS t (patient_id, source_system, source_id, {names}) '  # noqa: S608 - our names
        f"SELECT $1::integer, $2::varchar, * FROM unnest({arrays}) "
    )
    if fresh:
        return f"{insert}RETURNING source_id, id"
    return (
        f"{insert}ON CONFLICT (patient_id, source_system, source_id) "
        f"DO UPDATE SET {updates} WHERE ({current}) IS DISTINCT FROM ({proposed}) "
        "RETURNING source_id, id"
    )


POSTGRES_UPSERTS = {
    name: _postgres_upsert(table) for name, table in TABLES.items() if name != "patient"
}
POSTGRES_INSERTS = {
    name: _postgres_upsert(table, fresh=True) for name, table in TABLES.items() if name != "patient"
}


def _insert(connection: AsyncConnection, table: Table) -> Any:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def find_patient(
    connection: AsyncConnection, *, source_system: str, source_id: str
) -> int | None:
    """The id of the patient imported before from this source and resource id."""
    patient = TABLES["patient"]
    result = await connection.execute(
        select(patient.c.id).where(
            patient.c.source_system == source_system, patient.c.source_id == source_id
        )
    )
    return result.scalar_one_or_none()


async def patient_with_record_number(
    connection: AsyncConnection, *, medical_record_number: str
) -> int | None:
    """The id of the patient holding a medical record number (it is unique)."""
    patient = TABLES["patient"]
    result = await connection.execute(
        select(patient.c.id).where(patient.c.medical_record_number == medical_record_number)
    )
    return result.scalar_one_or_none()


async def upsert_patient(
    connection: AsyncConnection, *, source_system: str, source_id: str, values: dict[str, Any]
) -> tuple[int, bool]:
    """Insert or update an imported patient's demographics; (id, whether anything changed)."""
    patient = TABLES["patient"]
    statement = _insert(connection, patient)
    changed = [patient.c[name].is_distinct_from(statement.excluded[name]) for name in values]
    statement = statement.on_conflict_do_update(
        index_elements=["source_system", "source_id"],
        set_={name: statement.excluded[name] for name in values},
        where=or_(*changed),
    ).returning(patient.c.id)
    row = {"source_system": source_system, "source_id": source_id, "created_at": utcnow()} | values
    result = (await connection.execute(statement, row)).scalar_one_or_none()
    if result is not None:
        return int(result), True
    existing = await find_patient(connection, source_system=source_system, source_id=source_id)
    if existing is None:
        raise LookupError("the upserted patient vanished")
    return existing, False


async def imported_rows(
    connection: AsyncConnection, *, patient_id: int, source_system: str
) -> dict[tuple[str, str], int]:
    """(table, source id) -> row id of everything imported before for the patient."""
    parts = [
        select(
            literal(name, String).label("name"),
            table.c.source_id,
            table.c.id.cast(Integer).label("id"),
        ).where(table.c.patient_id == patient_id, table.c.source_system == source_system)
        for name, table in TABLES.items()
        if name != "patient"
    ]
    result = await connection.execute(union_all(*parts))
    return {(str(name), str(source)): int(row_id) for name, source, row_id in result.all()}


async def upsert_rows(
    connection: AsyncConnection,
    *,
    table: str,
    patient_id: int,
    source_system: str,
    rows: list[dict[str, Any]],
    fresh: bool = False,
) -> dict[str, int]:
    """Insert new and update changed rows of one table; source id -> id of those written.

    `fresh` says the patient was created in this transaction: every row is new, and plain
    inserts do.
    """
    if not rows:
        return {}
    target = TABLES[table]
    columns = RULES[table].columns
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        if driver is None:
            raise RuntimeError("the PostgreSQL driver connection is gone")
        arrays = [[row.get(name) for row in rows] for name in ("source_id", *columns)]
        statement = (POSTGRES_INSERTS if fresh else POSTGRES_UPSERTS)[table]
        found = await driver.fetch(statement, patient_id, source_system, *arrays)
        return {str(record[0]): int(record[1]) for record in found}
    statement = _insert(connection, target)
    if not fresh:
        statement = statement.on_conflict_do_update(
            index_elements=["patient_id", "source_system", "source_id"],
            set_={name: statement.excluded[name] for name in columns},
            where=or_(
                *[target.c[name].is_distinct_from(statement.excluded[name]) for name in columns]
            ),
        )
    statement = statement.returning(target.c.source_id, target.c.id)
    fixed = {"patient_id": patient_id, "source_system": source_system}
    params = [fixed | {name: row.get(name) for name in columns} | {"source_id": row["source_id"]}
              for row in rows]  # fmt: skip
    result = await connection.execute(statement, params)
    return {str(source): int(row_id) for source, row_id in result.all()}


async def delete_rows(
    connection: AsyncConnection, *, table: str, patient_id: int, ids: list[int]
) -> None:
    """Remove rows of the patient (an imported resource that moved to another category)."""
    if ids:
        target = TABLES[table]
        await connection.execute(
            delete(target).where(and_(target.c.patient_id == patient_id, target.c.id.in_(ids)))
        )

"""FHIR searches of one patient's rows: filters as plain data, pages and counts done in SQL.

A search may span several tables (Observation is five): their matching rows are merged
newest first by one UNION ALL, ordered by (date desc, tag, id desc) and cut by LIMIT; a
page continues after a `Position` (keyset), never by an offset.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import and_, false, func, literal_column, or_, union_all
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.patients import Patient
from db.records_query import record_date_of

Comparison = Literal["lt", "le", "gt", "ge"]


@dataclass(frozen=True)
class Equals:
    """The column holds one of the values (compared lower-cased when `fold_case`)."""

    column: str
    values: tuple[str | int, ...]
    fold_case: bool = False


@dataclass(frozen=True)
class CodeIs:
    """A code in one of the given lower-cased system spellings (any system when None)."""

    system_column: str
    code_column: str
    code: str | None
    systems: tuple[str, ...] | None


@dataclass(frozen=True)
class Compare:
    """The column compared with a bound: `column op value`."""

    column: str
    op: Comparison
    value: date | datetime


@dataclass(frozen=True)
class Contains:
    """One of the text columns contains the text, ignoring case."""

    columns: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Never:
    """Matches no row (a search for a category this table does not hold)."""


@dataclass(frozen=True)
class AllOf:
    """Every part holds (one value of a date range: on or after its start and before its end)."""

    parts: tuple["Atom", ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part holds (outside a date range: before its start or after its end)."""

    parts: tuple["Atom", ...]


Atom = Equals | CodeIs | Compare | Contains | Never | AllOf | AnyOf


@dataclass(frozen=True)
class RowFilter:
    """All of the clauses must hold; a clause holds when any of its atoms does."""

    clauses: tuple[tuple[Atom, ...], ...] = ()


@dataclass(frozen=True)
class TableSearch:
    """One table's part of a search: a stable tag (for ordering and cursors) and its filter."""

    tag: str
    model: type[SQLModel]
    where: RowFilter = field(default_factory=RowFilter)


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last row's date, table tag and id."""

    value: date | datetime
    tag: str
    row_id: int


def _column(model: type[SQLModel], name: str) -> Any:
    return col(getattr(model, name))


def _atom(model: type[SQLModel], atom: Atom) -> Any:
    if isinstance(atom, Never):
        return false()
    if isinstance(atom, AllOf):
        return and_(*(_atom(model, part) for part in atom.parts))
    if isinstance(atom, AnyOf):
        return or_(*(_atom(model, part) for part in atom.parts))
    if isinstance(atom, Equals):
        if atom.fold_case:
            return func.lower(_column(model, atom.column)).in_(
                [str(v).lower() for v in atom.values]
            )
        return _column(model, atom.column).in_(atom.values)
    if isinstance(atom, CodeIs):
        parts: list[Any] = []
        if atom.code is not None:
            parts.append(_column(model, atom.code_column) == atom.code)
        if atom.systems is not None:
            system = func.lower(func.trim(_column(model, atom.system_column)))
            parts.append(system.in_(atom.systems))
        return and_(*parts) if parts else _column(model, "id").is_not(None)
    if isinstance(atom, Compare):
        column = _column(model, atom.column)
        comparisons = {
            "lt": column < atom.value,
            "le": column <= atom.value,
            "gt": column > atom.value,
            "ge": column >= atom.value,
        }
        return comparisons[atom.op]
    return or_(
        *(
            func.lower(_column(model, name)).contains(atom.text.lower(), autoescape=True)
            for name in atom.columns
        )
    )


def _conditions(model: type[SQLModel], patient_id: int, where: RowFilter) -> list[Any]:
    owner = "id" if model is Patient else "patient_id"
    conditions: list[Any] = [_column(model, owner) == patient_id]
    for clause in where.clauses:
        conditions.append(or_(*(_atom(model, atom) for atom in clause)))
    return conditions


def _after(table: TableSearch, after: Position) -> Any:
    dated = _column(table.model, record_date_of(table.model))
    if table.tag > after.tag:
        return dated <= after.value
    if table.tag < after.tag:
        return dated < after.value
    return or_(
        dated < after.value, and_(dated == after.value, _column(table.model, "id") < after.row_id)
    )


def _branch(table: TableSearch, patient_id: int, after: Position | None) -> Any:
    assert table.tag.isidentifier(), "tags are our own constant names"
    dated = _column(table.model, record_date_of(table.model))
    statement: Any = select(
        literal_column(f"'{table.tag}'").label("tag"),
        _column(table.model, "id").label("row_id"),
        dated.label("at"),
    ).where(*_conditions(table.model, patient_id, table.where))
    if after is not None:
        statement = statement.where(_after(table, after))
    return statement


async def search_rows(
    session: AsyncSession,
    *,
    patient_id: int,
    tables: Sequence[TableSearch],
    after: Position | None,
    limit: int,
) -> list[tuple[str, Any]]:
    """One page of (tag, row) of a patient's matching rows across tables, newest first."""
    if not tables or limit <= 0:
        return []
    merged = union_all(*(_branch(t, patient_id, after) for t in tables)).subquery()
    statement = (
        select(merged.c.tag, merged.c.row_id)
        .order_by(merged.c.at.desc(), merged.c.tag, merged.c.row_id.desc())
        .limit(limit)
    )
    keys = [(str(tag), int(row_id)) for tag, row_id in (await session.exec(statement)).all()]
    rows: dict[tuple[str, int], Any] = {}
    for table in tables:
        ids = [row_id for tag, row_id in keys if tag == table.tag]
        if not ids:
            continue
        found = await session.exec(
            select(table.model).where(
                _column(table.model, "patient_id") == patient_id,
                _column(table.model, "id").in_(ids),
            )
        )
        rows.update({(table.tag, getattr(row, "id", 0)): row for row in found.all()})
    return [(tag, rows[(tag, row_id)]) for tag, row_id in keys if (tag, row_id) in rows]


async def count_rows(
    session: AsyncSession, *, patient_id: int, tables: Sequence[TableSearch]
) -> int:
    """How many of a patient's rows match across the tables (all pages together)."""
    if not tables:
        return 0
    counts = [
        select(func.count())
        .select_from(t.model)
        .where(*_conditions(t.model, patient_id, t.where))
        .scalar_subquery()
        for t in tables
    ]
    total: Any = counts[0]
    for count in counts[1:]:
        total = total + count
    return int((await session.exec(select(total))).one())


def position_of(tag: str, row: Any) -> Position:
    """The position of a row in a search's order (for the next page's cursor)."""
    value = getattr(row, record_date_of(type(row)))
    assert isinstance(value, date)
    return Position(value=value, tag=tag, row_id=int(row.id))


async def find_patient(
    session: AsyncSession, *, patient_id: int, where: RowFilter
) -> Patient | None:
    """The patient row if it matches the filter."""
    statement = select(Patient).where(*_conditions(Patient, patient_id, where))
    return (await session.exec(statement)).first()

"""Reads of clinical rows: always for one patient, filtered and paged in the SQL itself."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.observations import EncounterDiagnosis
from db.patients import Patient
from db.records import PatientOwned

Row = TypeVar("Row", bound=SQLModel)
SortValue = date | datetime


@dataclass(frozen=True)
class RecordFilter:
    """Which rows of a category: statuses (any of), and an inclusive range of days."""

    statuses: tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class RecordPage(Generic[Row]):
    """One page of one table: the filter, where it starts, how many rows.

    `after` keeps rows older than a cursor, `before` rows newer than one; `oldest_first`
    reads from the other end (for `last`/`before` pages, which the caller turns round).
    """

    model: type[Row]
    where: RecordFilter
    after: tuple[SortValue, int] | None
    limit: int
    before: tuple[SortValue, int] | None = None
    oldest_first: bool = False


def _column(model: type[SQLModel], name: str) -> Any:
    return col(getattr(model, name))


def _is_timestamp(model: type[SQLModel], name: str) -> bool:
    return model.model_fields[name].annotation is datetime


def _owned(model: type[SQLModel]) -> type[PatientOwned]:
    if not issubclass(model, PatientOwned):
        raise TypeError(f"{model.__name__} holds no clinical rows of a patient")
    return model


def _date_column(model: type[SQLModel]) -> str:
    return _owned(model).record_date


def record_date_of(model: type[SQLModel]) -> str:
    """The column a clinical table is ordered and date-filtered by."""
    return _owned(model).record_date


def record_status_of(model: type[SQLModel]) -> str:
    """The column that holds a clinical table's status."""
    return _owned(model).record_status


def sorts_by_timestamp(model: type[SQLModel]) -> bool:
    """Whether the table is ordered by a timestamp (else by a calendar date)."""
    return _is_timestamp(model, _date_column(model))


def cursor_sort_value(kind: object, value: Any) -> date | datetime:
    """The sort value a cursor holds: kind "t" a UTC ISO moment, "d" an ISO day.

    ValueError or TypeError for anything else. Every cursor chartshare issues is in UTC:
    another zone could leave datetime's years once the database converts it.
    """
    if kind == "t":
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() != timedelta(0):
            raise ValueError(value)
        return moment
    if kind == "d":
        return date.fromisoformat(value)
    raise ValueError(kind)


def _bound(model: type[SQLModel], name: str, day: date) -> SortValue:
    if _is_timestamp(model, name):
        return datetime.combine(day, time.min, tzinfo=UTC)
    return day


def _conditions(model: type[SQLModel], patient_id: int, where: RecordFilter) -> list[Any]:
    date_column = _date_column(model)
    dated = _column(model, date_column)
    conditions: list[Any] = [_column(model, "patient_id") == patient_id]
    if where.statuses is not None:
        conditions.append(_column(model, _owned(model).record_status).in_(where.statuses))
    if where.since is not None:
        conditions.append(dated >= _bound(model, date_column, where.since))
    if where.until is not None and where.until < date.max:  # date.max: no upper bound
        conditions.append(dated < _bound(model, date_column, where.until + timedelta(days=1)))
    return conditions


def _after(model: type[SQLModel], cursor: tuple[SortValue, int]) -> ColumnElement[bool]:
    dated = _column(model, _date_column(model))
    value, row_id = cursor
    return or_(dated < value, and_(dated == value, _column(model, "id") < row_id))


def _before(model: type[SQLModel], cursor: tuple[SortValue, int]) -> ColumnElement[bool]:
    dated = _column(model, _date_column(model))
    value, row_id = cursor
    return or_(dated > value, and_(dated == value, _column(model, "id") > row_id))


async def list_patient_records(
    session: AsyncSession, *, patient_id: int, page: RecordPage[Row]
) -> list[Row]:
    """One page of a patient's rows of a table, newest first (ties broken by id)."""
    model = page.model
    statement = select(model).where(*_conditions(model, patient_id, page.where))
    if page.after is not None:
        statement = statement.where(_after(model, page.after))
    if page.before is not None:
        statement = statement.where(_before(model, page.before))
    dated = _column(model, _date_column(model))
    row_id = _column(model, "id")
    order = (dated.asc(), row_id.asc()) if page.oldest_first else (dated.desc(), row_id.desc())
    statement = statement.order_by(*order).limit(page.limit)
    return list((await session.exec(statement)).all())


async def list_all_patient_records(
    session: AsyncSession, *, model: type[Row], patient_id: int
) -> list[Row]:
    """Every row of one table for one patient, oldest first (for an export of the record)."""
    statement = (
        select(model)
        .where(_column(model, "patient_id") == patient_id)
        .order_by(_column(model, _date_column(model)), _column(model, "id"))
    )
    return list((await session.exec(statement)).all())


async def count_patient_records_many(
    session: AsyncSession,
    *,
    patient_id: int,
    requests: list[tuple[type[SQLModel], RecordFilter]],
) -> list[int]:
    """Several counts of one patient's rows in one round trip (one scalar subquery each)."""
    if not requests:
        return []
    columns = [
        select(func.count())
        .select_from(model)
        .where(*_conditions(model, patient_id, where))
        .scalar_subquery()
        .label(f"c{index}")
        for index, (model, where) in enumerate(requests)
    ]
    row = (await session.exec(select(*columns))).one()
    # sqlmodel hands back a bare scalar when only one column is selected.
    values = (row,) if len(columns) == 1 else tuple(row)
    return [int(value) for value in values]


async def get_patient_records(
    session: AsyncSession, *, model: type[Row], patient_id: int, ids: list[int]
) -> list[Row]:
    """Rows of one table by id, only those that belong to the patient."""
    statement = select(model).where(
        _column(model, "patient_id") == patient_id, _column(model, "id").in_(ids)
    )
    return list((await session.exec(statement)).all())


async def list_encounter_diagnoses(
    session: AsyncSession, *, patient_id: int, encounter_ids: list[int]
) -> list[EncounterDiagnosis]:
    """The diagnoses of several encounters of one patient, newest first."""
    statement = (
        select(EncounterDiagnosis)
        .where(
            col(EncounterDiagnosis.patient_id) == patient_id,
            col(EncounterDiagnosis.encounter_id).in_(encounter_ids),
        )
        .order_by(col(EncounterDiagnosis.recorded_at).desc(), col(EncounterDiagnosis.id).desc())
    )
    return list((await session.exec(statement)).all())


async def get_patient(session: AsyncSession, *, patient_id: int) -> Patient | None:
    """The patient row (demographics)."""
    return await session.get(Patient, patient_id)


def sort_value(row: SQLModel) -> SortValue:
    """The value a row is ordered by in its table (for cursors)."""
    value = getattr(row, _date_column(type(row)))
    assert isinstance(value, date)
    return value

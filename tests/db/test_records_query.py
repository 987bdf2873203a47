"""Clinical-row queries called directly: one patient's rows, filtered, paged and counted in SQL."""

from datetime import date, timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from db.clinical import Encounter, Goal, Immunization
from db.observations import LabResult
from db.patients import Patient
from db.records_query import (
    RecordFilter,
    RecordPage,
    count_patient_records_many,
    get_patient,
    get_patient_records,
    list_all_patient_records,
    list_encounter_diagnoses,
    list_patient_records,
    sort_value,
    sorts_by_timestamp,
)
from sharing.categories import CATEGORIES, CategoryKey
from tests.builders.people import make_patient
from tests.builders.records import BASE_TIME, make_record, seed_record

K = CategoryKey


async def _two_patients(session: AsyncSession) -> tuple[Patient, Patient]:
    mine, other = await make_patient(session), await make_patient(session)
    await seed_record(session, mine, per_category=3, tag="mine")
    await seed_record(session, other, per_category=2, tag="other")
    return mine, other


async def test_every_table_lists_only_the_patients_rows_newest_first(
    session: AsyncSession,
) -> None:
    mine, _ = await _two_patients(session)
    assert mine.id is not None
    for category in CATEGORIES:
        if category.is_patient:
            continue
        model = category.model
        rows = await list_patient_records(
            session, patient_id=mine.id, page=RecordPage(model, RecordFilter(), None, 10)
        )
        assert rows, category.key
        assert all(getattr(r, "patient_id", None) == mine.id for r in rows), category.key
        keys = [(sort_value(r), getattr(r, "id", 0)) for r in rows]
        assert keys == sorted(keys, reverse=True), category.key
        oldest_first = await list_all_patient_records(session, model=model, patient_id=mine.id)
        assert [getattr(r, "id", 0) for r in oldest_first] == [
            getattr(r, "id", 0) for r in reversed(rows)
        ], category.key


async def test_pages_continue_after_the_cursor_without_gaps_or_repeats(
    session: AsyncSession,
) -> None:
    mine, _ = await _two_patients(session)
    assert mine.id is not None
    for _ in range(4):  # ties on the date are broken by id
        await make_record(session, K.LAB_RESULTS, mine, tag="tie", n=0, effective_at=BASE_TIME)
    seen: list[int] = []
    after = None
    while True:
        page = await list_patient_records(
            session, patient_id=mine.id, page=RecordPage(LabResult, RecordFilter(), after, 2)
        )
        if not page:
            break
        seen += [row.id or 0 for row in page]
        after = (sort_value(page[-1]), page[-1].id or 0)
    everything = await list_all_patient_records(session, model=LabResult, patient_id=mine.id)
    assert sorted(seen) == sorted(row.id or 0 for row in everything)
    assert len(seen) == len(set(seen)) == 7


async def test_backward_pages_read_rows_newer_than_the_cursor_oldest_first(
    session: AsyncSession,
) -> None:
    mine, _ = await _two_patients(session)
    assert mine.id is not None
    newest_first = await list_patient_records(
        session, patient_id=mine.id, page=RecordPage(LabResult, RecordFilter(), None, 100)
    )
    oldest = newest_first[-1]
    cursor = (sort_value(oldest), oldest.id or 0)
    backward = RecordPage(LabResult, RecordFilter(), None, 2, before=cursor, oldest_first=True)
    page = await list_patient_records(session, patient_id=mine.id, page=backward)
    # The two rows just newer than the cursor, nearest first: the caller turns them round.
    assert [row.id for row in page] == [row.id for row in reversed(newest_first[-3:-1])]


async def test_status_and_day_filters_apply_to_each_tables_own_columns(
    session: AsyncSession,
) -> None:
    mine, _ = await _two_patients(session)
    assert mine.id is not None
    # Goals filter on lifecycle_status and start_date (a calendar day), labs on effective_at.
    assert not sorts_by_timestamp(Goal)
    assert sorts_by_timestamp(LabResult)
    day = BASE_TIME.date() - timedelta(days=1)
    one_day = RecordFilter(since=day, until=day)
    [lab] = await list_patient_records(
        session, patient_id=mine.id, page=RecordPage(LabResult, one_day, None, 10)
    )
    assert lab.effective_at.date() == day
    unbounded = RecordFilter(since=date.min, until=date.max)
    counts = await count_patient_records_many(
        session,
        patient_id=mine.id,
        requests=[
            (LabResult, unbounded),
            (LabResult, one_day),
            (Immunization, RecordFilter(statuses=("completed",))),
            (Immunization, RecordFilter(statuses=("not-done",))),
        ],
    )
    assert counts == [3, 1, 3, 0]
    assert await count_patient_records_many(session, patient_id=mine.id, requests=[]) == []


async def test_rows_by_id_never_cross_to_another_patient(session: AsyncSession) -> None:
    mine, other = await _two_patients(session)
    assert mine.id is not None and other.id is not None
    theirs = await list_all_patient_records(session, model=LabResult, patient_id=other.id)
    own = await list_all_patient_records(session, model=LabResult, patient_id=mine.id)
    ids = [row.id or 0 for row in [*own, *theirs]]
    found = await get_patient_records(session, model=LabResult, patient_id=mine.id, ids=ids)
    assert {row.id for row in found} == {row.id for row in own}
    assert await get_patient(session, patient_id=mine.id) == mine


async def test_encounter_diagnoses_are_those_of_the_patients_encounters(
    session: AsyncSession,
) -> None:
    mine, other = await _two_patients(session)
    assert mine.id is not None and other.id is not None
    encounters = await list_all_patient_records(session, model=Encounter, patient_id=other.id)
    encounter_ids = [getattr(e, "id", 0) for e in encounters]
    assert (
        await list_encounter_diagnoses(session, patient_id=mine.id, encounter_ids=encounter_ids)
        == []
    )
    theirs = await list_encounter_diagnoses(
        session, patient_id=other.id, encounter_ids=encounter_ids
    )
    assert len(theirs) == 2
    assert theirs[0].recorded_at >= theirs[1].recorded_at


async def test_a_table_without_patient_rows_is_refused(session: AsyncSession) -> None:
    with pytest.raises(TypeError, match="no clinical rows"):
        sorts_by_timestamp(Patient)

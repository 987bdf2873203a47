"""FHIR search queries: one patient only, merged across tables, keyset pages without gaps."""

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.fhir_search import (
    AllOf,
    Compare,
    Equals,
    RowFilter,
    TableSearch,
    count_rows,
    position_of,
    search_rows,
)
from db.observations import LabResult, VitalSign
from sharing.scopes import CategoryKey
from tests.builders.people import make_patient
from tests.builders.records import BASE_TIME, make_record

K = CategoryKey


async def test_pages_merge_tables_newest_first_with_ties_and_no_gaps(
    session: AsyncSession,
) -> None:
    mine = await make_patient(session)
    theirs = await make_patient(session)
    for n in range(3):
        for key in (K.LAB_RESULTS, K.VITAL_SIGNS):
            # Same moments in both tables: ties are broken by table tag, then id.
            await make_record(session, key, mine, n=n)
            await make_record(session, key, theirs, n=n)
    tables = [TableSearch("LabResult", LabResult), TableSearch("VitalSign", VitalSign)]
    assert mine.id is not None
    seen: list[tuple[str, int]] = []
    moments = []
    after = None
    while True:
        page = await search_rows(session, patient_id=mine.id, tables=tables, after=after, limit=2)
        if not page:
            break
        seen += [(tag, row.id) for tag, row in page]
        moments += [row.effective_at for _, row in page]
        assert all(row.patient_id == mine.id for _, row in page)
        after = position_of(*page[-1])
    assert len(seen) == len(set(seen)) == 6
    assert moments == sorted(moments, reverse=True)
    assert [tag for tag, _ in seen[:2]] == ["LabResult", "VitalSign"]
    assert await count_rows(session, patient_id=mine.id, tables=tables) == 6


async def test_filters_apply_per_table(session: AsyncSession) -> None:
    patient = await make_patient(session)
    for n in range(3):
        await make_record(session, K.LAB_RESULTS, patient, n=n, status="final" if n else "amended")
    assert patient.id is not None
    since = BASE_TIME - timedelta(days=1)
    where = RowFilter(
        (
            (Equals("status", ("final",)),),
            (
                AllOf(
                    (Compare("effective_at", "ge", since), Compare("effective_at", "le", BASE_TIME))
                ),
            ),
        )
    )
    tables = [TableSearch("LabResult", LabResult, where)]
    page = await search_rows(session, patient_id=patient.id, tables=tables, after=None, limit=10)
    assert [row.status for _, row in page] == ["final"]
    assert page[0][1].effective_at == since
    assert await count_rows(session, patient_id=patient.id, tables=tables) == 1

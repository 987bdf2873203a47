"""The activity log's hash chains: tampering is found and named, concurrent writers never fork."""

import asyncio
import json
from dataclasses import fields
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.cli import main
from db.activity import (
    EVENTS,
    ActivityEvent,
    Actor,
    EventKind,
    append_events,
    new_event,
    record_event,
)
from db.activity_chain import ActivityChainHead, ChainedEvent, chain_of, event_digest
from db.activity_verify import verify_activity_chains
from db.columns import utcnow
from db.engine import create_session_factory, unit_of_work


async def _log(session: AsyncSession, n: int, *, patient_id: int | None, account_id: int) -> None:
    for i in range(n):
        await record_event(
            session,
            kind=EventKind.LOGIN,
            actor=Actor(account_id, "198.51.100.9"),
            patient_id=patient_id,
            details={"n": i},
        )


@pytest.fixture
async def logged(session: AsyncSession) -> list[ActivityEvent]:
    """Twelve events in three chains (two patients and one account), committed."""
    await _log(session, 4, patient_id=1, account_id=7)
    await _log(session, 4, patient_id=2, account_id=7)
    await _log(session, 4, patient_id=None, account_id=7)
    await session.commit()
    rows = (await session.exec(select(ActivityEvent).order_by(col(ActivityEvent.id)))).all()
    return list(rows)


async def _without_append_only(session: AsyncSession, statement: str, **params: object) -> None:
    """Tamper like an attacker with database access: lift the trigger, change a row, restore."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        await session.exec(text("ALTER TABLE activity_event DISABLE TRIGGER USER"))  # type: ignore[call-overload]
    else:
        await session.exec(text("DROP TRIGGER activity_event_no_update"))  # type: ignore[call-overload]
        await session.exec(text("DROP TRIGGER activity_event_no_delete"))  # type: ignore[call-overload]
    await session.exec(text(statement).bindparams(**params))  # type: ignore[call-overload]
    if postgresql:
        await session.exec(text("ALTER TABLE activity_event ENABLE TRIGGER USER"))  # type: ignore[call-overload]
    await session.commit()


async def _verify_cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", database_url)
    code = await asyncio.to_thread(main, ["audit", "verify"])
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, captured.out


async def test_an_untouched_log_verifies(
    session: AsyncSession,
    logged: list[ActivityEvent],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert [e.chain for e in logged[::4]] == ["patient:1", "patient:2", "account:7"]
    assert logged[0].prev_hash == "" and logged[1].prev_hash == logged[0].hash
    report = await verify_activity_chains(session)
    assert (report.events, report.chains, report.broken) == (12, 3, None)
    code, out = await _verify_cli(database_url, monkeypatch, capsys)
    assert code == 0
    assert out.strip() == "activity log intact: 12 events in 3 chains"


async def test_an_altered_row_is_named(
    session: AsyncSession,
    logged: list[ActivityEvent],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = logged[5]
    await _without_append_only(
        session, "UPDATE activity_event SET outcome = 'denied' WHERE id = :id", id=target.id
    )
    report = await verify_activity_chains(session)
    assert report.broken is not None
    assert (report.broken.event_id, report.broken.chain) == (target.id, "patient:2")
    assert "altered" in report.broken.reason
    code, out = await _verify_cli(database_url, monkeypatch, capsys)
    assert code == 1
    assert out.startswith(f"activity log BROKEN at event {target.id} (chain patient:2)")


async def test_a_deleted_row_breaks_the_link_of_the_next(
    session: AsyncSession, logged: list[ActivityEvent]
) -> None:
    await _without_append_only(
        session, "DELETE FROM activity_event WHERE id = :id", id=logged[1].id
    )
    report = await verify_activity_chains(session)
    assert report.broken is not None and report.broken.event_id == logged[2].id
    assert "does not link" in report.broken.reason


async def test_a_row_deleted_from_the_end_is_found_by_the_head(
    session: AsyncSession, logged: list[ActivityEvent]
) -> None:
    await _without_append_only(
        session, "DELETE FROM activity_event WHERE id = :id", id=logged[3].id
    )
    report = await verify_activity_chains(session)
    assert report.broken is not None and report.broken.chain == "patient:1"
    assert report.broken.event_id == logged[3].id
    assert "events removed" in report.broken.reason


async def test_a_forged_row_is_named(session: AsyncSession, logged: list[ActivityEvent]) -> None:
    # A forged read inserted between real events, copying a real event's hashes.
    copied = logged[4]
    forged = ActivityEvent(
        occurred_at=utcnow() - timedelta(days=1),
        kind=EventKind.DATA_READ,
        patient_id=2,
        app_id=99,
        details=json.dumps({"categories": {}}),
        chain="patient:2",
        prev_hash=copied.prev_hash,
        hash=copied.hash,
    )
    session.add(forged)
    await session.commit()
    report = await verify_activity_chains(session)
    assert report.broken is not None and report.broken.event_id == forged.id


async def test_a_forged_row_with_a_correct_hash_is_found_by_the_head(
    session: AsyncSession, logged: list[ActivityEvent]
) -> None:
    last = logged[7]
    forged = ActivityEvent(
        kind=EventKind.CONSENT, patient_id=2, app_id=99, chain="patient:2", prev_hash=last.hash
    )
    forged.hash = event_digest(ChainedEvent.of(forged))
    session.add(forged)
    await session.commit()
    report = await verify_activity_chains(session)
    assert report.broken is not None and report.broken.event_id == forged.id
    assert "beyond the chain's recorded head" in report.broken.reason


async def test_a_row_moved_to_another_chain_is_named(
    session: AsyncSession, logged: list[ActivityEvent]
) -> None:
    await _without_append_only(
        session, "UPDATE activity_event SET patient_id = 2 WHERE id = :id", id=logged[2].id
    )
    report = await verify_activity_chains(session)
    assert report.broken is not None and report.broken.event_id == logged[2].id


async def test_concurrent_writers_never_fork_a_chain(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)

    async def write(i: int) -> None:
        async with unit_of_work(factory) as session:
            await _log(session, 2, patient_id=1 if i % 2 else 2, account_id=i)
            await _log(session, 1, patient_id=None, account_id=1000)

    await asyncio.gather(*(write(i) for i in range(12)))
    async with factory() as session:
        report = await verify_activity_chains(session)
        assert (report.events, report.chains, report.broken) == (36, 3, None)
        rows = (await session.exec(select(ActivityEvent))).all()
        heads = {h.chain: h.length for h in (await session.exec(select(ActivityChainHead))).all()}
    previous = [(r.chain, r.prev_hash) for r in rows]
    assert len(set(previous)) == len(previous)  # no two events follow the same one
    assert heads == {"patient:1": 12, "patient:2": 12, "account:1000": 12}


def test_the_chain_label_follows_patient_then_account() -> None:
    assert chain_of(patient_id=3, account_id=4) == "patient:3"
    assert chain_of(patient_id=None, account_id=4) == "account:4"
    assert chain_of(patient_id=None, account_id=None) == "system"


async def test_a_batch_of_events_in_several_chains_links_each_chain_in_order(
    engine: AsyncEngine,
) -> None:
    factory = create_session_factory(engine)
    async with unit_of_work(factory) as session:
        await _log(session, 2, patient_id=1, account_id=7)  # heads that exist already
    batch = [
        new_event(kind=EventKind.DATA_READ, patient_id=patient, actor=Actor(7), details={"n": n})
        for n, patient in enumerate([1, 3, 1, 1, 3, 4])
    ]
    async with unit_of_work(factory) as session:
        await append_events(session, batch)
    async with unit_of_work(factory) as session:
        await _log(session, 1, patient_id=3, account_id=7)  # a writer after the batch links on
    async with factory() as session:
        report = await verify_activity_chains(session)
        heads = {h.chain: h.length for h in (await session.exec(select(ActivityChainHead))).all()}
        rows = (await session.exec(select(ActivityEvent).order_by(col(ActivityEvent.id)))).all()
    assert (report.events, report.chains, report.broken) == (9, 3, None)
    assert heads == {"patient:1": 5, "patient:3": 3, "patient:4": 1}
    in_chain_1 = [json.loads(r.details)["n"] for r in rows if r.chain == "patient:1"]
    assert in_chain_1 == [0, 1, 0, 2, 3]  # the batch's events follow the earlier ones, in order


async def test_the_bookkeeper_appends_concurrent_requests_events_as_one_batch(
    engine: AsyncEngine,
) -> None:
    from db.activity import PendingEvent
    from db.bookkeeping import Bookkeeper

    factory = create_session_factory(engine)
    keeper = Bookkeeper(factory)

    async def request(i: int) -> None:
        event = new_event(kind=EventKind.DATA_READ, patient_id=i % 3, actor=Actor(1))
        await keeper.write([PendingEvent(event)])

    await asyncio.gather(*(request(i) for i in range(30)))
    async with factory() as session:
        report = await verify_activity_chains(session)
        heads = {h.chain: h.length for h in (await session.exec(select(ActivityChainHead))).all()}
    assert (report.events, report.chains, report.broken) == (30, 3, None)
    assert heads == {"patient:0": 10, "patient:1": 10, "patient:2": 10}


def test_a_chained_event_has_exactly_the_columns_of_an_activity_event_row() -> None:
    assert {f.name for f in fields(ChainedEvent)} == set(EVENTS.c.keys())


async def test_a_batch_of_events_reuses_the_compiled_statements_of_the_one_before(
    engine: AsyncEngine,
) -> None:
    """Every app read writes a batch: neither of its two statements is compiled again."""
    factory = create_session_factory(engine)
    seen: list[tuple[str, str]] = []

    def note(connection: object, cursor: object, statement: str, *args: object) -> None:
        context = args[-2]
        seen.append((statement.split("(")[0].strip(), context._get_cache_stats()))  # type: ignore[attr-defined]

    for n in range(2):
        batch = [new_event(kind=EventKind.DATA_READ, patient_id=p, actor=Actor(1)) for p in (5, 6)]
        async with unit_of_work(factory) as session:
            connection = await session.connection()
            sa_event.listen(connection.sync_connection, "before_cursor_execute", note)
            await append_events(session, batch)
            sa_event.remove(connection.sync_connection, "before_cursor_execute", note)
        if n == 0:
            seen.clear()
    assert [statement for statement, _ in seen] == [
        "INSERT INTO activity_chain_head",
        "INSERT INTO activity_event",
    ]
    assert all(stats.startswith("cached since") for _, stats in seen), seen

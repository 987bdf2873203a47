"""The activity log's hash chains: every event is linked to the one before it in its chain.

There is one chain per patient (`patient:<id>`), one per account for events about no
patient (`account:<id>`, e.g. logins) and one for the rest (`system`). Each event's
`hash` is the SHA-256 of its content and of the previous event's hash in the same
chain (`prev_hash`); `activity_chain_head` holds each chain's newest hash and length.
A writer's first step is an upsert of its chain's head row, which holds the row lock
(PostgreSQL) or the database's single write lock (SQLite) until the writer commits,
so concurrent writers never fork a chain.
docs/architecture.md explains why the chains are per patient.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, Table, TextClause, bindparam, text
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import utcnow

SYSTEM_CHAIN = "system"


@dataclass
class ChainedEvent:
    """An activity event as its chain sees it: the columns of an `activity_event` row.

    Cheap to build (no ORM state); `append_to_chains` links and inserts it.
    """

    chain: str
    kind: str
    outcome: str
    account_id: int | None
    patient_id: int | None
    app_id: int | None
    grant_id: int | None
    source_address: str | None
    details: str
    occurred_at: datetime = field(default_factory=utcnow)
    id: int | None = None
    prev_hash: str = ""
    hash: str = ""

    @classmethod
    def of(cls, row: object) -> "ChainedEvent":
        """The event a stored row holds (to check its hash)."""
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


class ActivityChainHead(SQLModel, table=True):
    """The newest event of one chain: a writer locks this row while it appends."""

    __tablename__ = "activity_chain_head"

    chain: str = Field(max_length=40, primary_key=True)
    last_event_id: int | None = None
    last_hash: str = Field(max_length=64, default="")
    length: int = 0


def chain_of(*, patient_id: int | None, account_id: int | None) -> str:
    """The chain an event belongs to: its patient's, else its account's, else the system's."""
    if patient_id is not None:
        return f"patient:{patient_id}"
    if account_id is not None:
        return f"account:{account_id}"
    return SYSTEM_CHAIN


def event_digest(event: ChainedEvent) -> str:
    """SHA-256 over the event's content and its predecessor's hash (hex)."""
    occurred = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    content = [
        event.chain,
        event.prev_hash,
        occurred,
        event.kind,
        event.outcome,
        event.account_id,
        event.patient_id,
        event.app_id,
        event.grant_id,
        event.source_address,
        event.details,
    ]
    canonical = json.dumps(content, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


HEADS: Table = ActivityChainHead.__table__  # type: ignore[attr-defined]


def _claim_heads(chains: int) -> TextClause:
    """Lock (or create) `chains` heads, count their new events, return their previous hashes.

    The heads are `:c0`, `:c1`..., their new events' counts `:n0`, `:n1`... One text per
    number of chains, the same on PostgreSQL and SQLite: SQLAlchemy does not cache the
    compiled form of a multi-row upsert built with its dialects' `insert()` ("no key"), so
    that form was compiled again for every batch of events.
    """
    found = _CLAIMS.get(chains)
    if found is None:
        # Only numbered placeholders are formatted into the text.
        rows = ", ".join(f"(:c{i}, '', :n{i})" for i in range(chains))
        found = text(
            f"INSERT INTO activity_chain_head (chain, last_hash, length) VALUES {rows} "  # noqa: S608
            "ON CONFLICT (chain) DO UPDATE "
            "SET length = activity_chain_head.length + excluded.length RETURNING chain, last_hash"
        ).bindparams(*(bindparam(f"n{i}", type_=Integer()) for i in range(chains)))
        _CLAIMS[chains] = found
    return found


_CLAIMS: dict[int, TextClause] = {}


async def append_to_chains(
    session: AsyncSession, events: Sequence[ChainedEvent], table: Table
) -> None:
    """Link the events to their chains and insert them into `table` (the caller's transaction).

    Events of one chain are linked in the order given. The upsert locks each chain's head
    row until the caller's transaction ends, so the next writer of a chain links to the
    newest event, never to one before it. The database moves each head to the chain's
    newest event itself (trigger `activity_event_move_chain_head`, migration 0005c). Two
    Core statements, however many events: a batch of concurrent requests' events costs
    what one event costs.
    """
    if not events:
        return
    by_chain: dict[str, list[ChainedEvent]] = {}
    for event in events:
        by_chain.setdefault(event.chain, []).append(event)
    connection = await session.connection()
    # Sorted, so that concurrent writers lock the heads they share in one order.
    chains = sorted(by_chain)
    parameters: dict[str, str | int] = {f"c{i}": chain for i, chain in enumerate(chains)}
    parameters |= {f"n{i}": len(by_chain[chain]) for i, chain in enumerate(chains)}
    claimed = await connection.execute(_claim_heads(len(chains)), parameters)
    previous: dict[str, str] = {row.chain: row.last_hash for row in claimed}
    rows: list[dict[str, Any]] = []
    columns = [c.name for c in table.columns if c.name != "id"]
    for chain in chains:
        last = previous[chain]
        for event in by_chain[chain]:
            event.prev_hash = last
            event.hash = last = event_digest(event)
            rows.append({name: getattr(event, name) for name in columns})
    await connection.execute(table.insert(), rows)

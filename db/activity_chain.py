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
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Insert, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

SYSTEM_CHAIN = "system"


class ChainedEvent(Protocol):
    """The fields of an activity event that its hash covers."""

    id: int | None
    occurred_at: datetime
    kind: str
    outcome: str
    account_id: int | None
    patient_id: int | None
    app_id: int | None
    grant_id: int | None
    source_address: str | None
    details: str
    chain: str
    prev_hash: str
    hash: str


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


def _claim_head(dialect: str, chain: str) -> Insert:
    """Create or lock the chain's head, count the new event, return the previous hash.

    Core SQL on the table, not the ORM entity: this runs once per event.
    """
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(HEADS).values(chain=chain, last_hash="", length=1)
    return statement.on_conflict_do_update(
        index_elements=[HEADS.c.chain], set_={"length": HEADS.c.length + 1}
    ).returning(HEADS.c.last_hash)


async def append_to_chain(session: AsyncSession, event: ChainedEvent) -> None:
    """Link the event to its chain's head and insert it (in the caller's transaction).

    The upsert locks the head row until the caller's transaction ends, so the next writer
    of the same chain links to this event, never to the one before it. The database moves
    the head to the new event itself (trigger `activity_event_move_chain_head`, migration
    0005c): two round trips per event.
    """
    connection = await session.connection()
    claimed = await connection.execute(_claim_head(connection.dialect.name, event.chain))
    event.prev_hash = claimed.scalar_one()
    event.hash = event_digest(event)
    session.add(event)
    await session.flush()

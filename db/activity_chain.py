"""The activity log's hash chains: every event is linked to the one before it in its chain.

There is one chain per patient (`patient:<id>`), one per account for events about no
patient (`account:<id>`, e.g. logins) and one for the rest (`system`). Each event's
`hash` is the SHA-256 of its content and of the previous event's hash in the same
chain (`prev_hash`); `activity_chain_head` holds each chain's newest hash and length.
Writers lock the head row (PostgreSQL: FOR UPDATE; SQLite serializes writers and the
upsert below is the transaction's first write), so concurrent writers never fork a chain.
docs/architecture.md explains why the chains are per patient.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, col, select
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


def _upsert_head(dialect: str, chain: str) -> Insert:
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(ActivityChainHead)
        .values(chain=chain, last_hash="", length=0)
        .on_conflict_do_nothing(index_elements=["chain"])
    )


async def append_to_chain(session: AsyncSession, event: ChainedEvent) -> None:
    """Link the event to its chain's head, insert it, and move the head (caller's transaction).

    The head row stays locked until the caller's transaction ends, so the next writer
    of the same chain links to this event, never to the one before it.
    """
    dialect = session.get_bind().dialect.name
    await session.exec(_upsert_head(dialect, event.chain))
    statement = (
        select(ActivityChainHead)
        .where(col(ActivityChainHead.chain) == event.chain)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = (await session.exec(statement)).one()
    event.prev_hash = head.last_hash
    event.hash = event_digest(event)
    session.add(event)
    await session.flush()
    head.last_event_id = event.id
    head.last_hash = event.hash
    head.length += 1
    session.add(head)
    await session.flush()

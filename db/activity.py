"""The append-only activity log: reads, logins, consents, denials, revocations, registrations."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NotRequired, TypedDict, Unpack

from sqlalchemy import Index, Table, func, or_
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity_chain import SYSTEM_CHAIN, ChainedEvent, append_to_chains, chain_of
from db.columns import UTCDateTime, utcnow


class EventKind(StrEnum):
    """Everything the activity log records."""

    DATA_READ = "data_read"
    ACCESS_DENIED = "access_denied"  # a read of a record outside the caller's patient or grant
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PATIENT_SELECTED = "patient_selected"
    CONSENT = "consent"
    DENIAL = "denial"
    TOKEN_ISSUED = "token_issued"  # noqa: S105
    TOKEN_REFRESHED = "token_refreshed"  # noqa: S105
    TOKEN_REUSE = "token_reuse"  # noqa: S105 - a used code or rotated refresh token was presented again
    REVOCATION = "revocation"
    GRANT_NARROWED = "grant_narrowed"
    REGISTRATION = "registration"
    REGISTRATION_UPDATED = "registration_updated"  # RFC 7592 update of an app's metadata
    REGISTRATION_DELETED = "registration_deleted"  # RFC 7592 delete: the app is deactivated
    RECORD_EXPORTED = "record_exported"  # the account downloaded the record (counts only)
    APP_STATUS_CHANGED = "app_status_changed"
    SECRET_ROTATED = "secret_rotated"  # noqa: S105
    # A token whose access ended (revoked, expired, app suspended) was presented again.
    ENDED_ACCESS_USED = "ended_access_used"
    REPRESENTATIVE_REMOVED = "representative_removed"  # a representative link was ended


class ActivityEvent(SQLModel, table=True):
    """One event; rows are only ever inserted.

    No foreign keys: the log outlives the rows it speaks of. `details` is JSON
    holding names, scopes, categories and counts, never a secret or a clinical value.
    """

    __tablename__ = "activity_event"
    __table_args__ = (
        Index("ix_activity_event_patient_recent", "patient_id", "occurred_at", "id"),
        Index("ix_activity_event_account_recent", "account_id", "occurred_at", "id"),
        Index("ix_activity_event_app", "app_id"),
        # Serves the per-address login slow-down (failed logins from one address lately).
        Index("ix_activity_event_source_recent", "source_address", "kind", "occurred_at"),
        Index("ix_activity_event_chain", "chain", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(max_length=30)
    outcome: str = Field(max_length=20, default="success")
    account_id: int | None = None
    patient_id: int | None = None
    app_id: int | None = None
    grant_id: int | None = None
    source_address: str | None = Field(default=None, max_length=64)
    details: str = "{}"
    # The hash chain (db/activity_chain.py): which chain, the previous event's hash, this one's.
    chain: str = Field(max_length=40, default=SYSTEM_CHAIN)
    prev_hash: str = Field(max_length=64, default="")
    hash: str = Field(max_length=64, default="")


EVENTS: Table = ActivityEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PendingEvent:
    """An event to append later, as bookkeeping: `db.bookkeeping` appends a batch's at once."""

    event: ChainedEvent

    async def __call__(self, session: AsyncSession) -> None:
        await append_to_chains(session, [self.event], EVENTS)


@dataclass(frozen=True)
class Actor:
    """Who an event is attributed to and where the request came from.

    The account is None for an app's own request or the system; the address is None
    outside an HTTP request (the command line).
    """

    account_id: int | None = None
    source_address: str | None = None


class EventFields(TypedDict, total=False):
    """What an event may say besides its kind (all optional; `outcome` is "success")."""

    outcome: str
    actor: Actor
    patient_id: int | None
    app_id: int | None
    grant_id: int | None
    details: dict[str, Any] | None


def new_event(*, kind: EventKind, **fields: Unpack[EventFields]) -> ChainedEvent:
    """An event, not yet stored, in its chain (`append_events` or `record_event` store it)."""
    actor, patient_id = fields.get("actor", Actor()), fields.get("patient_id")
    return ChainedEvent(
        chain=chain_of(patient_id=patient_id, account_id=actor.account_id),
        kind=kind,
        outcome=fields.get("outcome", "success"),
        account_id=actor.account_id,
        patient_id=patient_id,
        app_id=fields.get("app_id"),
        grant_id=fields.get("grant_id"),
        source_address=actor.source_address,
        details=json.dumps(fields.get("details") or {}, sort_keys=True, default=str),
    )


async def append_events(session: AsyncSession, events: Sequence[ChainedEvent]) -> None:
    """Append events to their hash chains (committed with the caller's unit of work)."""
    await append_to_chains(session, events, EVENTS)


async def record_event(
    session: AsyncSession, *, kind: EventKind, **fields: Unpack[EventFields]
) -> ChainedEvent:
    """Append one event to its hash chain (committed with the caller's unit of work)."""
    event = new_event(kind=kind, **fields)
    await append_events(session, [event])
    return event


class EventFilter(TypedDict):
    """Which events an account sees: its patients' and its own, optionally narrowed."""

    account_id: int
    patient_ids: list[int]
    app_id: NotRequired[int | None]
    since: NotRequired[datetime | None]
    until: NotRequired[datetime | None]


def _visible_events(filters: EventFilter) -> list[Any]:
    conditions: list[Any] = [
        or_(
            col(ActivityEvent.patient_id).in_(filters["patient_ids"]),
            col(ActivityEvent.account_id) == filters["account_id"],
        )
    ]
    app_id, since, until = filters.get("app_id"), filters.get("since"), filters.get("until")
    if app_id is not None:
        conditions.append(col(ActivityEvent.app_id) == app_id)
    if since is not None:
        conditions.append(col(ActivityEvent.occurred_at) >= since)
    if until is not None:
        conditions.append(col(ActivityEvent.occurred_at) < until)
    return conditions


async def list_events(
    session: AsyncSession,
    *,
    before_id: int | None = None,
    limit: int = 50,
    after_id: int | None = None,
    oldest_first: bool = False,
    **filters: Unpack[EventFilter],
) -> list[ActivityEvent]:
    """Events about the account's patients or the account itself, newest first.

    `before_id` keeps older events, `after_id` newer ones; `oldest_first` reads from the
    other end (for backward pages, which the caller turns round).
    """
    statement = select(ActivityEvent).where(*_visible_events(filters))
    if before_id is not None:
        statement = statement.where(col(ActivityEvent.id) < before_id)
    if after_id is not None:
        statement = statement.where(col(ActivityEvent.id) > after_id)
    order = col(ActivityEvent.id).asc() if oldest_first else col(ActivityEvent.id).desc()
    statement = statement.order_by(order).limit(limit)
    return list((await session.exec(statement)).all())


async def count_events(session: AsyncSession, **filters: Unpack[EventFilter]) -> int:
    """How many events `list_events` would list across all pages with the same filters."""
    statement = select(func.count()).select_from(ActivityEvent).where(*_visible_events(filters))
    return int((await session.exec(statement)).one())


async def count_failed_logins(
    session: AsyncSession, *, source_address: str | None, since: datetime
) -> int:
    """Failed logins from one address since a moment, whatever login name they tried."""
    if source_address is None:
        return 0
    statement = (
        select(func.count())
        .select_from(ActivityEvent)
        .where(
            col(ActivityEvent.kind) == EventKind.LOGIN_FAILED,
            col(ActivityEvent.source_address) == source_address,
            col(ActivityEvent.occurred_at) >= since,
        )
    )
    return int((await session.exec(statement)).one())

"""Grants: an account's consent that an app may read parts of one patient's record."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Index, and_, or_, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import Actor, EventKind, record_event
from db.columns import UTCDateTime, utcnow
from db.errors import Conflict, NotFound
from db.tokens import revoke_grant_tokens
from db.writes import save


class Grant(SQLModel, table=True):
    """(account, patient, app, granted scopes, created, expires, revoked)."""

    __tablename__ = "grant"
    __table_args__ = (Index("ix_grant_patient_app", "patient_id", "app_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    patient_id: int = Field(foreign_key="patient.id", ondelete="CASCADE")
    app_id: int = Field(foreign_key="app.id", ondelete="CASCADE")
    # Space-separated granted scopes, in the registry's syntax.
    scopes: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # None means "until I revoke".
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=40)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def grant_is_live(grant: Grant, now: datetime) -> bool:
    """Not revoked and not past the end the patient chose (the rule `live_grant_clause` states)."""
    return grant.revoked_at is None and (grant.expires_at is None or grant.expires_at > now)


def live_grant_clause(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """`grant_is_live` as a SQL condition on the grant table."""
    return and_(
        col(Grant.revoked_at).is_(None),
        or_(col(Grant.expires_at).is_(None), col(Grant.expires_at) > now),
    )


async def create_grant(
    session: AsyncSession,
    *,
    account_id: int,
    patient_id: int,
    app_id: int,
    scopes: list[str],
    refused_scopes: list[str],
    expires_at: datetime | None,
    source_address: str | None,
) -> Grant:
    """Record a consent: a new grant, or the live grant of the same app and patient updated.

    One app has at most one live grant per patient, whatever number of devices it runs
    on. A new consent replaces that grant's scopes and end, and keeps its tokens: each
    token is limited to the scopes it was issued with and the grant's current scopes
    (see docs/oauth.md, "One app, several devices").
    """
    now = utcnow()
    earlier = await session.exec(
        select(Grant)
        .where(
            col(Grant.patient_id) == patient_id,
            col(Grant.app_id) == app_id,
            col(Grant.revoked_at).is_(None),
        )
        .order_by(col(Grant.created_at).desc(), col(Grant.id).desc())
    )
    live = [g for g in earlier.all() if grant_is_live(g, now)]
    details: dict[str, object] = {
        "granted_scopes": scopes,
        "refused_scopes": refused_scopes,
        "expires_at": expires_at.isoformat() if expires_at else None,
    }
    if live:
        grant = live[0]
        details = {**details, "updated": True, "previous_scopes": grant.scopes.split()}
        grant.account_id = account_id
        grant.scopes = " ".join(scopes)
        grant.expires_at = expires_at
    else:
        grant = Grant(
            account_id=account_id,
            patient_id=patient_id,
            app_id=app_id,
            scopes=" ".join(scopes),
            created_at=now,
            expires_at=expires_at,
        )
    await save(session, grant)
    await record_grant_event(
        session,
        grant=grant,
        kind=EventKind.CONSENT,
        actor=Actor(account_id, source_address),
        details=details,
    )
    return grant


async def get_grant_for_account(
    session: AsyncSession, *, grant_id: int, account_id: int, patient_ids: list[int]
) -> Grant:
    """Return a grant that the account may manage (it is for one of the account's patients)."""
    grant = await session.get(Grant, grant_id)
    if grant is None or grant.patient_id not in patient_ids:
        raise NotFound("no such grant")
    return grant


async def record_grant_event(
    session: AsyncSession,
    *,
    grant: Grant,
    kind: EventKind,
    actor: Actor,
    details: dict[str, Any],
    outcome: str = "success",
) -> None:
    """Log an event about one grant: its patient and app from the row, who acted as given."""
    await record_event(
        session,
        kind=kind,
        outcome=outcome,
        actor=actor,
        patient_id=grant.patient_id,
        app_id=grant.app_id,
        grant_id=grant.id,
        details=details,
    )


async def _end_grant(
    session: AsyncSession,
    *,
    grant: Grant,
    reason: str,
    now: datetime,
    account_id: int | None,
    source_address: str | None,
) -> None:
    """End a grant and its tokens, and log the revocation (no account: the developer's doing)."""
    assert grant.id is not None
    grant.revoked_at = now
    grant.revoked_reason = reason
    await save(session, grant)
    await revoke_grant_tokens(session, grant_id=grant.id, now=now)
    await record_grant_event(
        session,
        grant=grant,
        kind=EventKind.REVOCATION,
        actor=Actor(account_id, source_address),
        details={"reason": reason},
    )


async def revoke_grant(
    session: AsyncSession,
    *,
    grant: Grant,
    reason: str,
    account_id: int | None,
    source_address: str | None,
) -> Grant:
    """End a grant and every token issued under it; the next request with any of them fails."""
    if grant.revoked_at is not None:
        raise Conflict("grant already revoked")
    await _end_grant(
        session, grant=grant, reason=reason, now=utcnow(), account_id=account_id,
        source_address=source_address,
    )  # fmt: skip
    return grant


async def revoke_live_grant(
    session: AsyncSession, *, grant: Grant, reason: str, source_address: str | None
) -> None:
    """End a grant unless it has already ended; no account acts (the app or a replay caused it)."""
    if grant.revoked_at is None:
        await revoke_grant(
            session, grant=grant, reason=reason, account_id=None, source_address=source_address
        )


async def narrow_grant(
    session: AsyncSession,
    *,
    grant: Grant,
    scopes: list[str],
    account_id: int,
    source_address: str | None,
) -> Grant:
    """Replace a live grant's scopes with a narrower set (the caller checks it is narrower)."""
    if not grant_is_live(grant, utcnow()):
        raise Conflict("grant is no longer active")
    previous = grant.scopes.split()
    grant.scopes = " ".join(scopes)
    await save(session, grant)
    await record_grant_event(
        session,
        grant=grant,
        kind=EventKind.GRANT_NARROWED,
        actor=Actor(account_id, source_address),
        details={"previous_scopes": previous, "granted_scopes": scopes},
    )
    return grant


async def list_grants(
    session: AsyncSession, *, patient_ids: list[int], include_ended: bool = False
) -> list[Grant]:
    """Grants for the given patients, newest first; live ones only unless asked."""
    statement = select(Grant).where(col(Grant.patient_id).in_(patient_ids))
    if not include_ended:
        statement = statement.where(col(Grant.revoked_at).is_(None))
    rows = (await session.exec(statement.order_by(col(Grant.created_at).desc()))).all()
    now = utcnow()
    return [g for g in rows if include_ended or grant_is_live(g, now)]


async def revoke_app_grants(
    session: AsyncSession, *, app_id: int, reason: str, source_address: str | None
) -> int:
    """End every grant of one app and their tokens, one event per grant; returns how many."""
    now = utcnow()
    # Patient order: each event locks its patient's activity chain head until commit, and
    # one order for every such sweep keeps two of them from deadlocking (db/activity_chain.py).
    grants = await session.exec(
        select(Grant)
        .where(col(Grant.app_id) == app_id, col(Grant.revoked_at).is_(None))
        .order_by(col(Grant.patient_id), col(Grant.id))
    )
    ended = 0
    for grant in grants.all():
        # No account: the app's developer ended it. The patient reads it in their log.
        await _end_grant(
            session, grant=grant, reason=reason, now=now, account_id=None,
            source_address=source_address,
        )  # fmt: skip
        ended += 1
    return ended


# `last_used_at` is a hint for the patient ("last used 5 minutes ago"), not an audit
# record (the activity log is): writing it at most once a minute saves a write per read.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def grant_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a grant's `last_used_at` is old enough to be written again."""
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION


async def mark_grant_used(session: AsyncSession, *, grant_id: int, at: datetime) -> None:
    """Note when an app last used a grant, at most once a minute (the read itself never writes)."""
    await session.exec(
        update(Grant)
        .where(col(Grant.id) == grant_id)
        .where(
            or_(
                col(Grant.last_used_at).is_(None),
                col(Grant.last_used_at) <= at - LAST_USED_RESOLUTION,
            )
        )
        .values(last_used_at=at)
    )

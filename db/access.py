"""The per-request check of an app's access token, in one statement without the ORM.

Looked up on every request (never cached), so a revoked or narrowed grant, a suspended
app or an expired token takes effect on the very next request in every worker.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from db.apps import App, AppStatus
from db.grants import Grant, live_grant_clause
from db.tokens import Token, TokenKind

# `last_used_at` is a hint for the patient ("last used 5 minutes ago"), not an audit
# record (the activity log is): writing it at most once a minute saves a write per read.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class LiveAccess:
    """What a live access token may do: its grant, app and the two scope strings."""

    grant_id: int
    account_id: int
    patient_id: int
    app_id: int
    app_name: str
    client_id: str
    token_scopes: str
    grant_scopes: str
    last_used_at: datetime | None


async def find_live_access(
    session: AsyncSession, *, token_hash: str, now: datetime
) -> LiveAccess | None:
    """The grant and app behind an access token, if it may be used right now."""
    columns = (
        Grant.id, Grant.account_id, Grant.patient_id, App.id, App.name, App.client_id,
        Token.scopes, Grant.scopes, Grant.last_used_at,
    )  # fmt: skip
    statement = (
        select(*(col(c) for c in columns))
        .join(Grant, col(Grant.id) == col(Token.grant_id))
        .join(App, col(App.id) == col(Grant.app_id))
        .where(
            col(Token.token_hash) == token_hash,
            col(Token.kind) == TokenKind.ACCESS,
            col(Token.revoked_at).is_(None),
            col(Token.expires_at) > now,
            live_grant_clause(now),
            col(App.status) == AppStatus.APPROVED,
        )
    )
    connection = await session.connection()
    row: Any = (await connection.execute(statement)).first()
    return None if row is None else LiveAccess(*row[:9])


async def note_grant_used(session: AsyncSession, *, access: LiveAccess, now: datetime) -> None:
    """Set the grant's `last_used_at`, unless it was set less than a minute ago."""
    last = access.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    connection = await session.connection()
    await connection.execute(
        update(Grant).where(col(Grant.id) == access.grant_id).values(last_used_at=now)
    )

"""Server-side login sessions: the cookie holds a random id, the table only its hash."""

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import WebSession
from db.columns import utcnow
from db.tokens import hash_secret
from db.writes import save


async def open_session(
    session: AsyncSession,
    *,
    account_id: int | None,
    patient_id: int | None,
    absolute_seconds: int,
    data: dict[str, Any] | None = None,
) -> tuple[str, WebSession]:
    """Start a session; returns the raw id for the cookie (never stored) and the row."""
    raw_id = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(
        session_hash=hash_secret(raw_id),
        account_id=account_id,
        patient_id=patient_id,
        csrf_token=secrets.token_urlsafe(32),
        data=json.dumps(data or {}),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=absolute_seconds),
    )
    await save(session, row)
    return raw_id, row


async def find_live_session(
    session: AsyncSession,
    *,
    raw_id: str,
    idle_seconds: int,
    now: datetime | None = None,
    touch: bool = True,
) -> WebSession | None:
    """The session behind a cookie value if it has not ended, expired or idled out; touches it.

    With `touch=False` nothing is written (a reading unit of work): the caller touches
    the session later with `touch_session`, and an idled-out session is ended by the
    next request that writes.
    """
    now = now or utcnow()
    row = (
        await session.exec(
            select(WebSession).where(
                col(WebSession.session_hash) == hash_secret(raw_id),
                col(WebSession.ended_at).is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    ended = row.expires_at <= now or row.last_seen_at + timedelta(seconds=idle_seconds) <= now
    if touch:
        if ended:
            row.ended_at = now
        else:
            row.last_seen_at = now
        await save(session, row)
    return None if ended else row


async def touch_session(session: AsyncSession, *, session_id: int, at: datetime) -> None:
    """Note that a live session was used (one UPDATE, for requests that only read)."""
    await session.exec(
        update(WebSession)
        .where(col(WebSession.id) == session_id, col(WebSession.ended_at).is_(None))
        .values(last_seen_at=at)
    )


async def end_session(session: AsyncSession, *, row: WebSession) -> None:
    """End a session on the server (logout, or replaced at login)."""
    row.ended_at = utcnow()
    await save(session, row)


def session_data(row: WebSession) -> dict[str, Any]:
    """The JSON data a session carries (for example a pending authorization request)."""
    loaded = json.loads(row.data)
    return loaded if isinstance(loaded, dict) else {}


def set_session_data(row: WebSession, data: dict[str, Any]) -> None:
    """Replace the JSON data a session carries; flushed with the unit of work."""
    row.data = json.dumps(data)

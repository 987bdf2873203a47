"""Pending OAuth authorization requests: one row per /oauth/authorize, named by an unguessable id.

The browser carries the raw id (login, patient choice and consent pages and their
forms); the table keeps only its SHA-256. A request belongs to one browser session
(moved to the new session at login), may be answered once, and expires.
"""

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Index, delete, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import UTCDateTime, utcnow
from db.tokens import hash_secret
from db.writes import save

REQUEST_ID_BYTES = 32  # 256 bits
MAX_REQUEST_ID_LENGTH = 128


class AuthorizationRequest(SQLModel, table=True):
    """A validated authorization request waiting for the patient's answer."""

    __tablename__ = "authorization_request"
    __table_args__ = (
        Index("ix_authorization_request_session", "web_session_id"),
        Index("ix_authorization_request_expires", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_hash: str = Field(max_length=64, unique=True)
    web_session_id: int = Field(foreign_key="web_session.id", ondelete="CASCADE")
    app_id: int = Field(foreign_key="app.id", ondelete="CASCADE")
    redirect_uri: str = Field(max_length=2000)
    scopes: str
    # Every parameter of the request as validated, JSON: Authlib re-reads them at the answer.
    params: str
    patient_id: int | None = Field(default=None, foreign_key="patient.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def request_params(row: AuthorizationRequest) -> dict[str, str]:
    """The request's parameters as they were validated."""
    loaded = json.loads(row.params)
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


async def open_authorization_request(
    session: AsyncSession,
    *,
    web_session_id: int,
    app_id: int,
    params: dict[str, str],
    ttl_seconds: int,
) -> tuple[str, AuthorizationRequest]:
    """Store a validated request; returns the raw id for the browser (never stored) and the row.

    Expired requests are deleted first: none can be answered any more, and an id that
    names nothing is refused just as an expired one is.
    """
    raw_id = secrets.token_urlsafe(REQUEST_ID_BYTES)
    now = utcnow()
    await session.exec(
        delete(AuthorizationRequest).where(col(AuthorizationRequest.expires_at) <= now)
    )
    row = AuthorizationRequest(
        request_hash=hash_secret(raw_id),
        web_session_id=web_session_id,
        app_id=app_id,
        redirect_uri=params.get("redirect_uri", ""),
        scopes=params.get("scope", ""),
        params=json.dumps(params, sort_keys=True),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    await save(session, row)
    return raw_id, row


async def find_authorization_request(
    session: AsyncSession, *, raw_id: str
) -> AuthorizationRequest | None:
    """The request a raw id names, answered or not; None for an id that names nothing."""
    if not raw_id or len(raw_id) > MAX_REQUEST_ID_LENGTH:
        return None
    statement = select(AuthorizationRequest).where(
        col(AuthorizationRequest.request_hash) == hash_secret(raw_id)
    )
    return (await session.exec(statement)).first()


async def choose_request_patient(
    session: AsyncSession, *, request: AuthorizationRequest, patient_id: int
) -> None:
    """Record whose record this one request is about."""
    request.patient_id = patient_id
    await save(session, request)


async def claim_authorization_request(
    session: AsyncSession, *, request_id: int, now: datetime
) -> bool:
    """Mark a live request answered in one atomic UPDATE; False if answered already or expired."""
    result = await session.exec(
        update(AuthorizationRequest)
        .where(
            col(AuthorizationRequest.id) == request_id,
            col(AuthorizationRequest.answered_at).is_(None),
            col(AuthorizationRequest.expires_at) > now,
        )
        .values(answered_at=now)
    )
    return bool(result.rowcount == 1)


async def release_authorization_request(session: AsyncSession, *, request_id: int) -> None:
    """Undo a claim in the same unit of work (the answer could not be recorded)."""
    await session.exec(
        update(AuthorizationRequest)
        .where(col(AuthorizationRequest.id) == request_id)
        .values(answered_at=None)
    )


async def move_authorization_requests(
    session: AsyncSession, *, from_session_id: int, to_session_id: int
) -> None:
    """Hand a session's unanswered requests to its successor (a new session id at login)."""
    await session.exec(
        update(AuthorizationRequest)
        .where(
            col(AuthorizationRequest.web_session_id) == from_session_id,
            col(AuthorizationRequest.answered_at).is_(None),
        )
        .values(web_session_id=to_session_id)
    )

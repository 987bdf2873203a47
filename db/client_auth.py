"""Failed client authentications, counted per client_id to slow down and lock secret guessing.

Rows are kept per client_id string, known or not: a throttle that only applied to
registered clients would tell which client_ids exist.
"""

from datetime import datetime

from sqlalchemy import Index, delete, func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import UTCDateTime, utcnow
from db.writes import save

CLIENT_ID_KEY_LENGTH = 255


class ClientAuthFailure(SQLModel, table=True):
    """One wrong or missing client secret (or an unknown client_id) at a token endpoint."""

    __tablename__ = "client_auth_failure"
    __table_args__ = (Index("ix_client_auth_failure_client_recent", "client_id", "failed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=CLIENT_ID_KEY_LENGTH)
    source_address: str | None = Field(default=None, max_length=64)
    failed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def client_key(client_id: str) -> str:
    """The client_id as counted (long ones cut: no registered client_id is that long)."""
    return client_id[:CLIENT_ID_KEY_LENGTH]


async def count_client_auth_failures(
    session: AsyncSession, *, client_id: str, since: datetime
) -> int:
    """Failed authentications of one client_id since a moment."""
    statement = (
        select(func.count())
        .select_from(ClientAuthFailure)
        .where(
            col(ClientAuthFailure.client_id) == client_key(client_id),
            col(ClientAuthFailure.failed_at) >= since,
        )
    )
    return int((await session.exec(statement)).one())


async def record_client_auth_failure(
    session: AsyncSession,
    *,
    client_id: str,
    source_address: str | None,
    now: datetime,
    forget_before: datetime,
) -> None:
    """Count one failure; this client_id's failures older than `forget_before` are dropped."""
    key = client_key(client_id)
    await session.exec(
        delete(ClientAuthFailure).where(
            col(ClientAuthFailure.client_id) == key,
            col(ClientAuthFailure.failed_at) < forget_before,
        )
    )
    await save(
        session, ClientAuthFailure(client_id=key, source_address=source_address, failed_at=now)
    )

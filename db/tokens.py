"""Authorization codes and access/refresh tokens, stored only as SHA-256 hashes."""

import hashlib
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, func, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import UTCDateTime, utcnow


class TokenKind(StrEnum):
    """The two kinds of bearer secret an app holds."""

    ACCESS = "access"
    REFRESH = "refresh"


def hash_secret(secret: str) -> str:
    """Return the hex SHA-256 of a high-entropy secret (token or code); never store the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Token(SQLModel, table=True):
    """An access or refresh token issued under a grant."""

    __tablename__ = "token"
    __table_args__ = (Index("ix_token_grant", "grant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=10)
    grant_id: int = Field(foreign_key="grant.id", ondelete="CASCADE")
    # May be narrower than the grant (a refresh with a smaller scope).
    scopes: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # For refresh tokens: set when the token was used and replaced by a new one.
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The code this token's device began with, kept across refreshes: a code presented
    # again revokes them all, and revoking the device's refresh token ends just them.
    issued_from_code_id: int | None = Field(
        default=None, foreign_key="authorization_code.id", ondelete="SET NULL"
    )


class AuthorizationCode(SQLModel, table=True):
    """A single-use code bound to its client, redirect URI, PKCE challenge and grant."""

    __tablename__ = "authorization_code"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    app_id: int = Field(foreign_key="app.id", ondelete="CASCADE")
    grant_id: int = Field(foreign_key="grant.id", ondelete="CASCADE")
    redirect_uri: str = Field(max_length=2000)
    code_challenge: str = Field(max_length=128)
    code_challenge_method: str = Field(max_length=10)
    scopes: str
    nonce: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


async def claim_authorization_code(session: AsyncSession, *, code_id: int, now: datetime) -> bool:
    """Mark a code used in one atomic UPDATE; False if another redemption got there first."""
    result = await session.exec(
        update(AuthorizationCode)
        .where(col(AuthorizationCode.id) == code_id, col(AuthorizationCode.used_at).is_(None))
        .values(used_at=now)
    )
    return bool(result.rowcount == 1)


async def revoke_tokens_from_code(session: AsyncSession, *, code_id: int, now: datetime) -> int:
    """Revoke every token issued from a code (it was presented twice); returns how many."""
    result = await session.exec(
        update(Token)
        .where(col(Token.issued_from_code_id) == code_id, col(Token.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)


async def claim_refresh_token(session: AsyncSession, *, token_id: int, now: datetime) -> bool:
    """Mark a refresh token rotated in one atomic UPDATE; False if already used or revoked."""
    result = await session.exec(
        update(Token)
        .where(
            col(Token.id) == token_id,
            col(Token.rotated_at).is_(None),
            col(Token.revoked_at).is_(None),
        )
        .values(rotated_at=now)
    )
    return bool(result.rowcount == 1)


async def count_live_tokens(session: AsyncSession, *, grant_id: int, now: datetime) -> int:
    """Tokens of a grant still usable now (not revoked, not rotated, not expired)."""
    statement = (
        select(func.count())
        .select_from(Token)
        .where(
            col(Token.grant_id) == grant_id,
            col(Token.revoked_at).is_(None),
            col(Token.rotated_at).is_(None),
            col(Token.expires_at) > now,
        )
    )
    return int((await session.exec(statement)).one())


async def revoke_grant_tokens(session: AsyncSession, *, grant_id: int, now: datetime) -> None:
    """Revoke every token still live under a grant (the grant has ended)."""
    await session.exec(
        update(Token)
        .where(col(Token.grant_id) == grant_id, col(Token.revoked_at).is_(None))
        .values(revoked_at=now)
    )


async def revoke_token(session: AsyncSession, *, token_id: int, now: datetime) -> None:
    """Revoke one token."""
    await session.exec(
        update(Token)
        .where(col(Token.id) == token_id, col(Token.revoked_at).is_(None))
        .values(revoked_at=now)
    )

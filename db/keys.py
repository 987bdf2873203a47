"""Signing keys for id_tokens, kept so that a rotation leaves issued tokens verifiable."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import UTCDateTime, utcnow
from db.writes import save


class SigningKey(SQLModel, table=True):
    """An RS256 key pair; the newest active one signs, all unretired ones are published."""

    __tablename__ = "signing_key"

    id: int | None = Field(default=None, primary_key=True)
    kid: str = Field(max_length=64, unique=True)
    private_key_pem: str
    public_jwk: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


async def list_published_keys(session: AsyncSession) -> list[SigningKey]:
    """Unretired keys, newest first: the first signs, all verify."""
    statement = (
        select(SigningKey)
        .where(col(SigningKey.retired_at).is_(None))
        .order_by(col(SigningKey.created_at).desc(), col(SigningKey.id).desc())
    )
    return list((await session.exec(statement)).all())


async def add_signing_key(
    session: AsyncSession, *, kid: str, private_key_pem: str, public_jwk: str
) -> SigningKey:
    """Store a new key; it signs from now on."""
    return await save(
        session, SigningKey(kid=kid, private_key_pem=private_key_pem, public_jwk=public_jwk)
    )


async def retire_signing_keys(session: AsyncSession, *, keep_ids: list[int]) -> None:
    """Stop publishing every key except those kept."""
    await session.exec(
        update(SigningKey)
        .where(col(SigningKey.retired_at).is_(None), col(SigningKey.id).not_in(keep_ids))
        .values(retired_at=utcnow())
    )


async def list_all_keys(session: AsyncSession) -> list[SigningKey]:
    """Every key, retired or not, oldest first."""
    return list((await session.exec(select(SigningKey).order_by(col(SigningKey.id)))).all())


async def replace_private_key(
    session: AsyncSession, *, key: SigningKey, private_key_pem: str
) -> None:
    """Store a key's private half in a new form (the same key, e.g. now encrypted)."""
    key.private_key_pem = private_key_pem
    await save(session, key)

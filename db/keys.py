"""Signing keys for id_tokens, kept so that a rotation leaves issued tokens verifiable."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from db.columns import UTCDateTime, utcnow


class SigningKey(SQLModel, table=True):
    """An RS256 key pair; the newest active one signs, all unretired ones are published."""

    __tablename__ = "signing_key"

    id: int | None = Field(default=None, primary_key=True)
    kid: str = Field(max_length=64, unique=True)
    private_key_pem: str
    public_jwk: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

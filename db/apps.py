"""Partner apps (OAuth clients) and the operator's switches for reviewing them."""

import json
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import UTCDateTime, utcnow
from db.writes import save

AUTO_APPROVE_DYNAMIC_REGISTRATION = "auto_approve_dynamic_registration"


class AppStatus(StrEnum):
    """Where an app stands in the operator's review."""

    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class AppBase(SQLModel):
    """What a developer says about an app; shown on the consent screen and in the directory."""

    name: str = Field(max_length=120)
    description: str | None = None
    homepage_url: str | None = Field(default=None, max_length=2000)
    logo_url: str | None = Field(default=None, max_length=2000)
    privacy_policy_url: str | None = Field(default=None, max_length=2000)
    terms_url: str | None = Field(default=None, max_length=2000)
    # JSON array of exact redirect URIs.
    redirect_uris: str = "[]"
    # Space-separated scopes the app may ask for; empty means any scope in the registry.
    allowed_scopes: str = ""


class App(AppBase, table=True):
    """A registered partner app; public apps have no secret."""

    __tablename__ = "app"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, unique=True)
    client_secret_hash: str | None = Field(default=None, max_length=255)
    is_confidential: bool = False
    status: str = Field(max_length=20, default=AppStatus.PENDING)
    developer_account_id: int | None = Field(
        default=None, foreign_key="account.id", ondelete="SET NULL"
    )
    registered_via: str = Field(max_length=20, default="account")  # account | dynamic | seed
    # Hash of the RFC 7591 registration access token, for dynamically registered clients.
    registration_token_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    secret_rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the developer deleted the registration (RFC 7592); the row stays, suspended,
    # because grants and activity events refer to it.
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OperatorSetting(SQLModel, table=True):
    """A switch the operator sets at run time (e.g. auto-approval of registrations)."""

    __tablename__ = "operator_setting"

    key: str = Field(max_length=80, primary_key=True)
    value: str
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


async def find_app_by_client_id(session: AsyncSession, *, client_id: str) -> App | None:
    """The app registered under a client_id, whatever its status."""
    return (await session.exec(select(App).where(col(App.client_id) == client_id))).first()


async def find_app_by_registration_token(
    session: AsyncSession, *, client_id: str, token_hash: str
) -> App | None:
    """The app under `client_id` whose registration access token has this hash, if any.

    One query matches both, so an unknown client and a wrong token take the same path.
    """
    statement = select(App).where(
        col(App.client_id) == client_id,
        col(App.registration_token_hash) == token_hash,
        col(App.deleted_at).is_(None),
    )
    return (await session.exec(statement)).first()


def redirect_uris_of(app: App) -> list[str]:
    """The app's registered redirect URIs."""
    uris = json.loads(app.redirect_uris)
    return [u for u in uris if isinstance(u, str)]


async def get_operator_flag(session: AsyncSession, *, key: str) -> bool:
    """An operator switch; absent means off."""
    setting = await session.get(OperatorSetting, key)
    return setting is not None and setting.value == "true"


async def list_apps(session: AsyncSession, *, status: AppStatus | None = None) -> list[App]:
    """Registered apps, oldest first; only those with `status` if given."""
    statement = select(App)
    if status is not None:
        statement = statement.where(col(App.status) == status)
    return list((await session.exec(statement.order_by(col(App.id)))).all())


async def list_developer_apps(session: AsyncSession, *, developer_account_id: int) -> list[App]:
    """The apps a developer account registered, oldest first."""
    statement = select(App).where(col(App.developer_account_id) == developer_account_id)
    return list((await session.exec(statement.order_by(col(App.id)))).all())


async def find_developer_app(
    session: AsyncSession, *, developer_account_id: int, app_id: int
) -> App | None:
    """One app, only if this developer account registered it."""
    statement = select(App).where(
        col(App.id) == app_id, col(App.developer_account_id) == developer_account_id
    )
    return (await session.exec(statement)).first()


async def set_operator_flag(session: AsyncSession, *, key: str, value: bool) -> None:
    """Turn an operator switch on or off."""
    setting = await session.get(OperatorSetting, key)
    if setting is None:
        setting = OperatorSetting(key=key, value="false")
    setting.value = "true" if value else "false"
    setting.updated_at = utcnow()
    await save(session, setting)

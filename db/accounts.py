"""Login accounts, the patients an account may act for, and server-side web sessions."""

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Index, func, or_
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import UTCDateTime, utcnow
from db.patients import Patient
from db.writes import save


class AccountRole(StrEnum):
    """What an account is for."""

    PATIENT = "patient"  # a patient or a patient-authorized representative
    DEVELOPER = "developer"  # registers and manages partner apps
    OPERATOR = "operator"  # runs chartshare: approves or suspends apps


class Relationship(StrEnum):
    """Why an account may act for a patient."""

    SELF = "self"
    CHILD = "child"  # a parent or guardian for a minor
    REPRESENTATIVE = "representative"  # another patient-authorized representative


class AccountBase(SQLModel):
    """Fields an account shows about itself."""

    username: str = Field(max_length=80, unique=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=20, default=AccountRole.PATIENT)


class Account(AccountBase, table=True):
    """A person who logs in to chartshare."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    failed_logins: int = 0
    last_failed_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccountPatient(SQLModel, table=True):
    """An account's right to act for a patient (patient selection, ONC (g)(7))."""

    __tablename__ = "account_patient"

    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    patient_id: int = Field(foreign_key="patient.id", primary_key=True, ondelete="CASCADE")
    relationship: str = Field(max_length=20, default=Relationship.SELF)


class WebSession(SQLModel, table=True):
    """A server-side login session; the cookie carries a random id, the table its hash."""

    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_account", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", ondelete="CASCADE")
    patient_id: int | None = Field(default=None, foreign_key="patient.id", ondelete="SET NULL")
    csrf_token: str = Field(max_length=64)
    # Short-lived state as JSON, carried to the new session at login. Pending OAuth
    # authorization requests have their own table (db/authorization_requests.py).
    data: str = "{}"
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


async def find_account_by_login(session: AsyncSession, *, login: str) -> Account | None:
    """The account whose username or email (case-insensitive) is `login`."""
    lowered = login.strip().lower()
    statement = select(Account).where(
        or_(func.lower(Account.username) == lowered, func.lower(Account.email) == lowered)
    )
    return (await session.exec(statement)).first()


async def list_account_patients(
    session: AsyncSession, *, account_id: int
) -> list[tuple[Patient, str]]:
    """The patients an account may act for, with the relationship, self first."""
    statement = (
        select(Patient, AccountPatient.relationship)
        .join(AccountPatient, col(AccountPatient.patient_id) == col(Patient.id))
        .where(col(AccountPatient.account_id) == account_id)
        .order_by(col(AccountPatient.relationship) != Relationship.SELF, col(Patient.id))
    )
    return [(patient, relationship) for patient, relationship in (await session.exec(statement))]


async def may_act_for(session: AsyncSession, *, account_id: int, patient_id: int) -> bool:
    """Whether the account may act for the patient."""
    link = await session.get(AccountPatient, (account_id, patient_id))
    return link is not None


async def record_failed_login(
    session: AsyncSession, *, account: Account, now: datetime, lock_after: int, lock_seconds: int
) -> Account:
    """Count a failed login; failures older than the lock window are forgotten first."""
    window = timedelta(seconds=lock_seconds)
    if account.last_failed_login_at is not None and account.last_failed_login_at + window <= now:
        account.failed_logins = 0
    account.failed_logins += 1
    account.last_failed_login_at = now
    if account.failed_logins >= lock_after:
        account.locked_until = now + window
    return await save(session, account)


async def clear_failed_logins(session: AsyncSession, *, account: Account) -> None:
    """Forget failed logins after a successful one."""
    account.failed_logins = 0
    account.last_failed_login_at = None
    account.locked_until = None
    await save(session, account)

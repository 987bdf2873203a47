"""Representative links (an account acting for a patient not itself) and ending them."""

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, AccountPatient, Relationship, WebSession
from db.activity import Actor, EventKind, record_event
from db.grants import Grant, revoke_grant
from db.patients import Patient


@dataclass(frozen=True)
class Representation:
    """One link: a representative account, the patient it acts for, and why it may."""

    account: Account
    patient: Patient
    relationship: str


async def list_representations(
    session: AsyncSession, *, patient_ids: list[int] | None = None
) -> list[Representation]:
    """Every non-self link, or only those for the given patients, by patient then account."""
    statement = (
        select(AccountPatient, Account, Patient)
        .join(Account, col(Account.id) == col(AccountPatient.account_id))
        .join(Patient, col(Patient.id) == col(AccountPatient.patient_id))
        .where(col(AccountPatient.relationship) != Relationship.SELF)
        .order_by(col(AccountPatient.patient_id), col(AccountPatient.account_id))
    )
    if patient_ids is not None:
        statement = statement.where(col(AccountPatient.patient_id).in_(patient_ids))
    rows = (await session.exec(statement)).all()
    return [Representation(account, patient, link.relationship) for link, account, patient in rows]


async def find_representation(
    session: AsyncSession, *, account_id: int, patient_id: int
) -> AccountPatient | None:
    """The link between an account and a patient if it is a representative's (not self)."""
    link = await session.get(AccountPatient, (account_id, patient_id))
    if link is None or link.relationship == Relationship.SELF:
        return None
    return link


async def end_representation(
    session: AsyncSession,
    *,
    link: AccountPatient,
    ended_by_account_id: int | None,
    ended_by: str,
    source_address: str | None,
) -> list[Grant]:
    """Remove the link and revoke, at once, every grant the representative made for the patient.

    Returns the grants revoked. The representative's sessions stop acting for the patient.
    """
    grants = await session.exec(
        select(Grant).where(
            col(Grant.account_id) == link.account_id,
            col(Grant.patient_id) == link.patient_id,
            col(Grant.revoked_at).is_(None),
        )
    )
    revoked = []
    for grant in grants.all():
        revoked.append(
            await revoke_grant(
                session,
                grant=grant,
                reason="representative_removed",
                account_id=ended_by_account_id,
                source_address=source_address,
            )
        )
    await session.exec(
        update(WebSession)
        .where(
            col(WebSession.account_id) == link.account_id,
            col(WebSession.patient_id) == link.patient_id,
        )
        .values(patient_id=None)
    )
    representative = await session.get(Account, link.account_id)
    await record_event(
        session,
        kind=EventKind.REPRESENTATIVE_REMOVED,
        actor=Actor(ended_by_account_id, source_address),
        patient_id=link.patient_id,
        details={
            "representative_account_id": link.account_id,
            "representative_name": representative.display_name if representative else None,
            "relationship": link.relationship,
            "ended_by": ended_by,
            "revoked_grants": len(revoked),
        },
    )
    await session.delete(link)
    await session.flush()
    return revoked

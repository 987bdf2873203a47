"""Who may end a representative link: the patient themselves (their own login) or the operator.

Ending a link (a child turns 18, a guardian is removed) revokes at once every grant the
representative made for that patient; grants the patient made stay.
"""

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import AccountPatient, Relationship
from db.grants import Grant
from db.representatives import end_representation, find_representation


@dataclass
class RepresentationProblem(Exception):
    """An expected reason a link cannot be ended; becomes a userError or a clear message."""

    code: str
    field: str | None
    message: str


async def _link(session: AsyncSession, *, account_id: int, patient_id: int) -> AccountPatient:
    link = await find_representation(session, account_id=account_id, patient_id=patient_id)
    if link is None:
        raise RepresentationProblem(
            "NOT_FOUND", "representativeId", "That account does not act for this patient."
        )
    return link


async def end_representative_as_patient(
    session: AsyncSession,
    *,
    patient_account_id: int,
    representative_account_id: int,
    patient_id: int,
    source_address: str | None,
) -> list[Grant]:
    """The patient (an account linked to the record as `self`) removes a representative."""
    own = await session.get(AccountPatient, (patient_account_id, patient_id))
    if own is None or own.relationship != Relationship.SELF:
        raise RepresentationProblem(
            "FORBIDDEN", "patientId", "Only the patient can remove a representative."
        )
    link = await _link(session, account_id=representative_account_id, patient_id=patient_id)
    return await end_representation(
        session,
        link=link,
        ended_by_account_id=patient_account_id,
        ended_by="patient",
        source_address=source_address,
    )


async def end_representative_as_operator(
    session: AsyncSession,
    *,
    operator_account_id: int | None,
    representative_account_id: int,
    patient_id: int,
    source_address: str | None,
) -> list[Grant]:
    """The operator removes a representative (from the operator page or the CLI)."""
    link = await _link(session, account_id=representative_account_id, patient_id=patient_id)
    return await end_representation(
        session,
        link=link,
        ended_by_account_id=operator_account_id,
        ended_by="operator",
        source_address=source_address,
    )

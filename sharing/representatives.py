"""Who may end a representative link: the patient themselves (their own login) or the operator.

Ending a link (a child turns 18, a guardian is removed) revokes at once every grant the
representative made for that patient; grants the patient made stay.
"""

from dataclasses import dataclass
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import AccountPatient, Relationship
from db.grants import Grant
from db.representatives import end_representation, find_representation

EndedBy = Literal["patient", "operator"]


@dataclass
class RepresentationProblem(Exception):
    """An expected reason a link cannot be ended; becomes a userError or a clear message."""

    code: str
    field: str | None
    message: str


async def _is_the_patient(session: AsyncSession, account_id: int | None, patient_id: int) -> bool:
    own = (
        None if account_id is None else await session.get(AccountPatient, (account_id, patient_id))
    )
    return own is not None and own.relationship == Relationship.SELF


async def end_representative(
    session: AsyncSession,
    *,
    ended_by: EndedBy,
    by_account_id: int | None,
    representative_account_id: int,
    patient_id: int,
    source_address: str | None,
) -> list[Grant]:
    """End a representative link, as the patient or as the operator.

    The patient is an account linked to the record as `self`; the operator's account is None
    when the link is ended from the command line.
    """
    if ended_by == "patient" and not await _is_the_patient(session, by_account_id, patient_id):
        raise RepresentationProblem(
            "FORBIDDEN", "patientId", "Only the patient can remove a representative."
        )
    link = await find_representation(
        session, account_id=representative_account_id, patient_id=patient_id
    )
    if link is None:
        raise RepresentationProblem(
            "NOT_FOUND", "representativeId", "That account does not act for this patient."
        )
    return await end_representation(
        session,
        link=link,
        ended_by_account_id=by_account_id,
        ended_by=ended_by,
        source_address=source_address,
    )

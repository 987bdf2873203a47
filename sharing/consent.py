"""Recording, narrowing and revoking consent: the one code path for pages and mutations."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import list_account_patients, may_act_for
from db.apps import App, AppStatus
from db.columns import utcnow
from db.errors import Conflict, NotFound
from db.grants import Grant, create_grant, get_grant_for_account, narrow_grant, revoke_grant
from sharing.scopes import CategoryKey, SpecialScope, granted_categories, is_special, scopes_for


class AccessDuration(StrEnum):
    """How long the patient lets an app keep access."""

    ONE_HOUR = "one_hour"
    NINETY_DAYS = "ninety_days"
    ONE_YEAR = "one_year"
    UNTIL_REVOKED = "until_revoked"


DURATION_LENGTH: dict[AccessDuration, timedelta | None] = {
    AccessDuration.ONE_HOUR: timedelta(hours=1),
    AccessDuration.NINETY_DAYS: timedelta(days=90),
    AccessDuration.ONE_YEAR: timedelta(days=365),
    AccessDuration.UNTIL_REVOKED: None,
}

DURATION_LABEL: dict[AccessDuration, str] = {
    AccessDuration.ONE_HOUR: "For one hour",
    AccessDuration.NINETY_DAYS: "For 90 days",
    AccessDuration.ONE_YEAR: "For one year",
    AccessDuration.UNTIL_REVOKED: "Until I revoke it",
}


@dataclass
class ConsentProblem(Exception):
    """An expected reason a consent cannot be recorded; becomes a userError or an OAuth error."""

    code: str
    field: str | None
    message: str


async def authorize_app(
    session: AsyncSession,
    *,
    account_id: int,
    patient_id: int,
    app: App,
    requested_scopes: list[str],
    approved_categories: frozenset[CategoryKey] | None,
    allow_offline: bool,
    duration: AccessDuration,
    source_address: str | None,
) -> Grant:
    """Record that the account lets the app read the approved part of what it asked for.

    `approved_categories=None` approves every requested category. Categories the app
    did not ask for are never added.
    """
    if not await may_act_for(session, account_id=account_id, patient_id=patient_id):
        raise ConsentProblem("FORBIDDEN", "patientId", "You cannot act for that patient.")
    if app.status != AppStatus.APPROVED:
        raise ConsentProblem("APP_NOT_APPROVED", "clientId", "This app is not approved.")
    requested = granted_categories(requested_scopes)
    approved = requested if approved_categories is None else requested & approved_categories
    if approved_categories is not None and not approved_categories <= requested:
        raise ConsentProblem(
            "NOT_REQUESTED", "categories", "Only categories the app asked for can be shared."
        )
    specials = [s for s in requested_scopes if is_special(s)]
    if not allow_offline and SpecialScope.OFFLINE_ACCESS in specials:
        specials.remove(SpecialScope.OFFLINE_ACCESS)
    if not approved and not specials:
        raise ConsentProblem("NOTHING_GRANTED", "categories", "Choose at least one category.")
    refused = scopes_for(requested - approved)
    if SpecialScope.OFFLINE_ACCESS in requested_scopes and not allow_offline:
        refused.append(SpecialScope.OFFLINE_ACCESS)
    length = DURATION_LENGTH[duration]
    assert app.id is not None
    return await create_grant(
        session,
        account_id=account_id,
        patient_id=patient_id,
        app_id=app.id,
        scopes=scopes_for(approved, specials),
        refused_scopes=refused,
        expires_at=utcnow() + length if length else None,
        source_address=source_address,
    )


async def _grant_of_account(session: AsyncSession, *, account_id: int, grant_id: int) -> Grant:
    patient_ids = [p.id for p, _ in await list_account_patients(session, account_id=account_id)]
    try:
        return await get_grant_for_account(
            session,
            grant_id=grant_id,
            account_id=account_id,
            patient_ids=[pid for pid in patient_ids if pid is not None],
        )
    except NotFound:
        raise ConsentProblem("NOT_FOUND", "grantId", "No such authorized app.") from None


async def revoke_app(
    session: AsyncSession, *, account_id: int, grant_id: int, source_address: str | None
) -> Grant:
    """End a grant the account manages; every token under it stops on the next request."""
    grant = await _grant_of_account(session, account_id=account_id, grant_id=grant_id)
    try:
        return await revoke_grant(
            session,
            grant=grant,
            reason="revoked_by_patient",
            account_id=account_id,
            source_address=source_address,
        )
    except Conflict:
        raise ConsentProblem("ALREADY_REVOKED", "grantId", "Access was already revoked.") from None


async def narrow_app_grant(
    session: AsyncSession,
    *,
    account_id: int,
    grant_id: int,
    categories: frozenset[CategoryKey],
    source_address: str | None,
) -> Grant:
    """Keep only some of a grant's categories; effective on the app's next request."""
    grant = await _grant_of_account(session, account_id=account_id, grant_id=grant_id)
    current_scopes = grant.scopes.split()
    current = granted_categories(current_scopes)
    if not categories <= current:
        raise ConsentProblem(
            "NOT_A_NARROWING", "categories", "You can only remove categories from a grant."
        )
    if not categories:
        raise ConsentProblem(
            "NOTHING_GRANTED", "categories", "Keep at least one category, or revoke the app."
        )
    specials = [s for s in current_scopes if is_special(s)]
    try:
        return await narrow_grant(
            session,
            grant=grant,
            scopes=scopes_for(categories, specials),
            account_id=account_id,
            source_address=source_address,
        )
    except Conflict:
        raise ConsentProblem("GRANT_ENDED", "grantId", "This access has already ended.") from None

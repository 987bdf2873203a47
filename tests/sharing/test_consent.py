"""Consent is recorded, narrowed and revoked through one code path, with its audit events."""

import json
from typing import Any

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, Relationship
from db.activity import ActivityEvent, EventKind
from db.apps import App, AppStatus
from db.grants import Grant
from db.patients import Patient
from db.tokens import Token
from sharing.activity_summary import summarize
from sharing.consent import (
    AccessDuration,
    ConsentProblem,
    authorize_app,
    narrow_app_grant,
    revoke_app,
)
from sharing.scopes import CategoryKey, granted_categories
from tests.builders.people import issue_token, make_account, make_app, make_patient

REQUESTED = ["launch/patient", "offline_access", "patient/Observation.rs", "patient/Goal.rs"]


async def _arrange(
    session: AsyncSession, app_status: AppStatus = AppStatus.APPROVED
) -> tuple[Account, Patient, App]:
    patient = await make_patient(session)
    account = await make_account(session, patients=[(patient, Relationship.SELF)])
    app = await make_app(session, status=app_status)
    return account, patient, app


async def _consent(
    session: AsyncSession, account: Account, patient: Patient, app: App, **overrides: object
) -> Grant:
    """Consent with everything the app asked for unless told otherwise."""
    values: dict[str, Any] = {
        "requested_scopes": REQUESTED,
        "approved_categories": None,
        "allow_offline": True,
        "duration": AccessDuration.UNTIL_REVOKED,
        "source_address": None,
    }
    values.update(overrides)
    return await authorize_app(
        session, account_id=account.id, patient_id=patient.id, app=app, **values
    )


async def _events(session: AsyncSession, kind: EventKind) -> list[ActivityEvent]:
    rows = await session.exec(select(ActivityEvent).where(col(ActivityEvent.kind) == kind))
    return list(rows.all())


async def test_patient_can_uncheck_categories_and_refuse_offline_access(
    session: AsyncSession,
) -> None:
    account, patient, app = await _arrange(session)
    grant = await authorize_app(
        session,
        account_id=account.id,
        patient_id=patient.id,
        app=app,
        requested_scopes=REQUESTED,
        approved_categories=frozenset({CategoryKey.LAB_RESULTS, CategoryKey.GOALS}),
        allow_offline=False,
        duration=AccessDuration.NINETY_DAYS,
        source_address="192.0.2.1",
    )
    assert granted_categories(grant.scopes.split()) == {CategoryKey.LAB_RESULTS, CategoryKey.GOALS}
    assert "offline_access" not in grant.scopes.split()
    assert "launch/patient" in grant.scopes.split()
    assert grant.expires_at is not None
    [event] = await _events(session, EventKind.CONSENT)
    details = json.loads(event.details)
    assert "offline_access" in details["refused_scopes"]
    assert event.source_address == "192.0.2.1"


async def test_cannot_add_a_category_the_app_did_not_ask_for(session: AsyncSession) -> None:
    account, patient, app = await _arrange(session)
    with pytest.raises(ConsentProblem) as problem:
        await authorize_app(
            session,
            account_id=account.id,
            patient_id=patient.id,
            app=app,
            requested_scopes=["patient/Goal.rs"],
            approved_categories=frozenset({CategoryKey.MEDICATIONS}),
            allow_offline=True,
            duration=AccessDuration.UNTIL_REVOKED,
            source_address=None,
        )
    assert problem.value.code == "NOT_REQUESTED"


async def test_cannot_consent_for_someone_elses_record_or_to_a_suspended_app(
    session: AsyncSession,
) -> None:
    account, _patient, app = await _arrange(session)
    stranger = await make_patient(session)
    with pytest.raises(ConsentProblem) as problem:
        await authorize_app(
            session,
            account_id=account.id,
            patient_id=stranger.id,
            app=app,
            requested_scopes=REQUESTED,
            approved_categories=None,
            allow_offline=True,
            duration=AccessDuration.UNTIL_REVOKED,
            source_address=None,
        )
    assert problem.value.code == "FORBIDDEN"
    suspended = await make_app(session, status=AppStatus.SUSPENDED)
    with pytest.raises(ConsentProblem) as problem:
        await authorize_app(
            session,
            account_id=account.id,
            patient_id=_patient.id,
            app=suspended,
            requested_scopes=REQUESTED,
            approved_categories=None,
            allow_offline=True,
            duration=AccessDuration.UNTIL_REVOKED,
            source_address=None,
        )
    assert problem.value.code == "APP_NOT_APPROVED"


async def test_revoke_ends_grant_and_its_tokens_and_is_logged(session: AsyncSession) -> None:
    account, patient, app = await _arrange(session)
    grant = await _consent(session, account, patient, app)
    await issue_token(session, grant=grant)
    await revoke_app(session, account_id=account.id, grant_id=grant.id, source_address=None)
    tokens = (await session.exec(select(Token))).all()
    assert tokens and all(t.revoked_at is not None for t in tokens)
    assert len(await _events(session, EventKind.REVOCATION)) == 1
    with pytest.raises(ConsentProblem) as problem:
        await revoke_app(session, account_id=account.id, grant_id=grant.id, source_address=None)
    assert problem.value.code == "ALREADY_REVOKED"


async def test_another_account_cannot_revoke_or_narrow(session: AsyncSession) -> None:
    account, patient, app = await _arrange(session)
    grant = await _consent(session, account, patient, app)
    other = await make_account(session, patients=[(await make_patient(session), Relationship.SELF)])
    for action in (
        revoke_app(session, account_id=other.id, grant_id=grant.id, source_address=None),
        narrow_app_grant(
            session,
            account_id=other.id,
            grant_id=grant.id,
            categories=frozenset({CategoryKey.GOALS}),
            source_address=None,
        ),
    ):
        with pytest.raises(ConsentProblem) as problem:
            await action
        assert problem.value.code == "NOT_FOUND"


async def test_narrowing_only_removes_categories(session: AsyncSession) -> None:
    account, patient, app = await _arrange(session)
    grant = await _consent(session, account, patient, app)
    narrowed = await narrow_app_grant(
        session,
        account_id=account.id,
        grant_id=grant.id,
        categories=frozenset({CategoryKey.VITAL_SIGNS}),
        source_address=None,
    )
    assert granted_categories(narrowed.scopes.split()) == {CategoryKey.VITAL_SIGNS}
    assert "offline_access" in narrowed.scopes.split()
    with pytest.raises(ConsentProblem) as problem:
        await narrow_app_grant(
            session,
            account_id=account.id,
            grant_id=grant.id,
            categories=frozenset({CategoryKey.VITAL_SIGNS, CategoryKey.MEDICATIONS}),
            source_address=None,
        )
    assert problem.value.code == "NOT_A_NARROWING"


async def test_activity_log_refuses_updates_and_deletes(session: AsyncSession) -> None:
    account, patient, app = await _arrange(session)
    await _consent(session, account, patient, app)
    await session.commit()
    [event] = await _events(session, EventKind.CONSENT)
    event.outcome = "tampered"
    session.add(event)
    with pytest.raises(Exception, match="append-only"):
        await session.commit()
    await session.rollback()
    await session.delete(event)
    with pytest.raises(Exception, match="append-only"):
        await session.commit()


async def test_a_new_consent_updates_the_grant_and_keeps_other_devices_tokens(
    session: AsyncSession,
) -> None:
    account, patient, app = await _arrange(session)
    first = await _consent(session, account, patient, app)
    await issue_token(session, grant=first)
    second = await _consent(
        session, account, patient, app, approved_categories=frozenset({CategoryKey.GOALS})
    )
    assert second.id == first.id
    assert second.revoked_at is None
    assert granted_categories(second.scopes.split()) == {CategoryKey.GOALS}
    stored = (await session.exec(select(Token))).one()
    assert stored.revoked_at is None
    assert await _events(session, EventKind.REVOCATION) == []
    _, update = await _events(session, EventKind.CONSENT)
    details = json.loads(update.details)
    assert details["updated"] is True
    assert "patient/Goal.rs" in details["granted_scopes"]
    assert summarize(update, "Tracker") == "You updated your consent for Tracker."


async def test_revoking_after_a_second_consent_ends_every_device(session: AsyncSession) -> None:
    account, patient, app = await _arrange(session)
    grant = await _consent(session, account, patient, app)
    await issue_token(session, grant=grant)
    again = await _consent(session, account, patient, app)
    await issue_token(session, grant=again)
    await revoke_app(session, account_id=account.id, grant_id=again.id, source_address=None)
    tokens = (await session.exec(select(Token))).all()
    assert len(tokens) == 2
    assert all(t.revoked_at is not None for t in tokens)

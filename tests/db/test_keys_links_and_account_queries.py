"""Signing keys, client-auth failures, representative links and account-page queries, directly."""

from datetime import timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.account_queries import (
    act_for_patient,
    get_apps,
    list_approved_apps,
    list_categories_read,
    list_grant_authors,
)
from db.accounts import AccountPatient, Relationship
from db.activity import ActivityEvent, Actor, EventKind, record_event
from db.apps import AppStatus
from db.client_auth import (
    CLIENT_ID_KEY_LENGTH,
    count_client_auth_failures,
    record_client_auth_failure,
)
from db.columns import utcnow
from db.errors import NotFound
from db.grants import grant_is_live
from db.keys import (
    add_signing_key,
    list_all_keys,
    list_published_keys,
    replace_private_key,
    retire_signing_keys,
)
from db.representatives import end_representation, find_representation, list_representations
from db.web_sessions import open_session
from tests.builders.people import make_account, make_app, make_grant, make_patient

SCOPES = ["launch/patient", "patient/Goal.rs", "patient/Immunization.rs"]


async def test_the_newest_key_signs_and_retired_keys_are_no_longer_published(
    session: AsyncSession,
) -> None:
    old = await add_signing_key(session, kid="k-old", private_key_pem="old", public_jwk="{}")
    new = await add_signing_key(session, kid="k-new", private_key_pem="new", public_jwk="{}")
    assert [key.kid for key in await list_published_keys(session)] == ["k-new", "k-old"]
    assert new.id is not None
    await retire_signing_keys(session, keep_ids=[new.id])
    await session.refresh(old)
    assert old.retired_at is not None
    assert [key.kid for key in await list_published_keys(session)] == ["k-new"]
    # Retired keys are still kept (and listed oldest first) so their tokens stay verifiable.
    assert [key.kid for key in await list_all_keys(session)] == ["k-old", "k-new"]
    await replace_private_key(session, key=new, private_key_pem="sealed")
    await session.refresh(new)
    assert (new.private_key_pem, new.kid) == ("sealed", "k-new")


async def test_client_auth_failures_count_per_client_id_and_old_ones_are_forgotten(
    session: AsyncSession,
) -> None:
    now = utcnow()
    long_id = "c" * (CLIENT_ID_KEY_LENGTH + 50)
    for minutes_ago in (30, 3, 2, 1):
        at = now - timedelta(minutes=minutes_ago)
        await record_client_auth_failure(
            session, client_id="app-a", source_address="198.51.100.7", now=at,
            forget_before=now - timedelta(hours=1),
        )  # fmt: skip
    await record_client_auth_failure(
        session, client_id=long_id, source_address=None, now=now, forget_before=now
    )
    since = now - timedelta(minutes=10)
    assert await count_client_auth_failures(session, client_id="app-a", since=since) == 3
    assert await count_client_auth_failures(session, client_id="app-b", since=since) == 0
    # A client_id longer than any registered one is counted under its cut form.
    assert await count_client_auth_failures(session, client_id=long_id, since=since) == 1
    assert await count_client_auth_failures(session, client_id=long_id + "zz", since=since) == 1
    # Recording a failure drops this client_id's failures from before `forget_before`.
    await record_client_auth_failure(
        session, client_id="app-a", source_address=None, now=now,
        forget_before=now - timedelta(minutes=5),
    )  # fmt: skip
    ever = now - timedelta(days=1)
    assert await count_client_auth_failures(session, client_id="app-a", since=ever) == 4


async def test_ending_a_representative_link_revokes_only_that_representatives_grants(
    session: AsyncSession,
) -> None:
    child = await make_patient(session)
    parent = await make_account(session, patients=[(child, Relationship.CHILD)])
    guardian = await make_account(session, patients=[(child, Relationship.REPRESENTATIVE)])
    self_account = await make_account(session, patients=[(child, Relationship.SELF)])
    app = await make_app(session)
    by_parent = await make_grant(session, account=parent, patient=child, app=app, scopes=SCOPES)
    # A patient holds one grant per app, so the second representative authorizes another app.
    other_app = await make_app(session)
    by_guardian = await make_grant(
        session, account=guardian, patient=child, app=other_app, scopes=SCOPES
    )
    assert parent.id is not None and child.id is not None and self_account.id is not None
    _, acting = await open_session(
        session, account_id=parent.id, patient_id=child.id, absolute_seconds=60
    )

    links = await list_representations(session, patient_ids=[child.id])
    assert {(link.account.id, link.relationship) for link in links} == {
        (parent.id, Relationship.CHILD),
        (guardian.id, Relationship.REPRESENTATIVE),
    }
    # The patient's own link is not a representation.
    own = await find_representation(session, account_id=self_account.id, patient_id=child.id)
    assert own is None
    link = await find_representation(session, account_id=parent.id, patient_id=child.id)
    assert link is not None

    revoked = await end_representation(
        session, link=link, ended_by_account_id=self_account.id, ended_by="patient",
        source_address="198.51.100.9",
    )  # fmt: skip
    assert [grant.id for grant in revoked] == [by_parent.id]
    now = utcnow()
    await session.refresh(by_parent)
    await session.refresh(by_guardian)
    assert not grant_is_live(by_parent, now) and grant_is_live(by_guardian, now)
    assert await session.get(AccountPatient, (parent.id, child.id)) is None
    await session.refresh(acting)
    assert acting.patient_id is None
    event = (
        await session.exec(
            select(ActivityEvent).where(
                col(ActivityEvent.kind) == EventKind.REPRESENTATIVE_REMOVED,
                col(ActivityEvent.patient_id) == child.id,
            )
        )
    ).one()
    assert event.account_id == self_account.id
    assert '"revoked_grants": 1' in event.details and '"ended_by": "patient"' in event.details


async def test_the_account_page_queries(session: AsyncSession) -> None:
    patient = await make_patient(session)
    account = await make_account(session, patients=[(patient, Relationship.SELF)])
    approved = await make_app(session, name="Zeta Health")
    other = await make_app(session, name="Alpha Notes")
    pending = await make_app(session, name="Beta", status=AppStatus.PENDING)
    names = [app.name for app in await list_approved_apps(session)]
    assert names.index("Alpha Notes") < names.index("Zeta Health") and "Beta" not in names
    assert pending.id is not None and approved.id is not None
    assert {app.id for app in await get_apps(session, ids=[pending.id, approved.id])} == {
        pending.id,
        approved.id,
    }
    assert await get_apps(session, ids=[]) == []

    grant = await make_grant(session, account=account, patient=patient, app=approved, scopes=SCOPES)
    unused = await make_grant(session, account=account, patient=patient, app=other, scopes=SCOPES)
    assert grant.id is not None and unused.id is not None
    for categories in ({"goals": 2, "immunizations": 0}, {"immunizations": 1}):
        await record_event(
            session, kind=EventKind.DATA_READ, patient_id=patient.id, app_id=approved.id,
            grant_id=grant.id, details={"categories": categories},
        )  # fmt: skip
    read = await list_categories_read(session, grant_ids=[grant.id, unused.id])
    assert read == {grant.id: {"goals", "immunizations"}}
    assert await list_categories_read(session, grant_ids=[]) == {}

    authors = await list_grant_authors(session, grants=[grant])
    assert authors == {grant.id: (account.id, account.display_name, Relationship.SELF)}

    assert account.id is not None and patient.id is not None
    _, web = await open_session(
        session, account_id=account.id, patient_id=None, absolute_seconds=60
    )
    assert web.id is not None
    stranger = await make_patient(session)
    assert stranger.id is not None
    by = Actor(account.id, "203.0.113.9")
    assert (
        await act_for_patient(session, web_session_id=web.id, patient_id=stranger.id, actor=by)
        is None
    )
    assert web.patient_id is None  # nothing changed
    chosen = await act_for_patient(session, web_session_id=web.id, patient_id=patient.id, actor=by)
    assert chosen == (patient, Relationship.SELF)
    assert web.patient_id == patient.id
    events = await session.exec(
        select(ActivityEvent).where(col(ActivityEvent.kind) == EventKind.PATIENT_SELECTED)
    )
    assert [(e.account_id, e.patient_id, e.source_address) for e in events] == [
        (account.id, patient.id, "203.0.113.9")
    ]
    with pytest.raises(NotFound):
        await act_for_patient(
            session, web_session_id=web.id + 10_000, patient_id=patient.id, actor=by
        )

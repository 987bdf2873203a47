"""Login sessions and pending authorization requests, called directly on both backends."""

from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Relationship, WebSession
from db.authorization_requests import (
    MAX_REQUEST_ID_LENGTH,
    AuthorizationRequest,
    choose_request_patient,
    claim_authorization_request,
    find_authorization_request,
    move_authorization_requests,
    open_authorization_request,
    release_authorization_request,
    request_params,
)
from db.columns import utcnow
from db.tokens import hash_secret
from db.web_sessions import (
    end_session,
    find_live_session,
    open_session,
    session_data,
    set_session_data,
    touch_session,
)
from tests.builders.people import make_account, make_app, make_patient

PARAMS = {
    "response_type": "code",
    "client_id": "client-x",
    "redirect_uri": "https://app.example.test/callback",
    "scope": "launch/patient patient/Goal.rs",
    "state": "s-1",
}


async def _web_session(session: AsyncSession) -> tuple[str, WebSession]:
    patient = await make_patient(session)
    account = await make_account(session, patients=[(patient, Relationship.SELF)])
    return await open_session(
        session, account_id=account.id, patient_id=patient.id, absolute_seconds=3600
    )


async def test_a_session_is_found_by_its_raw_id_and_only_its_hash_is_stored(
    session: AsyncSession,
) -> None:
    raw_id, row = await _web_session(session)
    assert row.session_hash == hash_secret(raw_id) != raw_id
    stored = (await session.exec(select(WebSession.session_hash))).all()
    assert raw_id not in stored
    found = await find_live_session(session, raw_id=raw_id, idle_seconds=600)
    assert found is not None and found.id == row.id
    assert await find_live_session(session, raw_id=raw_id + "x", idle_seconds=600) is None


async def test_an_idle_session_ends_when_touched_and_stays_ended(session: AsyncSession) -> None:
    raw_id, row = await _web_session(session)
    later = row.last_seen_at + timedelta(seconds=601)
    # A reading look writes nothing, even for a session that has idled out.
    looked = await find_live_session(
        session, raw_id=raw_id, idle_seconds=600, now=later, touch=False
    )
    assert looked is None
    assert row.ended_at is None
    assert await find_live_session(session, raw_id=raw_id, idle_seconds=600, now=later) is None
    assert row.ended_at == later
    # Ended is final: a generous idle limit does not bring it back.
    assert await find_live_session(session, raw_id=raw_id, idle_seconds=10**6, now=later) is None


async def test_touching_keeps_a_session_alive_until_its_absolute_end(session: AsyncSession) -> None:
    raw_id, row = await _web_session(session)
    assert row.id is not None
    at = row.last_seen_at + timedelta(seconds=500)
    await touch_session(session, session_id=row.id, at=at)
    await session.refresh(row)
    assert row.last_seen_at == at
    found = await find_live_session(
        session, raw_id=raw_id, idle_seconds=600, now=at + timedelta(seconds=500)
    )
    assert found is not None
    at_the_end = await find_live_session(
        session, raw_id=raw_id, idle_seconds=10**6, now=row.expires_at
    )
    assert at_the_end is None


async def test_an_ended_session_is_not_touched_or_found(session: AsyncSession) -> None:
    raw_id, row = await _web_session(session)
    assert row.id is not None
    await end_session(session, row=row)
    ended_seen = row.last_seen_at
    await touch_session(session, session_id=row.id, at=ended_seen + timedelta(seconds=5))
    await session.refresh(row)
    assert row.last_seen_at == ended_seen
    assert await find_live_session(session, raw_id=raw_id, idle_seconds=600) is None


async def test_session_data_round_trips_and_tolerates_a_non_object(session: AsyncSession) -> None:
    _, row = await _web_session(session)
    assert session_data(row) == {}
    set_session_data(row, {"next": "/account", "n": 2})
    session.add(row)
    await session.flush()
    await session.refresh(row)
    assert session_data(row) == {"next": "/account", "n": 2}
    row.data = "[1, 2]"
    assert session_data(row) == {}


async def _request(
    session: AsyncSession, web_session_id: int, *, ttl_seconds: int = 600
) -> tuple[str, AuthorizationRequest]:
    app = await make_app(session)
    assert app.id is not None
    return await open_authorization_request(
        session,
        web_session_id=web_session_id,
        app_id=app.id,
        params=PARAMS,
        ttl_seconds=ttl_seconds,
    )


async def test_a_request_is_named_by_an_unguessable_id_of_which_only_the_hash_is_kept(
    session: AsyncSession,
) -> None:
    _, web = await _web_session(session)
    assert web.id is not None
    raw_id, row = await _request(session, web.id)
    assert len(raw_id) >= 43 and row.request_hash == hash_secret(raw_id)
    assert (row.redirect_uri, row.scopes) == (PARAMS["redirect_uri"], PARAMS["scope"])
    assert request_params(row) == PARAMS
    found = await find_authorization_request(session, raw_id=raw_id)
    assert found is not None and found.id == row.id
    for wrong in ("", raw_id[:-1], "x" * (MAX_REQUEST_ID_LENGTH + 1)):
        assert await find_authorization_request(session, raw_id=wrong) is None


async def test_a_request_is_answered_once_and_never_after_it_expires(
    session: AsyncSession,
) -> None:
    _, web = await _web_session(session)
    assert web.id is not None
    _, first = await _request(session, web.id)
    _, second = await _request(session, web.id)
    assert first.id is not None and second.id is not None
    now = utcnow()
    assert await claim_authorization_request(session, request_id=first.id, now=now)
    assert not await claim_authorization_request(session, request_id=first.id, now=now)
    # Released (the answer could not be recorded): it can be answered again.
    await release_authorization_request(session, request_id=first.id)
    assert await claim_authorization_request(session, request_id=first.id, now=now)
    # The other request is unaffected by the first, until it expires.
    after_expiry = second.expires_at + timedelta(seconds=1)
    assert not await claim_authorization_request(session, request_id=second.id, now=after_expiry)
    assert await claim_authorization_request(session, request_id=second.id, now=now)


async def test_opening_a_request_deletes_the_expired_ones(session: AsyncSession) -> None:
    _, web = await _web_session(session)
    assert web.id is not None
    stale_id, _ = await _request(session, web.id, ttl_seconds=0)
    live_id, _ = await _request(session, web.id)
    assert await find_authorization_request(session, raw_id=stale_id) is None
    assert await find_authorization_request(session, raw_id=live_id) is not None


async def test_a_patient_choice_and_a_new_login_carry_the_unanswered_requests(
    session: AsyncSession,
) -> None:
    _, old = await _web_session(session)
    _, new = await _web_session(session)
    assert old.id is not None and new.id is not None
    _, pending = await _request(session, old.id)
    _, answered = await _request(session, old.id)
    assert answered.id is not None and new.patient_id is not None
    await choose_request_patient(session, request=pending, patient_id=new.patient_id)
    assert await claim_authorization_request(session, request_id=answered.id, now=utcnow())
    await move_authorization_requests(session, from_session_id=old.id, to_session_id=new.id)
    rows = (
        await session.exec(
            select(AuthorizationRequest.id, AuthorizationRequest.web_session_id).where(
                col(AuthorizationRequest.id).in_([pending.id, answered.id])
            )
        )
    ).all()
    assert dict(rows) == {pending.id: new.id, answered.id: old.id}
    await session.refresh(pending)
    assert pending.patient_id == new.patient_id

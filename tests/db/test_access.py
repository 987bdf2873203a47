"""The hot-path token check: live tokens only, and `last_used_at` written at most once a minute."""

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.access import find_live_access, note_grant_used
from db.columns import utcnow
from db.grants import Grant, revoke_grant
from db.tokens import hash_secret
from tests.builders.people import issue_token, make_account, make_app, make_grant, make_patient


async def _token(session: AsyncSession) -> tuple[Grant, str]:
    patient = await make_patient(session)
    account = await make_account(session)
    app = await make_app(session)
    grant = await make_grant(
        session, account=account, patient=patient, app=app, scopes=["patient/*.rs"]
    )
    return grant, await issue_token(session, grant=grant)


async def test_last_used_at_is_written_at_most_once_a_minute(session: AsyncSession) -> None:
    grant, token = await _token(session)
    start = utcnow()

    for seconds in (0, 30, 59, 61):
        now = start + timedelta(seconds=seconds)
        access = await find_live_access(session, token_hash=hash_secret(token), now=now)
        assert access is not None and access.grant_id == grant.id
        await note_grant_used(session, access=access, now=now)
        await session.refresh(grant)
        expected = start if seconds < 61 else now
        assert grant.last_used_at == expected, seconds


async def test_a_revoked_grant_is_refused_on_the_next_check(session: AsyncSession) -> None:
    grant, token = await _token(session)
    assert await find_live_access(session, token_hash=hash_secret(token), now=utcnow())

    await revoke_grant(session, grant=grant, reason="patient", account_id=None, source_address=None)

    assert await find_live_access(session, token_hash=hash_secret(token), now=utcnow()) is None

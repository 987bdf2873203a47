"""Refresh tokens rotate on every use; a rotated one presented again ends the grant."""

from datetime import timedelta

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import utcnow
from db.credentials import find_live_access_token
from db.grants import Grant, revoke_grant
from db.tokens import Token, TokenKind, hash_secret
from tests.builders.oauth import Party, arrange, tokens_for


async def _refresh(
    client: httpx.AsyncClient, party: Party, refresh_token: str, **extra: str
) -> httpx.Response:
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": party.app.client_id,
    }
    data.update(extra)
    return await client.post("/oauth/token", data=data)


async def _live(session: AsyncSession, access_token: str) -> bool:
    found = await find_live_access_token(
        session, token_hash=hash_secret(access_token), now=utcnow()
    )
    return found is not None


async def test_refresh_rotates_the_refresh_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    first = await tokens_for(client, party)
    response = await _refresh(client, party, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["patient"] == first["patient"]
    assert response.headers["cache-control"] == "no-store"
    third = await _refresh(client, party, second["refresh_token"])
    assert third.status_code == 200


async def test_new_refresh_token_lives_90_days_but_never_past_the_grant(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    first = await tokens_for(client, party)
    refreshed = (await _refresh(client, party, first["refresh_token"])).json()
    row = (
        await session.exec(
            select(Token).where(col(Token.token_hash) == hash_secret(refreshed["refresh_token"]))
        )
    ).one()
    grant = await session.get(Grant, row.grant_id)
    assert grant is not None and grant.expires_at is not None
    assert row.expires_at <= grant.expires_at
    assert row.expires_at > utcnow() + timedelta(days=89)


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_grant(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    first = await tokens_for(client, party)
    second = (await _refresh(client, party, first["refresh_token"])).json()
    assert await _live(session, second["access_token"])
    replay = await _refresh(client, party, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert not await _live(session, second["access_token"])
    after = await _refresh(client, party, second["refresh_token"])
    assert after.json()["error"] == "invalid_grant"
    assert "authorize" in after.json()["error_description"]


async def test_refresh_after_the_patient_revoked_says_authorize_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    first = await tokens_for(client, party)
    grant = (await session.exec(select(Grant))).one()
    await revoke_grant(
        session, grant=grant, reason="revoked_by_patient", account_id=None, source_address=None
    )
    await session.commit()
    response = await _refresh(client, party, first["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "must authorize the app again" in response.json()["error_description"]


async def test_refresh_after_the_grant_expired_says_authorize_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    first = await tokens_for(client, party)
    grant = (await session.exec(select(Grant))).one()
    grant.expires_at = utcnow() - timedelta(seconds=1)
    session.add(grant)
    await session.commit()
    response = await _refresh(client, party, first["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "must authorize the app again" in response.json()["error_description"]


async def test_scope_on_refresh_may_narrow(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    first = await tokens_for(client, party)
    narrow = "launch/patient offline_access patient/Goal.rs"
    response = await _refresh(client, party, first["refresh_token"], scope=narrow)
    assert response.status_code == 200, response.text
    assert set(response.json()["scope"].split()) == set(narrow.split())
    access = (
        await session.exec(
            select(Token).where(
                col(Token.token_hash) == hash_secret(response.json()["access_token"]),
                col(Token.kind) == TokenKind.ACCESS,
            )
        )
    ).one()
    assert "patient/Observation.rs" not in access.scopes


async def test_narrowing_without_offline_access_still_returns_a_working_refresh_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    first = await tokens_for(client, party)
    response = await _refresh(client, party, first["refresh_token"], scope="patient/Goal.rs")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["scope"].split()) == {"patient/Goal.rs", "offline_access"}
    assert body["refresh_token"] != first["refresh_token"]
    again = await _refresh(client, party, body["refresh_token"])
    assert again.status_code == 200, again.text
    assert set(again.json()["scope"].split()) == {"patient/Goal.rs", "offline_access"}
    assert "refresh_token" in again.json()


async def test_scope_on_refresh_may_not_widen(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    first = await tokens_for(client, party)
    response = await _refresh(
        client, party, first["refresh_token"], scope="offline_access patient/Condition.rs"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


async def test_unknown_refresh_token_is_invalid_grant(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    response = await _refresh(client, party, "not-a-token")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_refresh_token_of_another_app_is_invalid_grant(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    other = await arrange(session)
    first = await tokens_for(client, party)
    response = await _refresh(client, other, first["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"

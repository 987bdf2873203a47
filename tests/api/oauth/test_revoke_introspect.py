"""RFC 7009 revocation, RFC 7662 introspection, and revocations effective on the next request."""

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.apps import AppStatus
from db.columns import utcnow
from db.credentials import find_live_access_token
from db.grants import Grant
from db.tokens import hash_secret
from sharing.apps import set_app_status
from sharing.consent import revoke_app
from tests.builders.oauth import APP_SECRET, ISSUER, Party, arrange, tokens_for


async def _live(session: AsyncSession, access_token: str) -> bool:
    found = await find_live_access_token(
        session, token_hash=hash_secret(access_token), now=utcnow()
    )
    return found is not None


async def _introspect(client: httpx.AsyncClient, party: Party, token: str) -> httpx.Response:
    return await client.post(
        "/oauth/introspect", data={"token": token}, auth=(party.app.client_id, APP_SECRET)
    )


async def _revoke(
    client: httpx.AsyncClient, party: Party, token: str, **extra: str
) -> httpx.Response:
    data = {"token": token, **extra}
    if party.app.is_confidential:
        return await client.post("/oauth/revoke", data=data, auth=(party.app.client_id, APP_SECRET))
    return await client.post("/oauth/revoke", data={**data, "client_id": party.app.client_id})


async def test_introspection_of_an_active_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    tokens = await tokens_for(client, party)
    response = await _introspect(client, party, tokens["access_token"])
    assert response.status_code == 200
    body = response.json()
    assert body["active"] is True
    assert body["scope"] == tokens["scope"]
    assert body["client_id"] == party.app.client_id
    assert body["patient"] == str(party.patient.id)
    assert body["sub"] == str(party.account.id)
    assert body["iss"] == ISSUER
    assert body["exp"] > 0


async def test_introspection_of_unknown_token_is_exactly_inactive(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    response = await _introspect(client, party, "no-such-token")
    assert response.status_code == 200
    assert response.json() == {"active": False}


async def test_introspection_of_another_apps_token_is_exactly_inactive(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await arrange(session, confidential=True)
    other = await arrange(session, confidential=True)
    tokens = await tokens_for(client, owner)
    response = await _introspect(client, other, tokens["access_token"])
    assert response.json() == {"active": False}


async def test_introspection_needs_an_authenticated_client(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    tokens = await tokens_for(client, party)
    anonymous = await client.post("/oauth/introspect", data={"token": tokens["access_token"]})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "invalid_client"
    public = await client.post(
        "/oauth/introspect",
        data={"token": tokens["access_token"], "client_id": party.app.client_id},
    )
    assert public.status_code in (400, 401)
    assert public.json()["error"] == "invalid_client"


async def test_revoking_an_unknown_token_is_200(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    response = await _revoke(client, party, "no-such-token")
    assert response.status_code == 200


async def test_revocation_needs_client_authentication(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    tokens = await tokens_for(client, party)
    response = await client.post(
        "/oauth/revoke",
        data={"token": tokens["access_token"]},
        auth=(party.app.client_id, "wrong"),
    )
    assert response.status_code == 401
    assert await _live(session, tokens["access_token"])


async def test_revoking_an_access_token_makes_it_inactive(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    tokens = await tokens_for(client, party)
    assert (await _revoke(client, party, tokens["access_token"])).status_code == 200
    assert not await _live(session, tokens["access_token"])
    assert (await _introspect(client, party, tokens["access_token"])).json() == {"active": False}


async def test_revoking_a_refresh_token_kills_the_grants_access_tokens(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    tokens = await tokens_for(client, party)
    response = await _revoke(
        client, party, tokens["refresh_token"], token_type_hint="refresh_token"
    )
    assert response.status_code == 200
    assert not await _live(session, tokens["access_token"])


async def test_another_app_cannot_revoke_a_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await arrange(session)
    other = await arrange(session)
    tokens = await tokens_for(client, owner)
    response = await _revoke(client, other, tokens["access_token"])
    assert response.status_code == 400
    assert await _live(session, tokens["access_token"])


async def test_patient_revocation_ends_tokens_on_the_next_request(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    tokens = await tokens_for(client, party)
    grant = (await session.exec(select(Grant))).one()
    await revoke_app(session, account_id=party.account.id, grant_id=grant.id, source_address=None)
    await session.commit()
    assert not await _live(session, tokens["access_token"])
    assert (await _introspect(client, party, tokens["access_token"])).json() == {"active": False}


async def test_suspended_apps_tokens_stop_working(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    operator = await arrange(session)
    tokens = await tokens_for(client, party)
    assert await _live(session, tokens["access_token"])
    await set_app_status(
        session,
        app=party.app,
        status=AppStatus.SUSPENDED,
        operator_account_id=operator.account.id,
        source_address=None,
    )
    await session.commit()
    assert not await _live(session, tokens["access_token"])
    refresh = await client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(party.app.client_id, APP_SECRET),
    )
    assert refresh.status_code == 400
    assert refresh.json()["error"] == "unauthorized_client"


async def test_tokens_in_the_query_string_are_refused_at_revoke_and_introspect(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    tokens = await tokens_for(client, party)
    for path in ("/oauth/revoke", "/oauth/introspect"):
        response = await client.post(
            path,
            params={"token": tokens["access_token"]},
            data={"x": "1"},
            auth=(party.app.client_id, APP_SECRET),
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
    assert await _live(session, tokens["access_token"])

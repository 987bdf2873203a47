"""After a whole flow, no activity event holds a token, code, secret, password or clinical value."""

import json

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from db.activity import ActivityEvent
from tests.builders.graphql import full_record_query, post_graphql
from tests.builders.oauth import (
    APP_SECRET,
    ISSUER,
    arrange,
    authorize,
    exchange,
    login,
    pkce_pair,
)
from tests.builders.people import PASSWORD
from tests.builders.records import seed_record


async def test_events_hold_no_secret_and_no_clinical_value(
    session: AsyncSession, client: httpx.AsyncClient, app: Starlette
) -> None:
    party = await arrange(session, confidential=True)
    await seed_record(session, party.patient, per_category=1, tag="secretvalue")
    await session.commit()
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge)
    issued = (await exchange(client, party, query["code"], verifier)).json()
    auth = (party.app.client_id, APP_SECRET)
    read = await post_graphql(client, full_record_query(), token=issued["access_token"])
    refreshed = await client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]},
        auth=auth,
    )
    introspected = await client.post(
        "/oauth/introspect", data={"token": refreshed.json()["access_token"]}, auth=auth
    )
    await client.post("/oauth/revoke", data={"token": refreshed.json()["refresh_token"]}, auth=auth)
    registered = await client.post(
        "/oauth/register",
        json={
            "client_name": "Scanner",
            "redirect_uris": ["https://scanner.example.test/cb"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
    )
    reused = await exchange(client, party, query["code"], verifier)  # a replayed code
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as other_browser:
        wrong_password = await login(other_browser, party.account.username, "hunter2-typed-wrong")

    assert reused.status_code == 400 and read.status_code == 200
    assert "secretvalue" in read.text  # the read really returned clinical values
    assert introspected.json()["active"] is True
    assert wrong_password.status_code == 400
    secrets = {
        "access token": issued["access_token"],
        "refresh token": issued["refresh_token"],
        "rotated access token": refreshed.json()["access_token"],
        "rotated refresh token": refreshed.json()["refresh_token"],
        "id token": issued["id_token"],
        "code": query["code"],
        "code verifier": verifier,
        "code challenge": challenge,
        "client secret": APP_SECRET,
        "registered secret": registered.json()["client_secret"],
        "password": PASSWORD,
        "wrong password": "hunter2-typed-wrong",
        "clinical value": "secretvalue",
    }
    events = (await session.exec(select(ActivityEvent))).all()
    assert {"login_failed", "data_read", "token_reuse"} <= {e.kind for e in events}
    dumped = json.dumps([e.model_dump(mode="json") for e in events])
    assert [name for name, value in secrets.items() if value in dumped] == []

"""One app on several devices: a new consent updates the grant and never logs other devices out."""

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import ActivityEvent, EventKind
from db.grants import list_grants
from sharing.activity_summary import summarize
from sharing.consent import revoke_app
from tests.builders.graphql import post_graphql
from tests.builders.oauth import Party, arrange, tokens_for

GOALS_ONLY = "launch/patient offline_access patient/Goal.rs"
WIDE = "launch/patient offline_access patient/Goal.rs patient/Observation.rs"
WIDER = WIDE + " patient/MedicationRequest.rs"
READ = "{ patient { goals { totalCount } labResults { totalCount } medications { totalCount } } }"


async def _readable(client: httpx.AsyncClient, token: str) -> set[str]:
    response = await post_graphql(client, READ, token=token)
    assert response.status_code == 200, response.text
    patient = response.json()["data"]["patient"]
    return {name for name, value in patient.items() if value is not None}


async def _refresh(client: httpx.AsyncClient, party: Party, refresh_token: str) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": party.app.client_id,
        },
    )


async def test_a_narrower_consent_narrows_every_device_at_once(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    phone = await tokens_for(client, party, scope=WIDE)
    assert await _readable(client, phone["access_token"]) == {"goals", "labResults"}

    tablet = await tokens_for(client, party, scope=GOALS_ONLY)
    assert await _readable(client, tablet["access_token"]) == {"goals"}
    assert await _readable(client, phone["access_token"]) == {"goals"}

    refreshed = await _refresh(client, party, phone["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["scope"].split() == [
        "launch/patient",
        "offline_access",
        "patient/Goal.rs",
    ]
    assert await _readable(client, refreshed.json()["access_token"]) == {"goals"}
    assert len(await list_grants(session, patient_ids=[party.patient.id or 0])) == 1


async def test_a_wider_consent_widens_only_tokens_issued_under_it(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    phone = await tokens_for(client, party, scope=WIDE)
    tablet = await tokens_for(client, party, scope=WIDER)
    assert await _readable(client, tablet["access_token"]) == {"goals", "labResults", "medications"}
    assert await _readable(client, phone["access_token"]) == {"goals", "labResults"}

    refreshed = await _refresh(client, party, phone["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    assert "patient/MedicationRequest.rs" not in refreshed.json()["scope"].split()
    assert await _readable(client, refreshed.json()["access_token"]) == {"goals", "labResults"}


async def test_revoking_the_app_ends_every_device(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    phone = await tokens_for(client, party, scope=WIDE)
    tablet = await tokens_for(client, party, scope=WIDE)
    [grant] = await list_grants(session, patient_ids=[party.patient.id or 0])
    assert await _readable(client, phone["access_token"]) == {"goals", "labResults"}
    await revoke_app(session, account_id=party.account.id, grant_id=grant.id, source_address=None)
    await session.commit()
    for token in (phone["access_token"], tablet["access_token"]):
        response = await post_graphql(client, READ, token=token)
        assert response.status_code == 401
    assert (await _refresh(client, party, phone["refresh_token"])).status_code == 400


async def test_a_consent_without_offline_access_stops_other_devices_refreshing(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    phone = await tokens_for(client, party, scope=WIDE)
    await tokens_for(client, party, scope="launch/patient patient/Goal.rs")
    refreshed = await _refresh(client, party, phone["refresh_token"])
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_grant"


async def test_an_app_signing_out_on_one_device_leaves_the_others(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    phone = await tokens_for(client, party, scope=WIDE)
    tablet = await tokens_for(client, party, scope=WIDE)
    renewed = await _refresh(client, party, phone["refresh_token"])
    assert renewed.status_code == 200
    phone_now = renewed.json()

    revoked = await client.post(
        "/oauth/revoke",
        data={"token": phone_now["refresh_token"], "client_id": party.app.client_id},
    )
    assert revoked.status_code == 200
    for token in (phone["access_token"], phone_now["access_token"]):
        assert (await post_graphql(client, READ, token=token)).status_code == 401
    assert await _readable(client, tablet["access_token"]) == {"goals", "labResults"}
    assert len(await list_grants(session, patient_ids=[party.patient.id or 0])) == 1
    [event] = await _events(session, EventKind.REVOCATION)
    assert summarize(event, "Tracker") == (
        "Tracker signed out on one device; its other devices keep access."
    )

    # The last device signing out ends the authorization: the app is no longer listed.
    last = await client.post(
        "/oauth/revoke",
        data={"token": tablet["refresh_token"], "client_id": party.app.client_id},
    )
    assert last.status_code == 200
    assert (await post_graphql(client, READ, token=tablet["access_token"])).status_code == 401
    assert await list_grants(session, patient_ids=[party.patient.id or 0]) == []


async def _events(session: AsyncSession, kind: EventKind) -> list[ActivityEvent]:
    rows = await session.exec(select(ActivityEvent).where(col(ActivityEvent.kind) == kind))
    return list(rows.all())

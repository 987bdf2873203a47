"""Account-side global IDs (authorized apps, activity events, apps) resolve through node(id:)."""

import base64

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import Relationship
from db.apps import AppStatus
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.people import make_app, make_patient

LISTS = """
{ authorizedApps { id grantId app { id name } }
  activityLog(first: 5) { edges { node { id kind } } } }
"""
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on AuthorizedApp { app { name } }
    ... on ActivityEvent { summary }
    ... on AppInfo { name }
  }
}
"""


def _codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


async def test_every_account_side_id_resolves_for_the_account(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    account, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    await grant_app(session, patient, ["patient/Goal.rs"], account=account, app_name="Tracker")
    lists = (await post_graphql(client, LISTS, headers=csrf)).json()["data"]
    [authorized] = lists["authorizedApps"]
    assert authorized["id"] == authorized["grantId"]
    event = lists["activityLog"]["edges"][0]["node"]

    for node_id, typename in (
        (authorized["id"], "AuthorizedApp"),
        (event["id"], "ActivityEvent"),
        (authorized["app"]["id"], "AppInfo"),
    ):
        response = await post_graphql(client, NODE, variables={"id": node_id}, headers=csrf)
        found = response.json()["data"]["node"]
        assert found["__typename"] == typename, response.text
        assert found["id"] == node_id


async def test_others_and_app_tokens_do_not_find_them(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    owner_patient = await make_patient(session)
    owner, csrf = await sign_in(session, client, settings, [(owner_patient, Relationship.SELF)])
    access = await grant_app(session, owner_patient, ["patient/Goal.rs"], account=owner)
    lists = (await post_graphql(client, LISTS, headers=csrf)).json()["data"]
    grant_id = lists["authorizedApps"][0]["id"]
    event_id = lists["activityLog"]["edges"][0]["node"]["id"]
    pending = await make_app(session, status=AppStatus.PENDING)
    await session.commit()
    pending_id = base64.b64encode(f"App:{pending.id}".encode()).decode()

    stranger_patient = await make_patient(session)
    _, stranger_csrf = await sign_in(
        session, client, settings, [(stranger_patient, Relationship.SELF)]
    )
    for node_id in (grant_id, event_id, pending_id):
        as_stranger = await post_graphql(
            client, NODE, variables={"id": node_id}, headers=stranger_csrf
        )
        assert as_stranger.json()["data"]["node"] is None
        assert _codes(as_stranger) == ["NOT_FOUND"]
        as_app = await post_graphql(client, NODE, variables={"id": node_id}, token=access.token)
        assert as_app.json()["data"]["node"] is None
        assert _codes(as_app) == ["NOT_FOUND"]

"""Developer accounts list their apps and rotate a confidential app's client secret."""

from typing import Any

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import AccountRole
from db.activity import ActivityEvent, EventKind
from db.apps import App, AppStatus
from schema.types.relay import to_global_id
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.oauth import APP_SECRET, arrange, authorize, exchange, pkce_pair
from tests.builders.people import make_app, make_patient

ROTATE = """mutation Rotate($id: ID!) { rotateClientSecret(input: {appId: $id}) {
  app { id clientId confidential secretRotatedAt } clientSecret
  userErrors { code field message } } }"""
DEVELOPER_APPS = """{ developerApps {
  id clientId name status redirectUris confidential createdAt secretRotatedAt } }"""


async def _own(session: AsyncSession, app: App, developer_id: int | None) -> None:
    app.developer_account_id = developer_id
    session.add(app)
    await session.commit()


async def test_developer_apps_lists_only_the_developers_own_apps(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    developer, csrf = await sign_in(session, client, settings, [], role=AccountRole.DEVELOPER)
    mine = await make_app(session, name="Mine", client_secret="s3cret-value")
    pending = await make_app(session, name="Waiting", status=AppStatus.PENDING)
    await make_app(session, name="Someone else's")
    await _own(session, mine, developer.id)
    await _own(session, pending, developer.id)

    body = (await post_graphql(client, DEVELOPER_APPS, headers=csrf)).json()
    assert "errors" not in body
    apps = body["data"]["developerApps"]
    assert [(a["name"], a["status"], a["confidential"]) for a in apps] == [
        ("Mine", "APPROVED", True),
        ("Waiting", "PENDING", False),
    ]
    assert apps[0]["redirectUris"] == ["https://app.example.test/callback"]
    assert apps[0]["createdAt"] and apps[0]["secretRotatedAt"] is None


async def test_developer_apps_is_empty_for_a_patient_account(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    account, csrf = await sign_in(session, client, settings, [])
    app = await make_app(session)
    await _own(session, app, account.id)  # a stray ownership row does not make a developer
    body = (await post_graphql(client, DEVELOPER_APPS, headers=csrf)).json()
    assert body == {"data": {"developerApps": []}}


async def test_rotation_retires_the_old_secret_at_the_token_endpoint(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    party = await arrange(session, confidential=True)
    developer, csrf = await sign_in(session, client, settings, [], role=AccountRole.DEVELOPER)
    await _own(session, party.app, developer.id)
    app_id = to_global_id("App", party.app.id or 0)

    rotated = (await post_graphql(client, ROTATE, headers=csrf, variables={"id": app_id})).json()
    payload = rotated["data"]["rotateClientSecret"]
    assert payload["userErrors"] == []
    new_secret = payload["clientSecret"]
    assert len(new_secret) >= 40 and new_secret != APP_SECRET
    assert payload["app"]["id"] == app_id and payload["app"]["secretRotatedAt"]

    client.cookies.clear()
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge)
    old = await exchange(client, party, query["code"], verifier)  # sends the old secret
    assert old.status_code == 401
    assert old.json()["error"] == "invalid_client"
    new = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": "https://app.example.test/callback",
            "code_verifier": verifier,
        },
        auth=(party.app.client_id, new_secret),
    )
    assert new.status_code == 200, new.text
    assert new.json()["access_token"]

    await session.refresh(party.app)
    assert party.app.client_secret_hash and new_secret not in party.app.client_secret_hash
    events = (
        await session.exec(
            select(ActivityEvent).where(col(ActivityEvent.kind) == EventKind.SECRET_ROTATED)
        )
    ).all()
    assert [(e.app_id, e.account_id) for e in events] == [(party.app.id, developer.id)]
    assert all(new_secret not in e.details for e in events)


async def test_a_rotated_secret_is_shown_once_and_never_queryable(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    developer, csrf = await sign_in(session, client, settings, [], role=AccountRole.DEVELOPER)
    app = await make_app(session, client_secret="first-secret")
    await _own(session, app, developer.id)
    app_id = to_global_id("App", app.id or 0)
    rotated = await post_graphql(client, ROTATE, headers=csrf, variables={"id": app_id})
    secret = rotated.json()["data"]["rotateClientSecret"]["clientSecret"]

    listed = await post_graphql(client, DEVELOPER_APPS, headers=csrf)
    assert secret not in listed.text and listed.json()["data"]["developerApps"][0]["id"] == app_id
    fields = await post_graphql(
        client, '{ __type(name: "DeveloperApp") { fields { name } } }', headers=csrf
    )
    names = {f["name"] for f in fields.json()["data"]["__type"]["fields"]}
    assert "clientSecret" not in names and "clientSecretHash" not in names
    node = await post_graphql(
        client, "query N($id: ID!) { node(id: $id) { id } }", headers=csrf, variables={"id": app_id}
    )
    assert secret not in node.text


async def test_rotation_refuses_other_peoples_apps_and_public_apps(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    owner, _ = await sign_in(session, client, settings, [], role=AccountRole.DEVELOPER)
    theirs = await make_app(session, client_secret="their-secret")
    await _own(session, theirs, owner.id)
    me, csrf = await sign_in(session, client, settings, [], role=AccountRole.DEVELOPER)
    public = await make_app(session)
    await _own(session, public, me.id)

    async def rotate(app_id: str) -> dict[str, Any]:
        body = (await post_graphql(client, ROTATE, headers=csrf, variables={"id": app_id})).json()
        result: dict[str, Any] = body["data"]["rotateClientSecret"]
        return result

    for foreign in (to_global_id("App", theirs.id or 0), "not-an-id"):
        refused = await rotate(foreign)
        assert refused["clientSecret"] is None and refused["app"] is None
        assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("NOT_FOUND", "appId")]
    no_secret = await rotate(to_global_id("App", public.id or 0))
    assert [e["code"] for e in no_secret["userErrors"]] == ["PUBLIC_CLIENT"]
    await session.refresh(theirs)
    assert theirs.secret_rotated_at is None


async def test_a_patient_account_cannot_rotate_even_an_app_it_is_linked_to(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/*.rs"])
    account, csrf = await sign_in(session, client, settings, [])
    app = await session.get(App, access.app_id)
    assert app is not None
    app.is_confidential = True
    await _own(session, app, account.id)  # even a stray ownership row needs the developer role
    body = await post_graphql(
        client, ROTATE, headers=csrf, variables={"id": to_global_id("App", access.app_id)}
    )
    assert [e["code"] for e in body.json()["data"]["rotateClientSecret"]["userErrors"]] == [
        "NOT_FOUND"
    ]

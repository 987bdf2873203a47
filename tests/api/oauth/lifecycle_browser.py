"""The patient's side of the lifecycle machine: apps, browsers, tabs, consent, account page."""

import secrets
from typing import Any

from sqlmodel import col, select

from db.apps import App
from db.grants import Grant
from schema.types.relay import to_global_id
from sharing.scopes import CategoryKey
from tests.api.oauth.lifecycle_model import Browser, Family, Tab, World
from tests.builders.oauth import APP_SECRET, csrf_of, hidden_request_of, pkce_pair, query_of
from tests.builders.people import PASSWORD, make_app

SCOPE = "launch/patient offline_access patient/*.rs"
REVOKE_APP = """mutation Revoke($id: ID!) {
  revokeApp(input: {grantId: $id}) { authorizedApp { revokedAt } userErrors { code } } }"""


def redirect_uri_of(app: App) -> str:
    return f"https://{app.name.split()[0].lower()}.example.test/cb"


async def make_apps(world: World) -> list[App]:
    """Three new approved apps: two public, one confidential, each with its own redirect URI."""
    apps = []
    async with world.app.state.session_factory() as session:
        tag = secrets.token_hex(4)
        for name, secret in (("Tracker", None), ("Portal", APP_SECRET), ("Diary", None)):
            app = await make_app(
                session,
                name=f"{name} {tag}",
                redirect_uris=[f"https://{name.lower()}.example.test/cb"],
                client_secret=secret,
            )
            apps.append(app)
        await session.commit()
        for app in apps:
            await session.refresh(app)
    return apps


async def open_browser(world: World, name: str) -> Browser:
    """A browser logged in as `alice` (who acts for herself and Lily) or `bob`."""
    client = world.client()
    page = await client.get("/login")
    login = world.accounts[name].username
    form = {"login": login, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    answer = await client.post("/login", data=form)
    assert answer.status_code == 303, answer.text
    account_page = await client.get("/account")
    patients = [world.patients[name].id or 0]
    if name == "alice":
        patients.append(world.patients["lily"].id or 0)
    return Browser(name, client, csrf_of(account_page.text), patients)


async def open_tab(world: World, browser: Browser, app: App) -> Tab:
    """The app sends the browser to /oauth/authorize: a new pending request."""
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri_of(app),
        "scope": SCOPE,
        "state": secrets.token_urlsafe(8),
        "aud": world.settings.base_url,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    start = await browser.client.get("/oauth/authorize", params=params)
    assert start.status_code == 303, start.text
    request_id = query_of(start.headers["location"])["request"]
    return Tab(browser, app, request_id, verifier, params["state"], redirect_uri_of(app))


async def answer_tab(
    tab: Tab, patient_id: int, allow: bool, categories: frozenset[CategoryKey], offline: bool
) -> dict[str, str]:
    """Choose the patient (if the account acts for several), then Allow or Deny: the redirect."""
    client = tab.browser.client
    if len(tab.browser.patients) > 1:
        page = await client.get("/oauth/select-patient", params={"request": tab.request_id})
        assert tab.app.name in page.text
        chosen = await client.post(
            "/oauth/select-patient",
            data={
                "csrf_token": tab.browser.csrf,
                "request": hidden_request_of(page.text),
                "patient_id": str(patient_id),
            },
        )
        assert chosen.status_code == 303, chosen.text
    page = await client.get("/oauth/consent", params={"request": tab.request_id})
    assert page.status_code == 200, page.text
    assert f"{tab.app.name} wants to read" in page.text
    form = {
        "csrf_token": tab.browser.csrf,
        "request": hidden_request_of(page.text),
        "decision": "allow" if allow else "deny",
        "category": sorted(c.value for c in categories),
        "offline_access": "yes" if offline else "no",
        "duration": "until_revoked",
    }
    answer = await client.post("/oauth/consent", data=form)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(tab.redirect_uri + "?")  # this tab's app, nobody else's
    query = query_of(location)
    assert query["state"] == tab.state
    if not allow:
        assert query["error"] == "access_denied" and "code" not in query
    return query


async def refused_answer(tab: Tab, browser: Browser) -> None:
    """A replayed answer, or another browser's request id: a 400 page, never a redirect."""
    shown = await browser.client.get("/oauth/consent", params={"request": tab.request_id})
    assert shown.status_code == 400, shown.text
    form = {
        "csrf_token": browser.csrf,
        "request": tab.request_id,
        "decision": "allow",
        "category": [c.value for c in CategoryKey],
        "offline_access": "yes",
        "duration": "until_revoked",
    }
    posted = await browser.client.post("/oauth/consent", data=form)
    assert posted.status_code == 400, posted.text
    assert "location" not in posted.headers


async def live_grant_id(world: World, *, app_id: int, patient_id: int) -> int:
    """The grant a consent just created (the live one of this app for this patient)."""
    async with world.app.state.session_factory() as session:
        grant = (
            await session.exec(
                select(Grant).where(
                    col(Grant.app_id) == app_id,
                    col(Grant.patient_id) == patient_id,
                    col(Grant.revoked_at).is_(None),
                )
            )
        ).one()
    return grant.id or 0


async def revoke_on_account_page(family: Family) -> dict[str, Any]:
    """The consenting account revokes the app (`revokeApp`, as the account page does)."""
    response = await family.browser.client.post(
        "/graphql",
        json={"query": REVOKE_APP, "variables": {"id": to_global_id("Grant", family.grant_id)}},
        headers={"X-CSRF-Token": family.browser.csrf},
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["revokeApp"]
    return payload

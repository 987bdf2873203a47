"""A Hypothesis state machine over the OAuth lifecycle: authorize, exchange, refresh, revoke, reuse.

Every example gets three new apps (two public, one confidential) and two logged-in
browsers (Alice, who acts for herself and her child Lily, and Bob). Rules open
authorization requests in tabs, answer them in any order (Allow with any categories
and offline choice, or Deny), replay answers, present other browsers' request ids,
exchange codes (with the right or a wrong verifier, again and again), refresh (same,
narrower or wider scope), revoke (as the app, or as the patient on the account page),
and read the record with any token ever issued.
After every step:
* the database agrees with the model about which tokens still work, and every token
  that stopped working in the step is refused over HTTP (a revoked or rotated token
  never works again);
* each consent has at most one live refresh token;
* every read the server answered with data is in the activity log, for that app and
  patient; the reads themselves are checked to hold only the token's patient and
  categories.

Size: CHARTSHARE_TEST_LIFECYCLE_EXAMPLES examples (default 10) of at most
CHARTSHARE_TEST_LIFECYCLE_STEPS steps (default 30), per backend.
"""

import asyncio
import json
import os
import secrets
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import col, select

from db.activity import ActivityEvent, EventKind
from db.apps import App
from db.grants import Grant
from db.tokens import Token, TokenKind, hash_secret
from schema.types.relay import to_global_id
from sharing.scopes import CATEGORIES, CategoryKey, granted_categories, scopes_for
from tests.api.oauth.lifecycle_model import (
    Browser,
    Code,
    Family,
    Read,
    Tab,
    TokenModel,
    World,
    build_world,
    categories_shown,
    leaks,
)
from tests.builders.graphql import full_record_query
from tests.builders.oauth import APP_SECRET, csrf_of, hidden_request_of, pkce_pair, query_of
from tests.builders.people import PASSWORD, make_app

EXAMPLES = int(os.environ.get("CHARTSHARE_TEST_LIFECYCLE_EXAMPLES", "10"))
STEPS = int(os.environ.get("CHARTSHARE_TEST_LIFECYCLE_STEPS", "30"))
MAX_OPEN_TABS = 3
SCOPE = "launch/patient offline_access patient/*.rs"
ALL = frozenset(c.key for c in CATEGORIES)
QUERY = full_record_query(first=5)
REVOKE_APP = """mutation Revoke($id: ID!) {
  revokeApp(input: {grantId: $id}) { authorizedApp { revokedAt } userErrors { code } } }"""
category_sets = st.frozensets(st.sampled_from(sorted(ALL)))


class Lifecycle(RuleBasedStateMachine):
    """The server against the model in `lifecycle_model`."""

    world: World

    def __init__(self) -> None:
        super().__init__()
        self.apps: list[App] = []
        self.browsers: list[Browser] = []
        self.tabs: list[Tab] = []
        self.families: list[Family] = []
        self.codes: list[Code] = []
        self.tokens: list[TokenModel] = []
        self.reads: list[Read] = []
        self.live_before: set[str] = set()
        self.partner = self.world.client()  # the apps' own calls: no browser cookies

    # Setting up: new apps and logged-in browsers for every example.

    @initialize()
    def set_up(self) -> None:
        self.world.run(self._set_up())

    async def _set_up(self) -> None:
        async with self.world.app.state.session_factory() as session:
            tag = secrets.token_hex(4)
            for name, secret in (("Tracker", None), ("Portal", APP_SECRET), ("Diary", None)):
                app = await make_app(
                    session,
                    name=f"{name} {tag}",
                    redirect_uris=[f"https://{name.lower()}.example.test/cb"],
                    client_secret=secret,
                )
                self.apps.append(app)
            await session.commit()
            for app in self.apps:
                await session.refresh(app)
        for name in ("alice", "bob"):
            client = self.world.client()
            page = await client.get("/login")
            login = self.world.accounts[name].username
            form = {"login": login, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
            answer = await client.post("/login", data=form)
            assert answer.status_code == 303, answer.text
            account_page = await client.get("/account")
            patients = [self.world.patients[name].id or 0]
            if name == "alice":
                patients.append(self.world.patients["lily"].id or 0)
            self.browsers.append(Browser(name, client, csrf_of(account_page.text), patients))

    def teardown(self) -> None:
        for browser in self.browsers:
            self.world.run(browser.client.aclose())
        self.world.run(self.partner.aclose())

    # Authorize: tabs, answers, replays, foreign ids.

    @precondition(lambda self: sum(not t.answered for t in self.tabs) < MAX_OPEN_TABS)
    @rule(data=st.data())
    def open_tab(self, data: st.DataObject) -> None:
        browser = data.draw(st.sampled_from(self.browsers))
        app = data.draw(st.sampled_from(self.apps))
        self.tabs.append(self.world.run(self._open_tab(browser, app)))

    async def _open_tab(self, browser: Browser, app: App) -> Tab:
        verifier, challenge = pkce_pair()
        redirect_uri = f"https://{app.name.split()[0].lower()}.example.test/cb"
        params = {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPE,
            "state": secrets.token_urlsafe(8),
            "aud": self.world.settings.base_url,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        start = await browser.client.get("/oauth/authorize", params=params)
        assert start.status_code == 303, start.text
        request_id = query_of(start.headers["location"])["request"]
        return Tab(browser, app, request_id, verifier, params["state"], redirect_uri)

    @precondition(lambda self: any(not t.answered for t in self.tabs))
    @rule(
        data=st.data(),
        allow=st.booleans(),
        categories=category_sets,
        offline=st.booleans(),
    )
    def answer_tab(
        self, data: st.DataObject, allow: bool, categories: frozenset[CategoryKey], offline: bool
    ) -> None:
        tab = data.draw(st.sampled_from([t for t in self.tabs if not t.answered]))
        patient_id = data.draw(st.sampled_from(tab.browser.patients))
        self.world.run(self._answer_tab(tab, patient_id, allow, categories, offline))

    async def _answer_tab(
        self,
        tab: Tab,
        patient_id: int,
        allow: bool,
        categories: frozenset[CategoryKey],
        offline: bool,
    ) -> None:
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
        assert location.startswith(tab.redirect_uri + "?")
        query = query_of(location)
        assert query["state"] == tab.state
        tab.answered = True
        if not allow:
            assert query["error"] == "access_denied" and "code" not in query
            return
        for earlier in self.families:
            if earlier.app.id == tab.app.id and earlier.patient_id == patient_id:
                earlier.live = False  # a new consent supersedes the earlier one
        async with self.world.app.state.session_factory() as session:
            grant = (
                await session.exec(
                    select(Grant).where(
                        col(Grant.app_id) == tab.app.id,
                        col(Grant.patient_id) == patient_id,
                        col(Grant.revoked_at).is_(None),
                    )
                )
            ).one()
        family = Family(tab.app, patient_id, categories, offline, tab.browser, grant.id or 0)
        self.families.append(family)
        self.codes.append(Code(query["code"], tab, family))

    @rule(data=st.data(), categories=category_sets, offline=st.booleans())
    def authorize_and_exchange(
        self, data: st.DataObject, categories: frozenset[CategoryKey], offline: bool
    ) -> None:
        """The whole happy path in one step, so that examples reach tokens quickly."""
        browser = data.draw(st.sampled_from(self.browsers))
        app = data.draw(st.sampled_from(self.apps))
        patient_id = data.draw(st.sampled_from(browser.patients))
        tab = self.world.run(self._open_tab(browser, app))
        self.tabs.append(tab)
        self.world.run(self._answer_tab(tab, patient_id, True, categories, offline))
        self.world.run(self._exchange(self.codes[-1], right_verifier=True))

    @precondition(lambda self: any(t.answered for t in self.tabs))
    @rule(data=st.data())
    def replay_answer(self, data: st.DataObject) -> None:
        tab = data.draw(st.sampled_from([t for t in self.tabs if t.answered]))
        self.world.run(self._refused_answer(tab, tab.browser))

    @precondition(lambda self: any(not t.answered for t in self.tabs))
    @rule(data=st.data())
    def present_another_browsers_request(self, data: st.DataObject) -> None:
        tab = data.draw(st.sampled_from([t for t in self.tabs if not t.answered]))
        other = next(b for b in self.browsers if b is not tab.browser)
        self.world.run(self._refused_answer(tab, other))

    async def _refused_answer(self, tab: Tab, browser: Browser) -> None:
        shown = await browser.client.get("/oauth/consent", params={"request": tab.request_id})
        assert shown.status_code == 400, shown.text
        form = {
            "csrf_token": browser.csrf,
            "request": tab.request_id,
            "decision": "allow",
            "category": [c.value for c in ALL],
            "offline_access": "yes",
            "duration": "until_revoked",
        }
        posted = await browser.client.post("/oauth/consent", data=form)
        assert posted.status_code == 400, posted.text
        assert "location" not in posted.headers

    # Exchange, refresh, revoke, read: with any code or token, live or not.

    def _auth(self, app: App) -> tuple[str, str] | None:
        return (app.client_id, APP_SECRET) if app.is_confidential else None

    @precondition(lambda self: self.codes)
    @rule(data=st.data(), right_verifier=st.booleans())
    def exchange(self, data: st.DataObject, right_verifier: bool) -> None:
        code = data.draw(st.sampled_from(self.codes))
        self.world.run(self._exchange(code, right_verifier))

    async def _exchange(self, code: Code, right_verifier: bool) -> None:
        app = code.tab.app
        form = {
            "grant_type": "authorization_code",
            "code": code.value,
            "redirect_uri": code.tab.redirect_uri,
            "client_id": app.client_id,
            "code_verifier": code.tab.verifier if right_verifier else pkce_pair()[0],
        }
        response = await self.partner.post("/oauth/token", data=form, auth=self._auth(app))
        was_used, code.used = code.used, True
        if was_used:
            assert response.status_code == 400, response.text
            code.family.live = False  # a reused code ends its consent, refreshed tokens too
            return
        if not right_verifier or not code.family.live:
            assert response.status_code == 400, response.text
            return
        assert response.status_code == 200, response.text
        self._take_tokens(response.json(), code.family, code.family.categories)

    def _take_tokens(
        self, body: dict[str, str], family: Family, categories: frozenset[CategoryKey]
    ) -> None:
        assert granted_categories(body["scope"].split()) == categories
        assert body["patient"] == str(family.patient_id)
        self.tokens.append(TokenModel(body["access_token"], "access", family, categories))
        assert ("refresh_token" in body) == family.offline, body
        if family.offline:
            refresh = TokenModel(body["refresh_token"], "refresh", family, categories)
            self.tokens.append(refresh)

    @precondition(lambda self: any(t.kind == "refresh" for t in self.tokens))
    @rule(data=st.data(), scope=st.sampled_from(["same", "narrower", "wider"]))
    def refresh(self, data: st.DataObject, scope: str) -> None:
        token = data.draw(st.sampled_from([t for t in self.tokens if t.kind == "refresh"]))
        narrower = data.draw(st.frozensets(st.sampled_from(sorted(ALL))))
        self.world.run(self._refresh(token, scope, narrower & token.categories))

    async def _refresh(
        self, token: TokenModel, scope: str, narrower: frozenset[CategoryKey]
    ) -> None:
        app = token.family.app
        form = {"grant_type": "refresh_token", "refresh_token": token.value}
        if not app.is_confidential:
            form["client_id"] = app.client_id
        asked = token.categories
        if scope == "narrower":
            asked = narrower
            form["scope"] = " ".join(scopes_for(narrower, ["launch/patient"]))
        elif scope == "wider" and token.categories != ALL:
            asked = ALL
            form["scope"] = " ".join(scopes_for(ALL, ["launch/patient", "offline_access"]))
        response = await self.partner.post("/oauth/token", data=form, auth=self._auth(app))
        if token.rotated:
            assert response.status_code == 400, response.text
            token.family.live = False  # a rotated refresh token presented again ends the grant
            return
        if not token.live:
            assert response.status_code == 400, response.text
            return
        if not asked <= token.categories:
            assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
            return
        assert response.status_code == 200, response.text
        token.rotated = True
        body = response.json()
        assert "refresh_token" in body, body
        self._take_tokens(body, token.family, asked)

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        token = data.draw(st.sampled_from(self.tokens))
        self.world.run(self._revoke(token))

    async def _revoke(self, token: TokenModel) -> None:
        app = token.family.app
        form = {"token": token.value, "token_type_hint": f"{token.kind}_token"}
        if not app.is_confidential:
            form["client_id"] = app.client_id
        response = await self.partner.post("/oauth/revoke", data=form, auth=self._auth(app))
        assert response.status_code == 200, response.text
        if token.kind == "access":
            token.revoked = True
        else:
            token.family.live = False  # revoking a refresh token ends the grant

    @precondition(lambda self: self.families)
    @rule(data=st.data())
    def patient_revokes(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self.families))
        self.world.run(self._patient_revokes(family))

    async def _patient_revokes(self, family: Family) -> None:
        """The account that consented ends it on its account page (the `revokeApp` mutation)."""
        response = await family.browser.client.post(
            "/graphql",
            json={
                "query": REVOKE_APP,
                "variables": {"id": to_global_id("Grant", family.grant_id)},
            },
            headers={"X-CSRF-Token": family.browser.csrf},
        )
        assert response.status_code == 200, response.text
        payload = response.json()["data"]["revokeApp"]
        if family.live:
            assert payload["userErrors"] == [] and payload["authorizedApp"]["revokedAt"]
            family.live = False
        else:
            assert [e["code"] for e in payload["userErrors"]] == ["ALREADY_REVOKED"]

    @precondition(lambda self: any(t.kind == "access" for t in self.tokens))
    @rule(data=st.data())
    def read(self, data: st.DataObject) -> None:
        token = data.draw(st.sampled_from([t for t in self.tokens if t.kind == "access"]))
        self.world.run(self._read(token))

    async def _read(self, token: TokenModel) -> None:
        response = await self._post_read(token)
        if not token.live:
            assert response.status_code == 401, response.text
            return
        assert response.status_code == 200, response.text
        body = response.json()
        patient_id = token.family.patient_id
        assert leaks(body["data"], patient_id=patient_id, allowed=token.categories) == []
        shown = categories_shown(body["data"], patient_id=patient_id)
        reachable = set(token.categories)
        if CategoryKey.ENCOUNTERS not in reachable:
            reachable.discard(CategoryKey.ENCOUNTER_DIAGNOSES)  # only reached through encounters
        assert shown == reachable, (sorted(shown), sorted(reachable))
        outcome = "success" if token.categories == ALL else "partial"
        self.reads.append(Read(token.family.app.id or 0, patient_id, outcome, token.categories))

    async def _post_read(self, token: TokenModel) -> httpx.Response:
        return await self.partner.post(
            "/graphql",
            json={"query": QUERY},
            headers={"Authorization": f"Bearer {token.value}"},
        )

    # After every step.

    @invariant()
    def server_agrees_with_the_model(self) -> None:
        if self.apps:
            self.world.run(self._check())

    async def _check(self) -> None:
        app_ids = [a.id for a in self.apps]
        async with self.world.app.state.session_factory() as session:
            rows = (
                await session.exec(
                    select(Token, Grant)
                    .join(Grant, col(Grant.id) == col(Token.grant_id))
                    .where(col(Grant.app_id).in_(app_ids))
                )
            ).all()
            events = (
                await session.exec(
                    select(ActivityEvent)
                    .where(
                        col(ActivityEvent.kind) == EventKind.DATA_READ,
                        col(ActivityEvent.app_id).in_(app_ids),
                    )
                    .order_by(col(ActivityEvent.id))
                )
            ).all()
        stored = {token.token_hash: (token, grant) for token, grant in rows}
        assert len(stored) == len(self.tokens)
        live_refresh: Counter[int] = Counter()
        for model in self.tokens:
            token, grant = stored[hash_secret(model.value)]
            live = token.revoked_at is None and token.rotated_at is None
            live = live and grant.revoked_at is None
            assert live == model.live, (model.kind, model.revoked, model.rotated)
            if live and token.kind == TokenKind.REFRESH:
                live_refresh[token.grant_id] += 1
        assert all(count <= 1 for count in live_refresh.values()), live_refresh
        answered = [e for e in events if e.outcome in ("success", "partial")]
        assert len(answered) == len(self.reads)
        for event, read in zip(answered, self.reads, strict=True):
            assert (event.app_id, event.patient_id, event.outcome) == (
                read.app_id,
                read.patient_id,
                read.outcome,
            )
            returned = {CategoryKey(c) for c in json.loads(event.details)["categories"]}
            assert returned <= read.categories
        # Every access token that stopped working in this step is refused over HTTP.
        live_now = {t.value for t in self.tokens if t.live}
        for token in self.tokens:
            if token.kind == "access" and token.value in self.live_before - live_now:
                assert (await self._post_read(token)).status_code == 401
        self.live_before = live_now


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    loop = asyncio.new_event_loop()
    built = loop.run_until_complete(build_world(loop, database_url))
    try:
        yield built
    finally:
        loop.run_until_complete(built.app.state.engine.dispose())
        loop.close()


def test_the_oauth_lifecycle_keeps_its_promises(world: World) -> None:
    machine = type("LifecycleOnThisBackend", (Lifecycle,), {"world": world})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )

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
* every read is in the activity log, in order, for its app and patient: a `data_read`
  (with no category outside the token) when answered, an `ended_access_used` when the
  token's access had ended; the reads themselves hold only the token's patient and
  categories.

Size: CHARTSHARE_TEST_LIFECYCLE_EXAMPLES examples (default 10) of at most
CHARTSHARE_TEST_LIFECYCLE_STEPS steps (default 30), per backend.
"""

import asyncio
import os
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

from db.activity import EventKind
from db.apps import App
from sharing.scopes import CATEGORIES, CategoryKey, granted_categories, scopes_for
from tests.api.oauth.lifecycle_browser import (
    answer_tab,
    live_grant_id,
    make_apps,
    open_browser,
    open_tab,
    refused_answer,
    revoke_on_account_page,
)
from tests.api.oauth.lifecycle_model import (
    Browser,
    Code,
    Consent,
    Family,
    Read,
    Tab,
    TokenModel,
    World,
    build_world,
    categories_shown,
    check_tokens_and_log,
    leaks,
)
from tests.builders.graphql import full_record_query
from tests.builders.oauth import APP_SECRET, pkce_pair

EXAMPLES = int(os.environ.get("CHARTSHARE_TEST_LIFECYCLE_EXAMPLES", "10"))
STEPS = int(os.environ.get("CHARTSHARE_TEST_LIFECYCLE_STEPS", "30"))
MAX_OPEN_TABS = 3
ALL = frozenset(c.key for c in CATEGORIES)
QUERY = full_record_query(first=5)
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
        self.consents: list[Consent] = []
        self.codes: list[Code] = []
        self.tokens: list[TokenModel] = []
        self.reads: list[Read] = []
        self.live_before: set[str] = set()
        self.partner = self.world.client()  # the apps' own calls: no browser cookies

    # Setting up: new apps and logged-in browsers for every example.

    @initialize()
    def set_up(self) -> None:
        self.apps = self.world.run(make_apps(self.world))
        self.browsers = [self.world.run(open_browser(self.world, n)) for n in ("alice", "bob")]

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
        self.tabs.append(self.world.run(open_tab(self.world, browser, app)))

    @precondition(lambda self: any(not t.answered for t in self.tabs))
    @rule(data=st.data(), allow=st.booleans(), categories=category_sets, offline=st.booleans())
    def answer_tab(
        self, data: st.DataObject, allow: bool, categories: frozenset[CategoryKey], offline: bool
    ) -> None:
        tab = data.draw(st.sampled_from([t for t in self.tabs if not t.answered]))
        patient_id = data.draw(st.sampled_from(tab.browser.patients))
        self._answer(tab, patient_id, allow, categories, offline)

    def _answer(
        self,
        tab: Tab,
        patient_id: int,
        allow: bool,
        categories: frozenset[CategoryKey],
        offline: bool,
    ) -> None:
        query = self.world.run(answer_tab(tab, patient_id, allow, categories, offline))
        tab.answered = True
        if not allow:
            return
        grant_id = self.world.run(
            live_grant_id(self.world, app_id=tab.app.id or 0, patient_id=patient_id)
        )
        # A new consent for the same app and patient updates the live grant and keeps the
        # other devices' tokens (each limited to the latest consent from now on).
        consent = next(
            (c for c in self.consents if c.grant_id == grant_id and c.live),
            None,
        )
        if consent is None:
            consent = Consent(tab.app, patient_id, categories, offline, grant_id)
            self.consents.append(consent)
        else:
            consent.categories, consent.offline = categories, offline
        family = Family(tab.app, patient_id, categories, offline, tab.browser, grant_id, consent)
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
        tab = self.world.run(open_tab(self.world, browser, app))
        self.tabs.append(tab)
        self._answer(tab, patient_id, True, categories, offline)
        self.world.run(self._exchange(self.codes[-1], right_verifier=True))

    @precondition(lambda self: any(t.answered for t in self.tabs))
    @rule(data=st.data())
    def replay_answer(self, data: st.DataObject) -> None:
        tab = data.draw(st.sampled_from([t for t in self.tabs if t.answered]))
        self.world.run(refused_answer(tab, tab.browser))

    @precondition(lambda self: any(not t.answered for t in self.tabs))
    @rule(data=st.data())
    def present_another_browsers_request(self, data: st.DataObject) -> None:
        tab = data.draw(st.sampled_from([t for t in self.tabs if not t.answered]))
        other = next(b for b in self.browsers if b is not tab.browser)
        self.world.run(refused_answer(tab, other))

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
            code.family.consent.live = False  # a reused code ends its consent, every device
            return
        if not right_verifier or not (code.family.live and code.family.consent.live):
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
            token.family.consent.live = False  # a rotated one presented again ends the grant
            return
        if not token.live or not token.family.consent.offline:
            # Dead, or the latest consent (perhaps on another device) allows no refresh.
            assert response.status_code == 400, response.text
            return
        if not asked <= token.categories:
            assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
            return
        assert response.status_code == 200, response.text
        token.rotated = True
        body = response.json()
        assert "refresh_token" in body, body
        # The new tokens carry what was asked within the latest consent.
        self._take_tokens(body, token.family, asked & token.family.consent.categories)

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
            return
        # Revoking a refresh token ends that device; the last device's ends the grant.
        family = token.family
        if family.consent.live:
            family.live = False
            if not any(t.live for t in self.tokens if t.family.consent is family.consent):
                family.consent.live = False

    @precondition(lambda self: self.families)
    @rule(data=st.data())
    def patient_revokes(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self.families))
        self.world.run(self._patient_revokes(family))

    async def _patient_revokes(self, family: Family) -> None:
        payload = await revoke_on_account_page(family)
        if family.consent.live:
            assert payload["userErrors"] == [] and payload["authorizedApp"]["revokedAt"]
            family.consent.live = False
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
        allowed = token.reads
        assert leaks(body["data"], patient_id=patient_id, allowed=allowed) == []
        shown = categories_shown(body["data"], patient_id=patient_id)
        reachable = set(allowed)
        if CategoryKey.ENCOUNTERS not in reachable:
            reachable.discard(CategoryKey.ENCOUNTER_DIAGNOSES)  # only reached through encounters
        assert shown == reachable, (sorted(shown), sorted(reachable))
        outcome = "success" if allowed == ALL else "partial"
        app_id = token.family.app.id or 0
        self.reads.append(Read(EventKind.DATA_READ, app_id, patient_id, outcome, allowed))

    async def _post_read(self, token: TokenModel) -> httpx.Response:
        """POST the full record as the app; a token whose access ended is logged as such."""
        response = await self.partner.post(
            "/graphql",
            json={"query": QUERY},
            headers={"Authorization": f"Bearer {token.value}"},
        )
        if not token.live:
            family = token.family
            self.reads.append(
                Read(EventKind.ENDED_ACCESS_USED, family.app.id or 0, family.patient_id,
                     "denied", frozenset())
            )  # fmt: skip
        return response

    # After every step.

    @invariant()
    def server_agrees_with_the_model(self) -> None:
        if self.apps:
            self.world.run(self._check())

    async def _check(self) -> None:
        await check_tokens_and_log(self.world, self.apps, self.tokens, self.reads)
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

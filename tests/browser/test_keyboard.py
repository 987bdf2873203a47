"""Keyboard only (Tab, arrows, Space, Enter, Escape; no mouse): sign in, tabs, revoke, consent."""

import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, Route, expect

from db.seed.demo import DEMO_PASSWORD
from tests.browser.oauth_flow import (
    REDIRECT_URI,
    app_graphql,
    authorize_url,
    demo_app_token,
    redeem_code,
)
from tests.browser.server import LiveServer
from tests.builders.oauth import pkce_pair, query_of

pytestmark = pytest.mark.browser

APP = "Demo Health Tracker"
MEDICATIONS_QUERY = "{ patient { medications(first: 1) { totalCount } } }"
MOST_TABS = 25


def is_focused(target: Locator) -> bool:
    return bool(target.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has focus: it is reachable from the keyboard, in order."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if is_focused(target):
            return
    raise AssertionError(f"{target} was not reached with {MOST_TABS} presses of Tab")


def sign_in_with_keyboard(page: Page) -> None:
    expect(page.get_by_role("heading", name="Sign in to chartshare")).to_be_visible()
    tab_to(page, page.get_by_label("Username or email"))
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")


def expect_selected_tab(page: Page, name: str, heading: str) -> None:
    tab = page.get_by_role("tab", name=name)
    expect(tab).to_be_focused()
    expect(tab).to_have_attribute("aria-selected", "true")
    # Roving tabindex: only the selected tab is in the Tab order.
    expect(page.locator("[role=tab][tabindex='0']")).to_have_count(1)
    expect(tab).to_have_attribute("tabindex", "0")
    expect(page.get_by_role("tabpanel", name=name)).to_be_visible()
    expect(page.get_by_role("tabpanel").get_by_role("heading", level=2).first).to_have_text(heading)


def test_account_tabs_and_revocation_work_with_the_keyboard_alone(
    page: Page, server: LiveServer
) -> None:
    token = demo_app_token(server.base_url)
    page.goto("/account")
    sign_in_with_keyboard(page)
    expect(page).to_have_url("/account")

    tab_to(page, page.get_by_role("tab", name="Authorized apps"))
    expect_selected_tab(page, "Authorized apps", "Authorized apps")
    for key, name in [
        ("ArrowRight", "Activity"),
        ("ArrowRight", "Explore my record"),
        ("ArrowLeft", "Activity"),
        ("End", "Download my record"),
        ("ArrowRight", "Authorized apps"),  # wraps around
        ("ArrowLeft", "Download my record"),
        ("Home", "Authorized apps"),
    ]:
        page.keyboard.press(key)
        expect_selected_tab(page, name, name)
    page.keyboard.press("Tab")  # leaves the tab list for the panel, past the other tabs
    expect(page.get_by_role("tabpanel", name="Authorized apps")).to_be_focused()

    card = page.get_by_role("article", name=APP)
    revoke = card.get_by_role("button", name="Revoke access")
    tab_to(page, revoke)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Revoke access for {APP}?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Revoke access")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(revoke).to_be_focused()

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Revoke access")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="can no longer read")).to_be_visible()
    expect(card).to_have_count(0)
    # The focused button went with its card; focus waits at the top of the list, not the page.
    expect(page.get_by_role("heading", name="Authorized apps")).to_be_focused()
    assert app_graphql(server.base_url, token, MEDICATIONS_QUERY).status_code == 401


def _callback(route: Route) -> None:
    route.fulfill(status=200, content_type="text/plain", body="The demo app got its answer.")


def test_consent_can_be_narrowed_and_given_with_the_keyboard_alone(
    page: Page, server: LiveServer
) -> None:
    verifier, challenge = pkce_pair()
    page.route(f"{REDIRECT_URI}**", _callback)  # nothing listens there: answer for the app
    page.goto(authorize_url(server.base_url, challenge))
    sign_in_with_keyboard(page)

    alice = page.get_by_role("radio", name="Alice Carter")
    tab_to(page, page.get_by_role("radio").first)  # Tab enters the group on its first radio
    page.keyboard.press("Space")
    for _ in range(3):
        if alice.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(alice).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{APP} wants to read")
    medications = page.get_by_role("checkbox", name=re.compile(r"^Medications\b"))
    tab_to(page, medications)
    page.keyboard.press("Space")
    expect(medications).not_to_be_checked()
    tab_to(page, page.get_by_role("button", name="Allow"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile("^" + re.escape(REDIRECT_URI)))
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        granted = redeem_code(client, query_of(page.url)["code"], verifier)["scope"].split()
    assert "patient/MedicationRequest.rs" not in granted
    assert "patient/AllergyIntolerance.rs" in granted

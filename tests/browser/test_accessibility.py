"""axe-core (WCAG 2.1 A and AA rules) on every page a patient sees, in headless Chromium.

A serious or critical violation fails the test; moderate and minor ones are listed in the
failure message. GraphiQL ("Explore my record") is third-party and left out of the check; the
tab's own heading, text and the page around it are checked.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from db.seed.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot
from tests.browser.oauth_flow import authorize_url, demo_app_token
from tests.browser.server import LiveServer

pytestmark = pytest.mark.browser

# axe's best practices (one <h1>, landmarks, heading order) run too; they block only when serious.
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
APP = "Demo Health Tracker"
# GraphiQL (and Monaco inside it) is third-party: "Explore my record" is checked around it.
GRAPHIQL = ".explorer"


def _describe(violation: dict[str, Any]) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"- {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"


def assert_accessible(page: Page, *, exclude: tuple[str, ...] = ()) -> None:
    """No serious or critical axe violation of WCAG 2.1 A/AA on the page as it is now."""
    context = {"include": [["html"]], "exclude": [[selector] for selector in exclude]}
    options = {"runOnly": {"type": "tag", "values": RULES}, "resultTypes": ["violations"]}
    violations: list[dict[str, Any]] = Axe().run(page, context, options).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    report = "\n".join(
        [f"axe on {page.url}:", *map(_describe, blocking), "moderate or minor:"]
        + [_describe(v) for v in others]
    )
    assert not blocking, report


def test_the_check_fails_on_an_unlabelled_field_and_low_contrast(page: Page) -> None:
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>t</h1><input>'
        '<p style="color:#bbb">faint</p></main></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "- label (critical)" in str(failure.value)
    assert "- color-contrast (serious)" in str(failure.value)


def sign_in(page: Page, *, password: str = DEMO_PASSWORD) -> None:
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def account(page: Page) -> None:
    page.goto("/account")
    sign_in(page)
    expect(page.get_by_role("heading", name="Authorized apps")).to_be_visible()


def test_the_login_page_and_its_error_pass_axe(page: Page) -> None:
    page.goto("/login")
    assert_accessible(page)
    screenshot(page, "login")
    sign_in(page, password="not-the-password")
    error = page.get_by_role("alert")
    expect(error).to_contain_text("did not work")
    # The error is read out with the fields it concerns, not only once when the page loads.
    for field in (page.get_by_label("Username or email"), page.get_by_label("Password")):
        expect(field).to_have_accessible_description(re.compile("did not work"))
        expect(field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    screenshot(page, "login-error")


def test_patient_selection_and_consent_pass_axe(page: Page, server: LiveServer) -> None:
    page.goto(authorize_url(server.base_url))
    expect(page).to_have_url(re.compile(r"/login\?"))
    sign_in(page)
    expect(page.get_by_role("heading", name=f"Whose record should {APP} see?")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "select-patient")
    page.get_by_role("radio", name="Alice Carter").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{APP} wants to read")
    assert_accessible(page)
    screenshot(page, "consent")

    # The form cannot be sent without a duration; the server's check is reached by clearing it.
    page.evaluate("document.querySelectorAll('[name=duration]').forEach(r => r.checked = false)")
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("alert")).to_have_text("Choose how long access lasts.")
    durations = page.get_by_role("group", name="How long may the app keep access?")
    expect(durations).to_have_accessible_description("Choose how long access lasts.")
    assert_accessible(page)

    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "consent-phone")


def test_the_app_directory_and_an_error_page_pass_axe(page: Page) -> None:
    page.goto("/apps")
    expect(page.get_by_role("heading", name=APP)).to_be_visible()
    assert_accessible(page)
    page.goto("/oauth/consent")  # no authorization request waiting: an error page after login
    sign_in(page)
    expect(page.get_by_role("heading", name="Nothing to authorize")).to_be_visible()
    assert_accessible(page)


def test_the_operator_page_passes_axe(page: Page) -> None:
    page.goto("/operator")
    page.get_by_label("Username or email").fill("olivia")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Partner apps")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("tab", "ready"),
    [
        ("Authorized apps", "Authorized apps"),
        ("Activity", "Activity"),
        ("Explore my record", "Explore my record"),
        ("Download my record", "What to include"),
    ],
)
def test_each_account_tab_passes_axe(page: Page, server: LiveServer, tab: str, ready: str) -> None:
    demo_app_token(server.base_url)
    account(page)
    page.get_by_role("tab", name=tab).click()
    expect(page.get_by_role("tabpanel").get_by_text(ready, exact=True).first).to_be_visible()
    if tab == "Explore my record":
        expect(page.locator(".graphiql-execute-button")).to_be_visible()
    elif tab == "Activity":
        expect(page.get_by_text("Showing ")).to_be_visible()
    assert_accessible(page, exclude=(GRAPHIQL,))


def test_the_revoke_dialog_passes_axe(page: Page, server: LiveServer) -> None:
    demo_app_token(server.base_url)
    account(page)
    page.get_by_role("article", name=APP).first.get_by_role("button", name="Revoke access").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page)


def test_the_account_page_at_phone_width_passes_axe(page: Page, server: LiveServer) -> None:
    demo_app_token(server.base_url)
    page.set_viewport_size({"width": 375, "height": 800})
    account(page)
    expect(page.get_by_role("article", name=APP).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)

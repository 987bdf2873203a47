"""The account page in headless Chromium against a live, seeded server: what a patient does."""

import json
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import Page, expect

from db.seed.demo import DEMO_PASSWORD
from tests.browser.conftest import csp_violations, screenshot
from tests.browser.oauth_flow import app_graphql, demo_app_token
from tests.browser.server import LiveServer

pytestmark = pytest.mark.browser

APP = "Demo Health Tracker"
MEDICATIONS_QUERY = "{ patient { medications(first: 1) { totalCount } } }"


def log_in(page: Page, password: str = DEMO_PASSWORD) -> None:
    """Open /account, get sent to the login form, sign in as alice."""
    page.goto("/account")
    expect(page).to_have_url("/login?next=/account")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def logged_in(page: Page) -> None:
    log_in(page)
    expect(page).to_have_url("/account")
    expect(page.get_by_role("heading", name="Authorized apps")).to_be_visible()


def app_card(page: Page) -> Any:
    return page.get_by_role("article", name=APP)


def status(page: Page, text: str) -> Any:
    """The live region announcing `text`."""
    return page.get_by_role("status").filter(has_text=text)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def open_explorer(page: Page) -> Any:
    """Sign in and open "Explore my record"; GraphiQL's query editor, showing the first example."""
    logged_in(page)
    open_tab(page, "Explore my record")
    editor = page.locator(".graphiql-query-editor")
    expect(editor).to_contain_text("MyMedications")
    return editor


def test_apps_list_shows_the_demo_app_and_its_categories_in_plain_words(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    demo_app_token(server.base_url)  # a fresh grant, whatever other tests revoked
    logged_in(page)
    card = app_card(page)
    expect(card).to_be_visible()
    granted = card.locator("dt:has-text('May read') + dd")
    for label in ("Name, date of birth", "Lab results", "Medications", "Allergies"):
        expect(granted).to_contain_text(label)
    expect(card.locator("dt:has-text('Whose record') + dd")).to_have_text("Alice Carter")
    expect(card.locator("dt:has-text('Access ends') + dd")).not_to_have_text("")
    expect(card.get_by_role("button", name="Revoke access")).to_be_visible()
    screenshot(page, "apps-list")

    page.set_viewport_size({"width": 375, "height": 800})
    expect(card).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "apps-list-phone")
    assert csp_violations(console_errors) == []


def test_graphiql_runs_an_example_over_the_patients_own_record(
    page: Page, console_errors: list[str]
) -> None:
    open_explorer(page)
    page.locator(".graphiql-execute-button").click()
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text('"family": "Carter"')
    expect(response).to_contain_text('"medications"')
    screenshot(page, "graphiql")
    assert csp_violations(console_errors) == []


def test_graphiql_opens_each_example_in_a_tab_with_its_variables(
    page: Page, console_errors: list[str]
) -> None:
    query = open_explorer(page)
    for name in ("MyLastLabResults", "WhoHasAccess", "RevokeAnApp"):
        page.locator(".graphiql-tab").filter(has_text=name).click()
        expect(query).to_contain_text(name)
    expect(query).to_contain_text("# Stops an app's access at once.")
    expect(page.locator(".graphiql-editor-tool")).to_contain_text('"grantId": ""')
    assert csp_violations(console_errors) == []


def test_revoking_the_app_stops_its_token_and_shows_in_the_activity_log(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    token = demo_app_token(server.base_url)
    assert app_graphql(server.base_url, token, MEDICATIONS_QUERY).status_code == 200
    logged_in(page)
    app_card(page).get_by_role("button", name="Revoke access").click()
    dialog = page.get_by_role("dialog", name=f"Revoke access for {APP}?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Revoke access").click()
    expect(status(page, f"{APP} can no longer read your record.")).to_be_visible()
    expect(app_card(page)).to_have_count(0)

    refused = app_graphql(server.base_url, token, MEDICATIONS_QUERY)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]

    open_tab(page, "Activity")
    expect(page.get_by_text(f"Access for {APP} was revoked.")).to_be_visible()
    expect(page.get_by_text("Signed in.").first).to_be_visible()
    screenshot(page, "activity-log")
    assert csp_violations(console_errors) == []


def test_narrowing_the_shared_categories_applies_to_the_apps_next_request(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    token = demo_app_token(server.base_url)
    logged_in(page)
    card = app_card(page)
    card.get_by_role("button", name="Change what is shared").click()
    card.get_by_role("checkbox", name="Medications").uncheck()
    card.get_by_role("button", name="Save changes").click()
    expect(status(page, f"{APP} now reads only what you kept.")).to_be_visible()
    expect(card.locator("dt:has-text('May read') + dd")).not_to_contain_text("Medications")

    body = app_graphql(server.base_url, token, MEDICATIONS_QUERY).json()
    assert body["data"]["patient"]["medications"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INSUFFICIENT_SCOPE"]
    assert csp_violations(console_errors) == []


def _validated_download(page: Page) -> dict[str, Any]:
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my record").click()
    path = download.value.path()
    bundle: dict[str, Any] = json.loads(path.read_text())
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return bundle


def _patients(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]


def test_download_saves_the_whole_record_as_a_valid_fhir_bundle(
    page: Page, console_errors: list[str]
) -> None:
    logged_in(page)
    open_tab(page, "Download my record")
    expect(page.get_by_role("checkbox", name="Lab results")).to_be_checked()
    bundle = _validated_download(page)
    [patient] = _patients(bundle)
    assert patient["name"][0]["family"] == "Carter"
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Observation", "MedicationRequest", "Encounter", "Immunization"} <= types
    expect(status(page, "Your record was saved as chartshare-record.json.")).to_be_visible()
    assert csp_violations(console_errors) == []


def test_the_patient_picker_switches_to_the_child_record(
    page: Page, console_errors: list[str]
) -> None:
    logged_in(page)
    picker = page.get_by_label("Acting for")
    expect(picker).to_have_value(picker.locator("option", has_text="Alice").get_attribute("value"))
    picker.select_option(label="Lily Carter (child)")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_text("Now showing Lily Carter's record.")).to_be_visible()
    open_tab(page, "Download my record")
    page.get_by_role("button", name="Select none").click()
    page.get_by_role("checkbox", name="Immunizations").check()
    bundle = _validated_download(page)
    [patient] = _patients(bundle)
    assert "name" not in patient  # demographics were not chosen
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds <= {"Patient", "Immunization"}
    assert csp_violations(console_errors) == []


def test_a_wrong_password_shows_an_error_and_opens_no_session(
    page: Page, console_errors: list[str]
) -> None:
    log_in(page, password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("That username or password did not work")
    page.goto("/account")
    expect(page).to_have_url("/login?next=/account")
    refused = page.request.post(
        "/graphql", data={"query": "{ viewer { kind } }"}, fail_on_status_code=False
    )
    assert refused.status == 401
    assert csp_violations(console_errors) == []


def replace_text(page: Page, editor: Any, text: str) -> None:
    """Replace what a Monaco editor holds with `text`, dropping the brackets it closes itself."""
    editor.locator(".view-lines").click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.insert_text(text)
    page.keyboard.press("Shift+ControlOrMeta+End")
    page.keyboard.press("Delete")


def test_the_query_editor_validates_and_completes_through_the_graphql_worker(
    page: Page, console_errors: list[str]
) -> None:
    static: dict[str, int] = {}
    page.on("response", lambda r: static.update({r.url: r.status}) if "/static/" in r.url else None)
    editor = open_explorer(page)

    # Only the GraphQL worker knows the schema: it marks the unknown field and completes the
    # known one.
    replace_text(page, editor, "{ patient { notAField } }")
    expect(editor.locator(".squiggly-error")).to_have_count(1)
    replace_text(page, editor, "{ patient { medi")
    page.keyboard.press("Control+Space")
    expect(page.get_by_role("option", name="medications")).to_be_visible()

    workers = [url for url in static if "/static/account/workers/graphql.worker.js" in url]
    assert workers, sorted(static)
    assert {url: code for url, code in static.items() if code != 200} == {}
    assert csp_violations(console_errors) == []


def test_prettify_formats_the_query_and_the_variables_with_prettier(
    page: Page, console_errors: list[str]
) -> None:
    query = open_explorer(page)
    variables = page.locator(".graphiql-editor-tool")

    replace_text(page, query, "{ patient { birthDate } }")
    replace_text(
        page,
        variables,
        '{"after": null, "since": "2020-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z"}',
    )
    expect(query.locator(".view-line")).to_have_count(1)
    expect(variables.locator(".view-line")).to_have_count(1)

    page.get_by_role("button", name="Prettify query").click()
    # One line a field, and Prettier ends each with a line break.
    expect(query.locator(".view-line")).to_have_count(6)
    expect(variables.locator(".view-line")).to_have_count(6)
    assert csp_violations(console_errors) == []

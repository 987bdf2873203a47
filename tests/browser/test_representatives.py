"""The patient sees who allowed an app and removes a representative on the account page.

Runs after the other browser tests (file order): the guardian's consent replaces Alice's own
grant of the demo app, and removing the guardian ends it.
"""

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import csp_violations, screenshot
from tests.browser.oauth_flow import app_graphql, demo_app_token
from tests.browser.server import LiveServer
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_account_page import APP, MEDICATIONS_QUERY, logged_in, open_tab, status

pytestmark = pytest.mark.browser

GUARDIAN = "Gail Guardian"


def add_guardian(database: Path) -> None:
    """A representative account for Alice's own record (Alice's password, for the demo flow)."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with closing(sqlite3.connect(database)) as db, db:
        alice, password_hash = db.execute(
            "SELECT id, password_hash FROM account WHERE username = 'alice'"
        ).fetchone()
        (patient,) = db.execute(
            "SELECT patient_id FROM account_patient WHERE account_id = ? AND relationship = 'self'",
            (alice,),
        ).fetchone()
        cursor = db.execute(
            "INSERT INTO account (username, email, display_name, role, password_hash, "
            "failed_logins, created_at) "
            "VALUES ('gail', 'gail@example.test', ?, 'patient', ?, 0, ?)",
            (GUARDIAN, password_hash, now),
        )
        db.execute(
            "INSERT INTO account_patient (account_id, patient_id, relationship) "
            "VALUES (?, ?, 'representative')",
            (cursor.lastrowid, patient),
        )


def test_the_patient_removes_a_representative_and_the_app_they_allowed_stops(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    add_guardian(server.database)
    token = demo_app_token(server.base_url, login="gail", patient="Alice")
    assert app_graphql(server.base_url, token, MEDICATIONS_QUERY).status_code == 200
    logged_in(page)
    card = page.get_by_role("article", name=APP)
    expect(card).to_contain_text(f"{GUARDIAN} (acting for the patient as representative)")
    expect(page.get_by_role("heading", name="Who can act for you")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "representatives")

    page.get_by_role("button", name=f"Remove {GUARDIAN}").click()
    dialog = page.get_by_role("dialog", name=f"Remove {GUARDIAN}?")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Remove").click()
    removed = f"{GUARDIAN} can no longer act for your record; 1 app they allowed lost access."
    expect(status(page, removed)).to_be_visible()
    expect(page.get_by_role("heading", name="Who can act for you")).to_have_count(0)
    expect(card).to_have_count(0)
    assert app_graphql(server.base_url, token, MEDICATIONS_QUERY).status_code == 401

    open_tab(page, "Activity")
    ended = f"{GUARDIAN} no longer acts for this record; the 1 app they allowed lost access."
    expect(page.get_by_text(ended)).to_be_visible()
    # The earlier browser tests left such entries too (their revoked tokens were tried again).
    tried = page.get_by_text(f"{APP}, whose access had ended, tried to read your record")
    expect(tried.first).to_be_visible()
    assert csp_violations(console_errors) == []

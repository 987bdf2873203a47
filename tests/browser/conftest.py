"""Fixtures of the browser tests: one live server, Debian's Chromium driven by Playwright.

A missing Chromium or Playwright fails these tests with a message saying how to install
them; deselect them on purpose with `-m "not browser"`.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.server import ROOT, LiveServer, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
HOW_TO_INSTALL = (
    "Install Debian's Chromium (`sudo apt-get install chromium`) or point CHARTSHARE_CHROMIUM "
    "at a Chromium binary; Playwright's own browser download is not used. To run the other "
    'tests without a browser, deselect these with `-m "not browser"`.'
)
# Reported by the page when the Content-Security-Policy blocks something.
CSP_PROBE = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def chromium_path() -> str:
    """The Chromium to drive: CHARTSHARE_CHROMIUM, else Debian's package."""
    return os.environ.get("CHARTSHARE_CHROMIUM", DEFAULT_CHROMIUM)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; checked before a server is started for nothing."""
    executable = chromium_path()
    if not Path(executable).is_file():
        pytest.fail(f"No Chromium at {executable}. {HOW_TO_INSTALL}", pytrace=False)
    return executable


@pytest.fixture(scope="session")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("browser-server")) as running:
        yield running


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is
# open, which would break the async tests collected after the browser tests.
@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator["Browser"]:
    executable = chromium
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(
            f"Python playwright is missing ({exc}): run `python3 scripts/dev.py test`, "
            f"which installs the dev dependencies. {HOW_TO_INSTALL}",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # Playwright raises its own Error for any launch failure
            pytest.fail(f"Chromium at {executable} did not start: {exc}. {HOW_TO_INSTALL}")
        yield launched
        launched.close()


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser: "Browser", server: LiveServer, console_errors: list[str]) -> Iterator["Page"]:
    """A fresh browser profile (no cookies) on a laptop-sized window; CSP reports are kept."""
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_PROBE)
    opened = context.new_page()

    def keep(message: "ConsoleMessage") -> None:
        if message.type == "error":
            console_errors.append(message.text)

    opened.on("console", keep)
    yield opened
    context.close()


def csp_violations(errors: list[str]) -> list[str]:
    """Console errors that say the Content-Security-Policy blocked something."""
    return [e for e in errors if "CSP violation" in e or "Content Security Policy" in e]


def screenshot(page: "Page", name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots for reviewers."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

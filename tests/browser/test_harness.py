"""Without Chromium the browser tests fail and say how to install it; they never skip."""

import os
import subprocess
import sys

from tests.browser.server import ROOT


def test_a_missing_chromium_fails_with_install_instructions() -> None:
    env = {**os.environ, "CHARTSHARE_CHROMIUM": "/nonexistent/chromium"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/browser/test_account_page.py::test_a_wrong_password_shows_an_error_and_opens_no_session",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout
    assert "No Chromium at /nonexistent/chromium" in done.stdout
    assert "apt-get install chromium" in done.stdout
    assert '-m "not browser"' in done.stdout
    assert "skipped" not in done.stdout

#!/usr/bin/env python3
"""Set up chartshare in ./.venv and run it or test it. Needs only Python 3.11+.

python3 scripts/dev.py run    install, migrate, add demo data if empty, serve on :8000
python3 scripts/dev.py test   install with dev tools, then ruff, mypy and pytest
"""

import hashlib
import os
import subprocess
import sys
import venv
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def _run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    completed = subprocess.run([str(c) for c in command], cwd=ROOT, env=env, check=False)
    if completed.returncode != 0:
        raise SystemExit(completed.returncode)


def _install(extra: str) -> None:
    """Create the venv and install the locked dependencies, once per change of the lock."""
    if sys.version_info < (3, 11):  # noqa: UP036 - the caller's Python may be older
        raise SystemExit("chartshare needs Python 3.11 or newer")
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = ROOT / "requirements.lock"
    fingerprint = hashlib.sha256(
        lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes() + extra.encode()
    ).hexdigest()
    stamp = VENV / f".installed-{extra or 'app'}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    target = f".[{extra}]" if extra else "."
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-c", lock, "-e", target)
    stamp.write_text(fingerprint)


def run() -> None:
    """Install, migrate, seed and serve the app locally."""
    _install("")
    chartshare = BIN / "chartshare"
    _run(chartshare, "migrate")
    _run(chartshare, "seed")
    host, port, base_url = serve_address(os.environ)
    os.environ["CHARTSHARE_BASE_URL"] = base_url
    print(f"serving {base_url} (the issuer; `aud` on authorization requests must equal it)")
    argv = [str(chartshare), "serve", "--host", host, "--port", port]
    os.execv(argv[0], argv)  # noqa: S606 - our own console script, no shell


def serve_address(environ: Mapping[str, str]) -> tuple[str, str, str]:
    """Host, port and base URL for `run`; the issuer follows HOST/PORT unless BASE_URL is set."""
    host = environ.get("CHARTSHARE_HOST", "127.0.0.1")
    port = environ.get("CHARTSHARE_PORT", "8000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise SystemExit(f"CHARTSHARE_PORT: {port!r} is not a port number")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    shown = f"[{shown}]" if ":" in shown else shown
    base_url = environ.get("CHARTSHARE_BASE_URL") or f"http://{shown}:{port}"
    return host, port, base_url


def test(pytest_args: list[str]) -> None:
    """Install the dev tools, then run ruff, mypy and pytest (with the given arguments)."""
    _install("dev")
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy")
    _run(PYTHON, "-m", "pytest", *pytest_args)


def main() -> None:
    """Dispatch `run` or `test`."""
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "run":
        run()
    else:
        test(sys.argv[2:])


if __name__ == "__main__":
    main()

"""A real chartshare server for the browser tests: migrated, seeded SQLite, served by uvicorn."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class LiveServer:
    """Where the server listens (also its issuer) and its SQLite file."""

    base_url: str
    database: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _chartshare(env: dict[str, str], *args: str) -> None:
    """Run one `chartshare` command the way the README does, failing loudly."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, f"chartshare {' '.join(args)} failed:\n{done.stderr}"


def _wait_until_ready(server: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"chartshare serve exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"chartshare serve was not ready within {STARTUP_SECONDS} s")


@contextmanager
def live_server(directory: Path) -> Iterator[LiveServer]:
    """Migrate and seed a fresh database, serve it on a free port, stop the server afterwards."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    # chartshare refuses unknown CHARTSHARE_* variables (CHARTSHARE_CHROMIUM, the test settings).
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CHARTSHARE_")}
    env = {
        **inherited,
        "CHARTSHARE_DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'browser.db'}",
        "CHARTSHARE_BASE_URL": base_url,
        "CHARTSHARE_ENVIRONMENT": "development",
        "CHARTSHARE_LOG_LEVEL": "WARNING",
    }
    _chartshare(env, "migrate")
    _chartshare(env, "seed", "--patients", "3")
    log = directory / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(server, base_url, log)
            yield LiveServer(base_url=base_url, database=directory / "browser.db")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

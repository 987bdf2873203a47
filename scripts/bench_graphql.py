"""Measure POST /graphql latency for a partner app reading a whole record, over real HTTP.

.venv/bin/python -m scripts.bench_graphql [--patients 1000] [--requests 300] [--concurrency 1,4]

Creates a fresh PostgreSQL database (admin URL: --admin-url, CHARTSHARE_BENCH_POSTGRES_URL
or postgresql://postgres@127.0.0.1:5432/test), migrates and seeds it, gives the demo app a
`patient/*.rs` grant for the demo patient Alice (15 years of history), starts
`chartshare serve` on a free loopback port, sends the requests, then stops the server and
drops the database.
"""

import asyncio
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlmodel import col, select

from db.accounts import Account, AccountPatient
from db.apps import App
from db.columns import utcnow
from db.engine import create_engine, create_session_factory, unit_of_work
from db.grants import create_grant
from db.passwords import make_hasher
from db.seed.runner import SeedOptions, run_seed
from db.tokens import Token, TokenKind, hash_secret
from migrations import upgrade
from scripts import argument_parser
from scripts.bench.admin import admin_sql, dsn
from scripts.bench_seed import DEFAULT_ADMIN_URL
from sharing.apps import demo_app_registrar
from tests.builders.graphql import full_record_query

# The repository root: the server starts in it, so `python -m` finds this checkout's modules.
ROOT = Path(__file__).resolve().parent.parent


async def _grant_everything(url: str) -> str:
    """A patient/*.rs grant and a one-hour access token for Alice's own record."""
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            alice = (await session.exec(select(Account).where(Account.username == "alice"))).one()
            link = (
                await session.exec(
                    select(AccountPatient).where(
                        col(AccountPatient.account_id) == alice.id,
                        col(AccountPatient.relationship) == "self",
                    )
                )
            ).one()
            app = (
                await session.exec(select(App).where(App.client_id == "chartshare-demo-app"))
            ).one()
            grant = await create_grant(
                session,
                account_id=alice.id or 0,
                patient_id=link.patient_id,
                app_id=app.id or 0,
                scopes=["launch/patient", "patient/*.rs"],
                refused_scopes=[],
                expires_at=None,
                source_address=None,
            )
            token = secrets.token_urlsafe(32)
            session.add(
                Token(
                    token_hash=hash_secret(token),
                    kind=TokenKind.ACCESS,
                    grant_id=grant.id or 0,
                    scopes=grant.scopes,
                    expires_at=utcnow() + timedelta(hours=1),
                )
            )
        return token
    finally:
        await engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _measure(
    base: str, token: str, first: int, requests: int, concurrency: int
) -> dict[str, float]:
    body = {"query": full_record_query(first)}
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    sizes: list[int] = []
    gate = asyncio.Semaphore(concurrency)

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        warm = await client.post("/graphql", json=body, headers=headers)
        warm.raise_for_status()
        if warm.json().get("errors"):
            raise SystemExit(f"the benchmark query failed: {warm.json()['errors'][:1]}")

        async def one() -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()
                sizes.append(len(response.content))

        wall = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        wall = time.perf_counter() - wall
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
        "per_second": requests / wall,
        "kib": statistics.mean(sizes) / 1024,
    }


def main() -> None:
    """Seed a throwaway database, serve it, and time the full-record query."""
    parser = argument_parser("scripts.bench_graphql", __doc__)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--concurrency", default="1,4", help="comma-separated levels of concurrent requests"
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("CHARTSHARE_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL),
    )
    args = parser.parse_args()

    name = f"chartshare_bench_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(admin_sql(args.admin_url, f'CREATE DATABASE "{name}"'))
    url = dsn(args.admin_url, name)
    server: subprocess.Popen[bytes] | None = None
    try:
        upgrade(url)
        hasher = make_hasher()
        options = SeedOptions(
            args.patients, 1, False, False, hasher, register_app=demo_app_registrar(hasher)
        )
        asyncio.run(run_seed(url, options))
        token = asyncio.run(_grant_everything(url))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "CHARTSHARE_DATABASE_URL": url, "CHARTSHARE_BASE_URL": base,
               "CHARTSHARE_LOG_LEVEL": "WARNING"}  # fmt: skip
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        levels = [int(level) for level in args.concurrency.split(",")]
        print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
              f"{platform.python_version()}; one server process; PostgreSQL; "
              f"{args.patients} patients seeded; {args.requests} requests per row")  # fmt: skip
        print("concurrent  page size  p50 ms  p95 ms  max ms  req/s  response KiB")
        for level in levels:
            for first in (10, 100):
                result = asyncio.run(_measure(base, token, first, args.requests, level))
                print(f"{level:>10}  {first:>9}  {result['p50_ms']:>6.1f}  "
                      f"{result['p95_ms']:>6.1f}  {result['max_ms']:>6.1f}  "
                      f"{result['per_second']:>5.1f}  {result['kib']:>12.1f}")  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        asyncio.run(admin_sql(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

"""The read-path benchmark: chartshare, PostGraphile 5 and the floor over one PostgreSQL database.

.venv/bin/python -m scripts.bench.run [--patients 10000] [--seconds 15] [--output FILE]

Creates (or with --reuse, reuses) the database `chartshare_bench` next to the admin URL
(--admin-url or CHARTSHARE_BENCH_POSTGRES_URL), migrates and seeds it, mints grants and
tokens for --tokens patients per workload through the consent code path, starts the three
servers on loopback ports (one process each), checks that they return the same records,
then runs wrk (Lua script, random patient per request) at each concurrency, interleaving
the servers. PostGraphile is installed with npm into ~/.cache/chartshare-bench on first
use (BENCH_CACHE_DIR moves it). Needs `wrk`, `node` and `npm` on the PATH.
"""

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from db.seed.runner import run_seed
from migrations import upgrade
from scripts import argument_parser
from scripts.bench import postgraphile
from scripts.bench.account_page import (
    REFRESHABLE,
    account_page_requests,
    mint_refresh_tokens,
    open_patient_sessions,
    refresh_requests,
)
from scripts.bench.admin import admin_sql, database_exists, dsn
from scripts.bench.checks import executors, floor_statements, same_records
from scripts.bench.load import Requests, run_wrk
from scripts.bench.queries import EVERYTHING, LABS_ONLY, THREE_CATEGORIES, W1, W2
from scripts.bench.seeding import seed_options
from scripts.bench.tokens import DEMO_APP, mint_tokens

# The repository root: the servers start in it, so `python -m` finds this checkout's modules.
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
WORKLOADS = {"W1": (W1, EVERYTHING), "W2": (W2, LABS_ONLY), "W3": (W1, THREE_CATEGORIES)}


def free_port() -> int:
    """A TCP port on loopback that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str) -> None:
    """Wait until a server answers at `url` (SystemExit after a minute)."""
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url}")


def serve_chartshare(
    url: str, port: int, workers: int = 1, root: Path = ROOT
) -> subprocess.Popen[bytes]:
    """`chartshare serve` on the database at `url`, at `port` on loopback (code from `root`)."""
    # chartshare refuses unknown CHARTSHARE_* variables: pass it only its own settings.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHARTSHARE_")}
    env = {**clean, "CHARTSHARE_DATABASE_URL": url, "CHARTSHARE_LOG_LEVEL": "WARNING",
           "CHARTSHARE_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", *command], cwd=root, env=env, stdout=subprocess.DEVNULL
    )


def _process_stats(pid: int) -> tuple[float, int]:
    """CPU seconds used so far and peak RSS in KiB of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    peak = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1])
    return cpu, peak


def create_database(admin: str, name: str, patients: int, reuse: bool) -> str:
    """The URL of a migrated database `name` seeded with `patients`.

    With `reuse`, a database left by an earlier run is used as it is; one that does not
    exist yet is created and seeded.
    """
    url = dsn(admin, name)
    if reuse and asyncio.run(database_exists(admin, name)):
        print(f"reusing the database {name} as an earlier run left it")
    else:
        asyncio.run(admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(admin_sql(admin, f'CREATE DATABASE "{name}"'))
        upgrade(url)
        started = time.perf_counter()
        asyncio.run(run_seed(url, seed_options(patients)))
        print(f"seeded {patients} patients in {time.perf_counter() - started:.1f} s")
    return url


def chartshare_requests(query: str, tokens: list[tuple[int, str]]) -> Requests:
    """The query with each token as a Bearer header."""
    body = json.dumps({"query": query})
    return Requests("/graphql", [
        ({"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, body)
        for _, token in tokens
    ])  # fmt: skip


def _plain_requests(path: str, bodies: list[str]) -> Requests:
    return Requests(path, [({"Content-Type": "application/json"}, body) for body in bodies])


def _compared_requests(
    workload: str, tokens: list[tuple[int, str]], graphile_query: str
) -> dict[str, Requests]:
    """A workload's requests to each of the three servers, for the same patients."""
    patients = [pid for pid, _ in tokens]
    graphile = [json.dumps({"query": graphile_query, "variables": {"id": p}}) for p in patients]
    return {
        "chartshare": chartshare_requests(WORKLOADS[workload][0], tokens),
        "floor": _plain_requests(f"/{workload}", [json.dumps({"patient": p}) for p in patients]),
        "postgraphile": _plain_requests("/graphql", graphile),
    }


def measure(
    name: str, process: subprocess.Popen[bytes], base: str, workload: str, requests: Requests,
    concurrency: int, seconds: int, folder: Path,
) -> dict[str, Any]:  # fmt: skip
    """Load `base` with wrk and note the server process's CPU time and peak memory."""
    cpu_before, _ = _process_stats(process.pid)
    measured = run_wrk(base, requests, concurrency=concurrency, seconds=seconds, folder=folder)
    cpu_after, peak = _process_stats(process.pid)
    row = {
        "workload": workload, "server": name, "concurrency": concurrency,
        "requests_per_second": round(measured.per_second, 1),
        "p50_ms": measured.p50_ms, "p95_ms": measured.p95_ms, "p99_ms": measured.p99_ms,
        "errors": measured.errors,
        "cpu_ms_per_request": round(1000 * (cpu_after - cpu_before) / max(measured.requests, 1), 2),
        "peak_rss_mib": round(peak / 1024, 1),
    }  # fmt: skip
    print(json.dumps(row), flush=True)
    return row


def _sqlite_runs(path: Path, args: argparse.Namespace, folder: Path) -> list[dict[str, Any]]:
    """W1 and W2 on chartshare's embedded SQLite default (seeded when the file is new)."""
    url = f"sqlite:///{path}"
    if not path.exists():
        upgrade(url)
        asyncio.run(run_seed(url, seed_options(args.patients)))
    tokens = {
        name: asyncio.run(mint_tokens(url, patients=args.tokens, scopes=WORKLOADS[name][1],
                                      label=f"sqlite-{name}", offset=index * args.tokens))
        for index, name in enumerate(("W1", "W2"))
    }  # fmt: skip
    port = free_port()
    server = serve_chartshare(url, port)
    rows = []
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            for name in ("W1", "W2"):
                requests = chartshare_requests(WORKLOADS[name][0], tokens[name])
                base = f"http://127.0.0.1:{port}"
                rows.append(measure("chartshare-sqlite", server, base, name, requests,
                                     concurrency, args.seconds, folder))  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
    return rows


def main() -> None:
    """Run the whole benchmark."""
    parser = argument_parser("scripts.bench.run", __doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="use the database an earlier run seeded (if any)"
    )
    parser.add_argument("--admin-url", default=os.environ.get("CHARTSHARE_BENCH_POSTGRES_URL",
                                                              DEFAULT_ADMIN))  # fmt: skip
    parser.add_argument("--sqlite", help="also run W1/W2 on this SQLite file (seeded if new)")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--only-sqlite", action="store_true", help="skip the PostgreSQL part")
    args = parser.parse_args()

    if args.only_sqlite:
        rows = _sqlite_runs(Path(args.sqlite), args, Path(tempfile.mkdtemp(prefix="bench-")))
        if args.output:
            args.output.write_text(json.dumps({"runs": rows}, indent=2) + "\n")
        return
    url = create_database(args.admin_url, "chartshare_bench", args.patients, args.reuse)
    tokens = {
        name: asyncio.run(
            mint_tokens(
                url, patients=args.tokens, scopes=scopes, label=name, offset=index * args.tokens
            )
        )
        for index, (name, (_, scopes)) in enumerate(WORKLOADS.items())
    }
    # W4: a session of a new account for each W1 patient (whose record the W1 app reads, so
    # the page lists that app and its reads). W5: grants with offline access for patients of
    # their own, and a refresh token under each.
    sessions = asyncio.run(open_patient_sessions(url, [pid for pid, _ in tokens["W1"]]))
    offset = len(WORKLOADS) * args.tokens
    refreshable = asyncio.run(
        mint_tokens(url, patients=args.tokens, scopes=REFRESHABLE, label="W5", offset=offset)
    )
    folder = Path(tempfile.mkdtemp(prefix="chartshare-bench-"))
    (folder / "floor.json").write_text(json.dumps(floor_statements({"W1": W1, "W2": W2})))
    ports = {"chartshare": free_port(), "floor": free_port(), "postgraphile": free_port()}
    binary = postgraphile.install()
    graphile_command, graphile_env = postgraphile.command(binary, url, ports["postgraphile"])
    servers = {
        "chartshare": serve_chartshare(url, ports["chartshare"], args.workers),
        "floor": subprocess.Popen(
            [sys.executable, "-m", "scripts.bench.floor", url, str(folder / "floor.json"),
             "--port", str(ports["floor"])], cwd=ROOT,
        ),
        "postgraphile": subprocess.Popen(
            graphile_command, env=graphile_env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    }  # fmt: skip
    results: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, {platform.platform()}",
        "patients": args.patients, "seconds": args.seconds, "workers": args.workers,
        "runs": [],
    }  # fmt: skip
    try:
        for port in ports.values():
            wait_for(f"http://127.0.0.1:{port}/")
        base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        results["same_records"] = same_records(base, tokens)
        results["executors"] = asyncio.run(executors(url, WORKLOADS, tokens))
        loads = {
            "W1": _compared_requests("W1", tokens["W1"], postgraphile.w1()),
            "W2": _compared_requests("W2", tokens["W2"], postgraphile.w2()),
            "W3": {"chartshare": chartshare_requests(W1, tokens["W3"])},
            "W4": {"chartshare": account_page_requests(sessions, base["chartshare"])},
        }
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            for workload, by_server in loads.items():
                order = list(by_server)
                random.shuffle(order)  # interleaved, in no fixed order
                for server in order:
                    results["runs"].append(
                        measure(server, servers[server], base[server], workload,
                                 by_server[server], concurrency, args.seconds, folder)
                    )  # fmt: skip
        # Last: each refresh token is used up by the request that presents it, so each run
        # starts with new ones.
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            refresh_tokens = asyncio.run(mint_refresh_tokens(url, [p for p, _ in refreshable]))
            results["runs"].append(
                measure("chartshare", servers["chartshare"], base["chartshare"], "W5",
                         refresh_requests(refresh_tokens, DEMO_APP), concurrency, args.seconds,
                         folder)
            )  # fmt: skip
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=10)
    if args.sqlite:
        results["runs"].extend(_sqlite_runs(Path(args.sqlite), args, folder))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

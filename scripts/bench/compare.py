"""Two chartshare checkouts side by side on one workload, with PostGraphile as the yardstick.

.venv/bin/python -m scripts.bench.compare BASELINE [--workload W2] [--rounds 4] [--seconds 10]

BASELINE is another checkout of chartshare with the same migrations and dependencies,
e.g. an earlier commit (`git worktree add ../baseline <commit>`); it runs with this
checkout's Python environment. Both serve the database `chartshare_bench` as
`scripts.bench.run` leaves it (created and seeded if it does not exist), with the same
tokens. Each round loads the three servers in random order for --seconds at
--concurrency; the medians of the rounds, and the ratios between them, are printed and
written to --output. Absolute figures drift on a shared machine; the ratios of one run
are what a change is judged by.
"""

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from scripts import argument_parser
from scripts.bench import postgraphile, run
from scripts.bench.load import Requests
from scripts.bench.profile import WORKLOADS
from scripts.bench.tokens import mint_tokens

YARDSTICKS = {"W1": postgraphile.w1, "W2": postgraphile.w2}


def _checkout(raw: str) -> Path:
    path = Path(raw).resolve()
    if not (path / "api" / "cli.py").is_file():
        raise argparse.ArgumentTypeError(f"{raw} is not a checkout of chartshare (no api/cli.py)")
    if path == run.ROOT:
        raise argparse.ArgumentTypeError(f"{raw} is this checkout: name another one")
    return path


def _git(checkout: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout.strip()


def _commit(checkout: Path) -> str:
    """The commit a checkout is at (with "+changes" when its files differ from it)."""
    try:
        head = _git(checkout, "rev-parse", "--short", "HEAD")
        changed = _git(checkout, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+changes" if changed else head


def _medians(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {
        "requests_per_second": statistics.median(r["requests_per_second"] for r in rows),
        "p50_ms": statistics.median(r["p50_ms"] for r in rows),
        "p99_ms": statistics.median(r["p99_ms"] for r in rows),
        "cpu_ms_per_request": statistics.median(r["cpu_ms_per_request"] for r in rows),
        "errors": sum(r["errors"] for r in rows),
    }


def main() -> None:
    """Load the baseline, this checkout and PostGraphile in rounds; print the medians."""
    parser = argument_parser("scripts.bench.compare", __doc__)
    parser.add_argument("baseline", type=_checkout)
    parser.add_argument("--workload", choices=sorted(YARDSTICKS), default="W2")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--patients", type=int, default=2000, help="when the database is new")
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--admin-url", default=run.DEFAULT_ADMIN)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if min(args.rounds, args.seconds, args.concurrency, args.tokens) < 1:
        parser.error("--rounds, --seconds, --concurrency and --tokens must be at least 1")

    url = run.create_database(args.admin_url, "chartshare_bench", args.patients, reuse=True)
    query, scopes = WORKLOADS[args.workload]
    # Patients of their own, past the ones scripts.bench.run mints for.
    offset = 6 * args.tokens
    tokens = asyncio.run(
        mint_tokens(url, patients=args.tokens, scopes=scopes, label="compare", offset=offset)
    )
    if not tokens:
        raise SystemExit(f"the database has no patients past the first {offset}: seed more")
    ports = {"baseline": run.free_port(), "this": run.free_port(), "postgraphile": run.free_port()}
    graphile_command, graphile_env = postgraphile.command(
        postgraphile.install(), url, ports["postgraphile"]
    )
    graphile_bodies = [
        json.dumps({"query": YARDSTICKS[args.workload](), "variables": {"id": patient}})
        for patient, _ in tokens
    ]
    requests = {
        "baseline": run.chartshare_requests(query, tokens),
        "this": run.chartshare_requests(query, tokens),
        "postgraphile": Requests(
            "/graphql", [({"Content-Type": "application/json"}, b) for b in graphile_bodies]
        ),
    }
    servers = {
        "baseline": run.serve_chartshare(url, ports["baseline"], root=args.baseline),
        "this": run.serve_chartshare(url, ports["this"]),
        "postgraphile": subprocess.Popen(
            graphile_command, env=graphile_env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    }  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="chartshare-compare-"))
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
    try:
        for port in ports.values():
            run.wait_for(f"http://127.0.0.1:{port}/")
        for name, server in servers.items():  # warm-up, not counted
            base = f"http://127.0.0.1:{ports[name]}"
            run.measure(
                name, server, base, args.workload, requests[name], args.concurrency, 3, folder
            )
        for _ in range(args.rounds):
            order = list(servers)
            random.shuffle(order)
            for name in order:
                base = f"http://127.0.0.1:{ports[name]}"
                rows[name].append(
                    run.measure(name, servers[name], base, args.workload, requests[name],
                            args.concurrency, args.seconds, folder)
                )  # fmt: skip
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=10)
    medians = {name: _medians(found) for name, found in rows.items()}
    throughput = {name: m["requests_per_second"] for name, m in medians.items()}
    ratios = {
        "this_vs_baseline": round(throughput["this"] / throughput["baseline"], 2),
        "baseline_vs_postgraphile": round(throughput["baseline"] / throughput["postgraphile"], 2),
        "this_vs_postgraphile": round(throughput["this"] / throughput["postgraphile"], 2),
    }
    result = {
        "workload": args.workload, "concurrency": args.concurrency, "rounds": args.rounds,
        "seconds": args.seconds, "baseline": _commit(args.baseline), "this": _commit(run.ROOT),
        "medians": medians, "ratios": ratios, "runs": rows,
    }  # fmt: skip
    print(json.dumps({"baseline": result["baseline"], "this": result["this"], "medians": medians,
                      "ratios": ratios}, indent=2))  # fmt: skip
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Scaling and memory checks of the read path: W2 at several database sizes, RSS over a soak.

.venv/bin/python -m scripts.bench.scaling [--sizes 1000,100000] [--soak 100000] [--output FILE]

For each size, a PostgreSQL database `chartshare_bench_<size>` is seeded (kept with
--reuse) and served by its own chartshare process; W2 (10 newest labs, labs-only grant)
runs at concurrency 16 with a random patient per request, --rounds times per size,
interleaved; the median latencies at each size are compared with the smallest's. Then,
on the largest database, the soak sends W2 until --soak requests have been answered,
and the server's resident memory is read after 20% of them and at the end (the
target: within 10%).
"""

import asyncio
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from scripts import argument_parser
from scripts.bench.load import run_wrk
from scripts.bench.queries import LABS_ONLY, W2
from scripts.bench.run import (
    DEFAULT_ADMIN,
    chartshare_requests,
    create_database,
    free_port,
    measure,
    serve_chartshare,
    wait_for,
)
from scripts.bench.tokens import mint_tokens

SOAK_STEP_SECONDS = 5


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = serve_chartshare(url, port)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/")
    return server, base


def _soak(url: str, tokens: list[tuple[int, str]], total: int, folder: Path) -> dict[str, Any]:
    server, base = _serve(url)
    requests = chartshare_requests(W2, tokens)
    answered, early = 0, None
    try:
        while answered < total:
            result = run_wrk(base, requests, concurrency=16, seconds=SOAK_STEP_SECONDS,
                             folder=folder)  # fmt: skip
            answered += result.requests
            if early is None and answered >= total // 5:
                early = {"requests": answered, "rss_mib": round(_rss_mib(server.pid), 1)}
        late = {"requests": answered, "rss_mib": round(_rss_mib(server.pid), 1)}
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert early is not None
    growth = late["rss_mib"] / early["rss_mib"] - 1
    row = {"early": early, "late": late, "growth": round(growth, 3)}
    print(json.dumps({"soak": row}), flush=True)
    return row


def main() -> None:
    """Run the scaling check and the soak."""
    parser = argument_parser("scripts.bench.scaling", __doc__)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs per size")
    parser.add_argument("--soak", type=int, default=100_000, help="requests (0: no soak)")
    parser.add_argument(
        "--reuse", action="store_true", help="use the databases an earlier run seeded (if any)"
    )
    parser.add_argument("--admin-url", default=os.environ.get("CHARTSHARE_BENCH_POSTGRES_URL",
                                                              DEFAULT_ADMIN))  # fmt: skip
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="chartshare-scaling-"))
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, Any] = {"sizes": {}, "seconds": args.seconds}
    urls: dict[int, str] = {}
    tokens: dict[int, list[tuple[int, str]]] = {}
    for size in sizes:
        urls[size] = create_database(args.admin_url, f"chartshare_bench_{size}", size, args.reuse)
        # Patients spread over the whole table, not only the first ones.
        step = max(size // args.tokens, 1)
        minted = [
            asyncio.run(mint_tokens(urls[size], patients=1, scopes=LABS_ONLY,
                                    label=f"scaling-{size}", offset=offset))
            for offset in range(0, size, step)
        ][: args.tokens]  # fmt: skip
        tokens[size] = [pair for batch in minted for pair in batch]
    servers = {size: _serve(urls[size]) for size in sizes}
    runs: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
    try:
        for _ in range(args.rounds):  # interleaved, so that the host's load affects all alike
            for size in sizes:
                server, base = servers[size]
                requests = chartshare_requests(W2, tokens[size])
                runs[size].append(
                    measure("chartshare", server, base, "W2", requests, 16, args.seconds, folder)
                )
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=10)
    for size in sizes:
        results["sizes"][size] = {
            "runs": runs[size],
            **{key: statistics.median(r[key] for r in runs[size])
               for key in ("requests_per_second", "p50_ms", "p95_ms", "p99_ms")},
        }  # fmt: skip
    smallest = results["sizes"][sizes[0]]
    for size in sizes:
        row = results["sizes"][size]
        row["p50_vs_smallest"] = round(row["p50_ms"] / smallest["p50_ms"], 2)
        row["p99_vs_smallest"] = round(row["p99_ms"] / smallest["p99_ms"], 2)
        summary = {k: v for k, v in row.items() if k != "runs"}
        print(json.dumps({"size": size, **summary}), flush=True)
    if args.soak:
        largest = sizes[-1]
        results["soak"] = _soak(urls[largest], tokens[largest], args.soak, folder)
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

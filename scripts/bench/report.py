"""Print `scripts.bench.run` results as a Markdown table, with ratios to PostGraphile and the floor.

.venv/bin/python -m scripts.bench.report results.json
"""

import json
from pathlib import Path
from typing import Any

from scripts import argument_parser


def _ratio(mine: float, theirs: float | None) -> str:
    return f"{mine / theirs:.2f}x" if theirs else "-"


def render(results: dict[str, Any]) -> str:
    """Markdown: one row per (workload, concurrency, server)."""
    runs = results["runs"]
    index = {(r["workload"], r["concurrency"], r["server"]): r for r in runs}
    lines = [
        f"Machine: {results['machine']}; {results['patients']:,} patients; "
        f"{results['seconds']} s per run; one server process each.",
        "",
        "| workload | conc. | server | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req "
        "| peak RSS MiB | errors | vs PostGraphile | vs floor |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(runs, key=lambda r: (r["concurrency"], r["workload"], r["server"])):
        baseline = "W1" if r["workload"] == "W3" else r["workload"]
        graphile = index.get((baseline, r["concurrency"], "postgraphile"))
        floor = index.get((baseline, r["concurrency"], "floor"))
        rate = r["requests_per_second"]
        lines.append(
            f"| {r['workload']} | {r['concurrency']} | {r['server']} | {rate:,.1f} "
            f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['cpu_ms_per_request']:.2f} | {r['peak_rss_mib']:.0f} | {r['errors']} "
            f"| {_ratio(rate, graphile['requests_per_second'] if graphile else None)} "
            f"| {_ratio(rate, floor['requests_per_second'] if floor else None)} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Print the table of one results file."""
    parser = argument_parser("scripts.bench.report", __doc__)
    parser.add_argument("results", type=Path, help="the --output file of scripts.bench.run")
    print(render(json.loads(parser.parse_args().results.read_text())))


if __name__ == "__main__":
    main()

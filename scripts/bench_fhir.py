"""Measure FHIR search and Patient/$everything latency for a partner app, in process.

.venv/bin/python -m scripts.bench_fhir [--patients 20] [--requests 20]

Migrates and seeds a fresh SQLite file in a temporary directory, gives the demo app a
`patient/*.rs` grant for the demo patient Alice (15 years of history), and sends each
request through the ASGI app with the bearer token: every request checks the token
against the database, plans and runs the search and commits its activity-log event.
"""

import asyncio
import statistics
import tempfile
import time

import httpx

from api.app import create_app
from api.settings import Settings
from db.passwords import make_hasher
from db.seed.runner import SeedOptions, run_seed
from migrations import upgrade
from scripts import argument_parser
from scripts.bench_graphql import _grant_everything
from sharing.apps import demo_app_registrar

SEARCHES = [
    ("Observation?category=laboratory&_count=100", {"category": "laboratory", "_count": "100"}),
    ("Observation?_count=100 (five tables)", {"_count": "100"}),
    ("Observation?code=(LOINC 4548-4)&date=ge2020", {"code": "http://loinc.org|4548-4",
                                                             "date": "ge2020"}),
    ("Condition?clinical-status=active (three tables)", {"clinical-status": "active"}),
]  # fmt: skip


async def _time(client: httpx.AsyncClient, path: str, params: dict[str, str], count: int,
                headers: dict[str, str]) -> tuple[float, float, int, int]:  # fmt: skip
    latencies = []
    response = await client.get(path, params=params, headers=headers)  # warm up
    for _ in range(count):
        started = time.perf_counter()
        response = await client.get(path, params=params, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    body = response.json()
    return statistics.median(latencies), p95, len(body.get("entry", [])), len(response.content)


async def _run(url: str, requests: int) -> None:
    token = await _grant_everything(url)
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(Settings(database_url=url, base_url="http://bench"))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            patient = (await client.get("/fhir/Patient", headers=headers)).json()
            patient_id = patient["entry"][0]["resource"]["id"]
            print("| request | p50 ms | p95 ms | entries | response KiB |")
            print("|---|---:|---:|---:|---:|")
            cases = [(name, "/fhir/Observation" if name.startswith("Obs") else "/fhir/Condition",
                      params) for name, params in SEARCHES]  # fmt: skip
            cases.append(
                ("Patient/{id}/$everything", f"/fhir/Patient/{patient_id}/$everything", {})
            )
            for name, path, params in cases:
                p50, p95, entries, size = await _time(client, path, params, requests, headers)
                print(f"| `{name}` | {p50:.1f} | {p95:.1f} | {entries} | {size // 1024} |")
    finally:
        await app.state.engine.dispose()


def main() -> None:
    """Seed a throwaway SQLite database and time FHIR searches against it."""
    parser = argument_parser("scripts.bench_fhir", __doc__)
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        upgrade(url)
        hasher = make_hasher()
        options = SeedOptions(
            patients=args.patients,
            seed=1,
            force=False,
            progress=False,
            hasher=hasher,
            register_app=demo_app_registrar(hasher),
        )
        asyncio.run(run_seed(url, options))
        asyncio.run(_run(url, args.requests))


if __name__ == "__main__":
    main()

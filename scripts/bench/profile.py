"""Profile the app read path in one process (no HTTP sockets): W1 and W2 under pyinstrument.

.venv/bin/python -m scripts.bench.profile DATABASE_URL [--requests 200] [--workload W1]

The database must be migrated and seeded (`chartshare seed --patients 10000`).
"""

import asyncio
import random
import time
from pathlib import Path

import httpx
from pyinstrument import Profiler

from api.app import create_app
from api.settings import Settings
from scripts import argument_parser
from scripts.bench.queries import EVERYTHING, LABS_ONLY, THREE_CATEGORIES, W1, W2
from scripts.bench.tokens import mint_tokens

ROOT = Path(__file__).resolve().parents[2]
WORKLOADS = {"W1": (W1, EVERYTHING), "W2": (W2, LABS_ONLY), "W3": (W1, THREE_CATEGORIES)}


async def _run(url: str, workload: str, requests: int) -> str:
    query, scopes = WORKLOADS[workload]
    tokens = await mint_tokens(url, patients=50, scopes=scopes, label=f"profile-{workload}")
    app = create_app(Settings(database_url=url, base_url="http://127.0.0.1:8000"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:

        async def one() -> None:
            _, token = random.choice(tokens)
            response = await client.post(
                "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200, response.text

        for _ in range(20):
            await one()
        profiler = Profiler(async_mode="disabled")
        started = time.perf_counter()
        profiler.start()
        for _ in range(requests):
            await one()
        profiler.stop()
        elapsed = time.perf_counter() - started
    await app.state.engine.dispose()
    print(f"{workload}: {requests / elapsed:.1f} requests/s in one process, sequential")
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return text.replace(f"{ROOT}/", "")  # paths relative to the repository


def main() -> None:
    """Profile one workload and print (or write) the profile."""
    parser = argument_parser("scripts.bench.profile", __doc__)
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="W1")
    parser.add_argument("--output")
    args = parser.parse_args()
    text = asyncio.run(_run(args.url, args.workload, args.requests))
    if args.output:
        Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()

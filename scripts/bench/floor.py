"""The floor: a minimal Starlette + asyncpg endpoint that runs the compiled SQL, with no checks.

.venv/bin/python -m scripts.bench.floor DATABASE_URL STATEMENTS_JSON --port 8082

STATEMENTS_JSON maps a workload name to {"sql": ..., "params": {...}} as `scripts.bench.run`
writes it (the same statement chartshare's compiled path runs, `$1` being the patient id).
POST /{workload} with {"patient": id} answers the statement's first column, the `data`
JSON. No token, no grant, no activity log: the fastest this machine answers the same query
through Python. Benchmark only.
"""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scripts import argument_parser


def build(url: str, statements: dict[str, Any]) -> Starlette:
    """The floor app: one route per workload, one statement per request."""
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # asyncpg keeps prepared statements only up to 15 KiB by default; W1's is larger and
        # would be parsed and planned again on every request (SQLAlchemy prepares its own).
        pool["db"] = await asyncpg.create_pool(
            url, min_size=4, max_size=10, max_cacheable_statement_size=1 << 20
        )
        yield
        await pool["db"].close()

    async def answer(request: Request) -> Response:
        workload = statements[request.path_params["workload"]]
        patient = int((await request.json())["patient"])
        async with pool["db"].acquire() as connection:
            values = (patient, *workload["params"])
            data = await connection.fetchval(workload["sql"], *values, column=0)
        return Response(b'{"data":' + data.encode() + b"}", media_type="application/json")

    return Starlette(routes=[Route("/{workload}", answer, methods=["POST"])],
                     lifespan=lifespan)  # fmt: skip


def main() -> None:
    """Serve the floor on a loopback port."""
    parser = argument_parser("scripts.bench.floor", __doc__)
    parser.add_argument("url")
    parser.add_argument("statements")
    parser.add_argument("--port", type=int, default=8082)
    args = parser.parse_args()
    statements = json.loads(Path(args.statements).read_text())
    app = build(args.url, statements)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

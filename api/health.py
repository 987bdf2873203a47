"""Liveness and readiness probes."""

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from db.engine import database_is_reachable


async def healthz(request: Request) -> JSONResponse:
    """Answers while the process lives."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 only while the database answers a query; 503 otherwise."""
    try:
        reachable = await asyncio.wait_for(
            database_is_reachable(request.app.state.engine), timeout=5.0
        )
    except TimeoutError:
        reachable = False
    if reachable:
        return JSONResponse({"status": "ready", "database": "reachable"})
    return JSONResponse(
        {"status": "unavailable", "database": "unreachable"},
        status_code=503,
        headers={"Retry-After": "5"},
    )

"""`create_app(settings)`: the Starlette application with its engine and routes."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from api.graphql_endpoint import graphql_endpoint
from api.health import healthz, readyz
from api.settings import Settings, load_settings
from db.engine import create_engine, create_session_factory
from db.errors import DatabaseUnavailable

logger = logging.getLogger("chartshare")


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("database unavailable: %s", exc)
    return JSONResponse(
        {"error": "service_unavailable", "error_description": "Try again shortly."},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Logged by type and route only: the message may carry health data.
    logger.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return JSONResponse({"error": "server_error", "error_description": "Unexpected error."}, 500)


def _routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        # Every method reaches the endpoint so that GET gets a JSON 405 explaining why.
        Route("/graphql", graphql_endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ]


def create_app(settings: Settings) -> Starlette:
    """Build the application; the engine opens with the lifespan and closes after it."""
    engine = create_engine(
        settings.database_url,
        pool_timeout=settings.database_pool_timeout,
        pool_size=settings.database_pool_size,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await engine.dispose()

    app = Starlette(
        routes=_routes(),
        lifespan=lifespan,
        exception_handlers={
            DatabaseUnavailable: _database_unavailable,
            Exception: _unexpected_error,
        },
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    return app


def create_app_from_environment() -> Starlette:
    """Factory for `uvicorn --factory` (several workers): settings come from the environment."""
    return create_app(load_settings())

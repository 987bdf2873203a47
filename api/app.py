"""`create_app(settings)`: the Starlette application with its engine and routes."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from api.access_log import install_access_log_filter
from api.app_request_log import AppRequestLog
from api.body_limit import BodyLimit
from api.cors import Cors
from api.fhir.endpoints import fhir_routes
from api.graphql_endpoint import graphql_endpoint
from api.health import healthz, readyz
from api.nul_bytes import RefuseNulBytes
from api.oauth import discovery, registration, registration_management, userinfo, views
from api.oauth.signing import SigningKeyLocked, unlock_signing_keys
from api.pages import consent, directory, login, operator
from api.pages.account import STATIC_DIR, account_page
from api.settings import Settings, load_settings
from api.transport_security import HSTS_VALUE, StrictTransportSecurity
from db.bookkeeping import Bookkeeper
from db.columns import utcnow
from db.engine import create_engine, create_session_factory, unit_of_work
from db.errors import DatabaseUnavailable

logger = logging.getLogger("chartshare")
# Where apps present their access tokens: every such request is one activity event.
APP_TOKEN_PATHS = ("/graphql", "/fhir")


def _error_body(request: Request, error: str, code: str, message: str) -> dict[str, object]:
    """GraphQL-shaped on /graphql (clients read `errors` on any status), OAuth-shaped elsewhere."""
    if request.scope["path"] == "/graphql":
        return {"errors": [{"message": message, "extensions": {"code": code}}]}
    return {"error": error, "error_description": message}


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("database unavailable: %s", exc)
    return JSONResponse(
        _error_body(request, "service_unavailable", "SERVICE_UNAVAILABLE", "Try again shortly."),
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Logged by type and route only: the message may carry health data. The path comes from
    # the scope: building request.url can fail on the very input that caused the error.
    path = request.scope["path"]
    logger.error("unexpected %s on %s %s", type(exc).__name__, request.method, path)
    # Answered outside every middleware, so the production HSTS header is added here.
    settings: Settings = request.app.state.settings
    headers = {"Strict-Transport-Security": HSTS_VALUE} if settings.is_production else None
    body = _error_body(request, "server_error", "INTERNAL_SERVER_ERROR", "Unexpected error.")
    return JSONResponse(body, 500, headers=headers)


async def _ensure_signing_key(app: Starlette) -> None:
    """Create the id_token signing key on first start (it is also created on first use).

    Keys stored in plaintext are encrypted now; a secret that cannot decrypt the current
    key stops the start (SigningKeyLocked) rather than failing every token request later.
    """
    secret = app.state.settings.key_encryption_secret
    try:
        async with unit_of_work(app.state.session_factory) as session:
            await unlock_signing_keys(session, secret=secret)
    except SigningKeyLocked:
        raise
    except Exception as exc:  # the server still starts; /readyz reports the database
        logger.warning("signing key not checked at start: %s", type(exc).__name__)


def _routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        # OAuth 2 / SMART App Launch
        Route("/oauth/authorize", views.authorize, methods=["GET", "POST"]),
        Route("/oauth/token", views.token, methods=["POST"]),
        Route("/oauth/revoke", views.revoke, methods=["POST"]),
        Route("/oauth/introspect", views.introspect, methods=["POST"]),
        Route("/oauth/userinfo", userinfo.userinfo, methods=["GET", "POST"]),
        Route("/oauth/register", registration.register, methods=["POST"]),
        Route(
            "/oauth/register/{client_id}",
            registration_management.read_registration,
            methods=["GET"],
        ),
        Route(
            "/oauth/register/{client_id}",
            registration_management.update_registration,
            methods=["PUT"],
        ),
        Route(
            "/oauth/register/{client_id}",
            registration_management.delete_registration,
            methods=["DELETE"],
        ),
        Route("/oauth/select-patient", consent.select_patient_page, methods=["GET"]),
        Route("/oauth/select-patient", consent.select_patient, methods=["POST"]),
        Route("/oauth/consent", consent.consent_page, methods=["GET"]),
        Route("/oauth/consent", consent.consent, methods=["POST"]),
        Route("/.well-known/smart-configuration", discovery.smart_configuration),
        Route("/.well-known/openid-configuration", discovery.openid_configuration),
        Route("/.well-known/oauth-authorization-server", discovery.authorization_server_metadata),
        Route("/.well-known/jwks.json", discovery.jwks),
        # Pages
        Route("/login", login.login_page, methods=["GET"]),
        Route("/login", login.login, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        Route("/apps", directory.directory_page, methods=["GET"]),
        Route("/operator", operator.operator_page, methods=["GET"]),
        Route("/operator/apps/{client_id}", operator.change_app_status, methods=["POST"]),
        Route("/operator/settings", operator.change_settings, methods=["POST"]),
        Route("/operator/representatives", operator.end_representative, methods=["POST"]),
        Route("/account", account_page, methods=["GET"]),
        # Built scripts and styles, no secrets: safe to compress (unlike pages with tokens).
        Mount("/static", app=GZipMiddleware(StaticFiles(directory=STATIC_DIR)), name="static"),
        # Every method reaches the endpoint so that GET gets a JSON 405 explaining why.
        Route("/graphql", graphql_endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        # FHIR R4 (US Core) read and search under the same grants as GraphQL.
        *fhir_routes(),
    ]


def create_app(settings: Settings) -> Starlette:
    """Build the application; the engine opens with the lifespan and closes after it."""
    engine = create_engine(
        settings.database_url,
        pool_timeout=settings.database_pool_timeout,
        pool_size=settings.database_pool_size,
        statement_timeout=settings.max_query_seconds,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        install_access_log_filter()
        await _ensure_signing_key(app)
        try:
            yield
        finally:
            await engine.dispose()

    app = Starlette(
        routes=_routes(),
        lifespan=lifespan,
        # Outermost first: HSTS on every answer; every app request logged, refusals included;
        # an oversized body is refused before anything reads it.
        middleware=[
            # Preflights are answered before anything else looks at the request.
            Middleware(Cors, base_url=settings.base_url),
            *([Middleware(StrictTransportSecurity)] if settings.is_production else []),
            Middleware(AppRequestLog, paths=APP_TOKEN_PATHS),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes, exempt=("/graphql",)),
            Middleware(RefuseNulBytes, max_body_bytes=settings.max_body_bytes),
        ],
        exception_handlers={
            DatabaseUnavailable: _database_unavailable,
            Exception: _unexpected_error,
        },
    )
    app.state.settings = settings
    app.state.started_at = utcnow()
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.bookkeeper = Bookkeeper(app.state.session_factory)
    app.state.password_hasher = settings.password_hasher()
    return app


def create_app_from_environment() -> Starlette:
    """Factory for `uvicorn --factory` (several workers): settings come from the environment."""
    return create_app(load_settings())

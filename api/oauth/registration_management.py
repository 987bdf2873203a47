"""RFC 7592: an app registered through RFC 7591 reads, updates and deletes its registration.

`/oauth/register/{client_id}` with `Authorization: Bearer <registration access token>`.
The token is looked up by its SHA-256 together with the client_id in one query, so a
wrong token, another client's token, an unknown client_id and an app without a token
(registered through GraphQL or the seed) all get the same 401. Updates go through
`sharing.apps.update_app_metadata`, the rules every registration path shares.
"""

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from anyio import to_thread
from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.context import database, hasher_of, settings_of
from api.json_body import MalformedJson, parse_json_body
from api.oauth.params import NO_STORE
from api.oauth.registration import (
    client_information,
    metadata_error,
    parse_metadata,
    problem_response,
)
from api.security import source_address
from db.apps import App, find_app_by_registration_token
from db.passwords import verify_password
from db.tokens import hash_secret
from sharing.apps import RegistrationProblem, delete_app_registration, update_app_metadata

INVALID_METADATA = InvalidClientMetadataError.error
# Read-only fields of the client information response; RFC 7592 says to ignore them in a PUT.
SERVER_FIELDS = (
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
    "status",
)


def _invalid_token() -> JSONResponse:
    return JSONResponse(
        {
            "error": "invalid_token",
            "error_description": "The registration access token is not valid for this client.",
        },
        status_code=401,
        headers={**NO_STORE, "WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def _authenticated_app(request: Request, session: AsyncSession) -> tuple[App, str] | None:
    """The app this request may manage, with the token it presented; None means 401."""
    token = _bearer_token(request)
    client_id = request.path_params["client_id"]
    if token is None or len(token) > 512 or len(client_id) > 64:
        return None
    app = await find_app_by_registration_token(
        session, client_id=client_id, token_hash=hash_secret(token)
    )
    return None if app is None else (app, token)


RegistrationHandler = Callable[[Request, AsyncSession, App, str], Awaitable[Response]]


def _managed_registration(handler: RegistrationHandler) -> Callable[[Request], Awaitable[Response]]:
    """An RFC 7592 endpoint: 401 unless the registration access token names this client."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        async with database(request) as session:
            found = await _authenticated_app(request, session)
            if found is None:
                return _invalid_token()
            app, token = found
            return await handler(request, session, app, token)

    return endpoint


@_managed_registration
async def read_registration(
    request: Request, session: AsyncSession, app: App, token: str
) -> Response:
    """GET: 200 with the current client information (never the secret or the token's hash)."""
    body = client_information(
        app, issuer=settings_of(request).base_url, registration_access_token=token
    )
    return JSONResponse(body, headers=NO_STORE)


async def _json_object(request: Request) -> dict[str, Any] | JSONResponse:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return metadata_error(INVALID_METADATA, "Send the metadata as application/json.")
    raw = await request.body()
    if len(raw) > settings_of(request).max_body_bytes:
        return metadata_error(INVALID_METADATA, "The request body is too large.")
    try:
        body = parse_json_body(raw)
    except MalformedJson as exc:
        return metadata_error(INVALID_METADATA, str(exc))
    if not isinstance(body, dict):
        return metadata_error(INVALID_METADATA, "Send a JSON object.")
    return body


async def _secret_matches(request: Request, app: App, presented: Any) -> bool:
    if not isinstance(presented, str) or not app.is_confidential or not app.client_secret_hash:
        return False
    # Argon2id blocks: verify in a worker thread so the event loop stays free.
    return await to_thread.run_sync(
        verify_password, hasher_of(request), app.client_secret_hash, presented
    )


@_managed_registration
async def update_registration(
    request: Request, session: AsyncSession, app: App, token: str
) -> Response:
    """PUT: replace the metadata (all fields; omitted ones are cleared) and answer 200."""
    body = await _json_object(request)
    if isinstance(body, JSONResponse):
        return body
    if body.get("client_id") != app.client_id:
        return metadata_error(INVALID_METADATA, "client_id must be this client's identifier.")
    # null is the same as leaving the secret out (RFC 7592 treats null as omitted).
    if body.get("client_secret") is not None and not await _secret_matches(
        request, app, body["client_secret"]
    ):
        return metadata_error(
            INVALID_METADATA,
            "client_secret must be the current secret; a client cannot choose its secret.",
        )
    for field in SERVER_FIELDS:
        body.pop(field, None)
    current_method = "client_secret_basic" if app.is_confidential else "none"
    try:
        metadata = parse_metadata(body, default_auth_method=current_method)
        updated = await update_app_metadata(
            session,
            app=app,
            metadata=metadata,
            account_id=None,
            via="dynamic",
            source_address=source_address(request, settings_of(request)),
        )
    except RegistrationProblem as problem:
        return problem_response(problem)
    answer = client_information(
        updated, issuer=settings_of(request).base_url, registration_access_token=token
    )
    return JSONResponse(answer, headers=NO_STORE)


@_managed_registration
async def delete_registration(
    request: Request, session: AsyncSession, app: App, token: str
) -> Response:
    """DELETE: 204; the app is deactivated for good and every grant and token revoked."""
    await delete_app_registration(
        session,
        app=app,
        account_id=None,
        source_address=source_address(request, settings_of(request)),
    )
    return Response(status_code=204, headers=NO_STORE)

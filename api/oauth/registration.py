"""POST /oauth/register: RFC 7591 dynamic client registration through sharing.apps.register_app.

Authlib's ClientRegistrationEndpoint makes its own client_id and secret; chartshare's
registration rules (and the GraphQL `registerApp` mutation) live in one place,
`sharing.apps`, so this view maps RFC 7591 metadata onto it. Registration is open;
a new app waits for the operator's approval unless auto-approval is on. The answer
carries the RFC 7592 registration access token (shown once, stored only as a hash)
and the URI where the app reads, updates or deletes its registration
(`api.oauth.registration_management`).
"""

from typing import Any

from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError, InvalidRedirectURIError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.context import database, hasher_of, settings_of
from api.json_body import MalformedJson, parse_json_body
from api.oauth.params import NO_STORE
from api.security import source_address
from db.apps import App, redirect_uris_of
from sharing.apps import AppMetadata, RegistrationProblem, register_app

AUTH_METHODS = {"none": False, "client_secret_basic": True, "client_secret_post": True}
GRANT_TYPES = {"authorization_code", "refresh_token"}
LINKS = {
    "client_uri": "homepage_url",
    "logo_uri": "logo_url",
    "policy_uri": "privacy_policy_url",
    "tos_uri": "terms_url",
}


def metadata_error(code: str, description: str) -> JSONResponse:
    """A 400 RFC 7591 error body."""
    return JSONResponse(
        {"error": code, "error_description": description}, status_code=400, headers=NO_STORE
    )


def problem_response(problem: RegistrationProblem) -> JSONResponse:
    """The RFC 7591 error for a broken registration rule."""
    code = problem.code
    if code not in (InvalidRedirectURIError.error, InvalidClientMetadataError.error):
        code = InvalidClientMetadataError.error
    return metadata_error(code, problem.message)


def parse_metadata(body: Any, *, default_auth_method: str = "client_secret_basic") -> AppMetadata:
    """RFC 7591 client metadata as AppMetadata; RegistrationProblem for a malformed field."""
    if not isinstance(body, dict):
        raise RegistrationProblem("invalid_client_metadata", "", "Send a JSON object.")
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise RegistrationProblem(
            "invalid_redirect_uri", "redirect_uris", "redirect_uris must be a list of URIs."
        )
    method = body.get("token_endpoint_auth_method") or default_auth_method
    if not isinstance(method, str) or method not in AUTH_METHODS:
        raise RegistrationProblem(
            "invalid_client_metadata",
            "token_endpoint_auth_method",
            "Use none, client_secret_basic or client_secret_post.",
        )
    grant_types = body.get("grant_types") or ["authorization_code"]
    if not isinstance(grant_types, list) or not all(
        isinstance(g, str) and g in GRANT_TYPES for g in grant_types
    ):
        raise RegistrationProblem(
            "invalid_client_metadata", "grant_types", "Only authorization_code and refresh_token."
        )
    if (body.get("response_types") or ["code"]) != ["code"]:
        raise RegistrationProblem("invalid_client_metadata", "response_types", "Only code.")
    texts = {
        key: body.get(key)
        for key in ("client_name", "description", "scope", *LINKS)
        if body.get(key) is not None
    }
    for key, value in texts.items():
        if not isinstance(value, str):
            raise RegistrationProblem("invalid_client_metadata", key, f"{key} must be a string.")
    return AppMetadata(
        name=str(texts.get("client_name") or ""),
        redirect_uris=uris,
        confidential=AUTH_METHODS[method],
        description=texts.get("description"),
        scope=str(texts.get("scope") or ""),
        **{field: texts.get(claim) for claim, field in LINKS.items()},
    )


def registration_client_uri(issuer: str, app: App) -> str:
    """Where RFC 7592 reads, updates and deletes this app's registration."""
    return f"{issuer}/oauth/register/{app.client_id}"


def client_information(
    app: App, *, issuer: str, registration_access_token: str, client_secret: str | None = None
) -> dict[str, Any]:
    """The RFC 7591/7592 client information response; a secret only when it was just issued."""
    body: dict[str, Any] = {
        "client_id": app.client_id,
        "client_id_issued_at": int(app.created_at.timestamp()),
        "client_name": app.name,
        "redirect_uris": redirect_uris_of(app),
        "token_endpoint_auth_method": "client_secret_basic" if app.is_confidential else "none",
        "grant_types": sorted(GRANT_TYPES),
        "response_types": ["code"],
        "status": app.status,
        "registration_access_token": registration_access_token,
        "registration_client_uri": registration_client_uri(issuer, app),
    }
    if app.is_confidential:
        body["client_secret_expires_at"] = 0
    if app.allowed_scopes:
        body["scope"] = app.allowed_scopes
    if app.description:
        body["description"] = app.description
    for claim, field in LINKS.items():
        if getattr(app, field):
            body[claim] = getattr(app, field)
    if client_secret:
        body["client_secret"] = client_secret
    return body


async def register(request: Request) -> Response:
    """201 with client_id, the registration access token (and a confidential secret), shown once."""
    settings = settings_of(request)
    raw = await request.body()
    if len(raw) > settings.max_body_bytes:
        return metadata_error(InvalidClientMetadataError.error, "The request body is too large.")
    try:
        metadata = parse_metadata(parse_json_body(raw or b"null"))
    except MalformedJson as exc:
        return metadata_error(InvalidClientMetadataError.error, str(exc))
    except RegistrationProblem as problem:
        return problem_response(problem)
    async with database(request) as session:
        try:
            registered = await register_app(
                session,
                metadata=metadata,
                hasher=hasher_of(request),
                developer_account_id=None,
                via="dynamic",
                source_address=source_address(request, settings),
            )
        except RegistrationProblem as problem:
            return problem_response(problem)
        assert registered.registration_access_token is not None  # always for "dynamic"
        body = client_information(
            registered.app,
            issuer=settings.base_url,
            registration_access_token=registered.registration_access_token,
            client_secret=registered.client_secret,
        )
    return JSONResponse(body, status_code=201, headers=NO_STORE)

"""CORS for browser apps: bearer-token paths answer any origin; cookie sessions stay same-origin.

A partner app running in a browser reads discovery and the JWKS, exchanges codes,
revokes tokens, calls userinfo, `/graphql` and `/fhir` from its own origin. Those
paths answer preflights and carry `Access-Control-Allow-Origin: *` without
`Access-Control-Allow-Credentials`, so a browser never attaches cookies it may read
the answer to. A cross-origin request to `/graphql` that carries no Bearer token
would ride on the patient's session cookie: it is refused before the endpoint runs.
"""

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Path -> the methods a browser app may use there. Paths ending in "/" are prefixes.
CORS_PATHS: dict[str, tuple[str, ...]] = {
    "/.well-known/smart-configuration": ("GET",),
    "/.well-known/openid-configuration": ("GET",),
    "/.well-known/oauth-authorization-server": ("GET",),
    "/.well-known/jwks.json": ("GET",),
    "/oauth/token": ("POST",),
    "/oauth/revoke": ("POST",),
    "/oauth/userinfo": ("GET", "POST"),
    "/graphql": ("POST",),
    "/fhir": ("GET", "POST"),
    "/fhir/": ("GET", "POST"),
}
# The paths where a session cookie can authenticate a request.
SESSION_PATHS = ("/graphql",)
ALLOWED_HEADERS = frozenset({"authorization", "content-type", "accept", "prefer"})
EXPOSED_HEADERS = "WWW-Authenticate, Retry-After, Location"
PREFLIGHT_MAX_AGE = "600"
PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, as browsers send it in `Origin`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cors_methods(path: str) -> tuple[str, ...] | None:
    """The methods a cross-origin caller may use on a path, or None if it is same-origin only."""
    if path in CORS_PATHS:
        return CORS_PATHS[path]
    for prefix, methods in CORS_PATHS.items():
        if prefix.endswith("/") and path.startswith(prefix):
            return methods
    return None


def _preflight(headers: Headers, methods: tuple[str, ...]) -> Response:
    method = headers.get("access-control-request-method", "").upper()
    requested = [
        h.strip().lower()
        for h in headers.get("access-control-request-headers", "").split(",")
        if h.strip()
    ]
    vary = {"Vary": PREFLIGHT_VARY}
    if method not in methods:
        return PlainTextResponse(
            f"{method or 'That method'} is not allowed here from another origin.", 400, vary
        )
    refused = [h for h in requested if h not in ALLOWED_HEADERS]
    if refused:
        return PlainTextResponse(f"Header {refused[0]} is not allowed here.", 400, vary)
    return Response(
        status_code=204,
        headers={
            **vary,
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": ", ".join(sorted(ALLOWED_HEADERS)),
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        },
    )


def _session_refused() -> Response:
    body = {
        "errors": [
            {
                "message": "A request from another origin must send a Bearer token; "
                "the account session is same-origin only.",
                "extensions": {"code": "FORBIDDEN"},
            }
        ]
    }
    return JSONResponse(body, 403)


class Cors:
    """ASGI middleware: preflights and response headers on the bearer-token paths."""

    def __init__(self, app: ASGIApp, *, base_url: str) -> None:
        self.app = app
        self.own_origin = origin_of(base_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        methods = cors_methods(path)
        if methods is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        foreign = origin is not None and origin.lower() != self.own_origin
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await _preflight(headers, methods)(scope, receive, send)
            return
        if foreign and path in SESSION_PATHS and "authorization" not in headers:
            response = _session_refused()
            response.headers.update({**_cors_headers(), "Vary": "Origin"})
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if not name.lower().startswith(b"access-control-")
                ]
                vary = b", ".join(value for name, value in raw if name.lower() == b"vary")
                raw = [(name, value) for name, value in raw if name.lower() != b"vary"]
                if b"origin" not in vary.lower():
                    vary = vary + b", Origin" if vary else b"Origin"
                raw.append((b"vary", vary))
                for name, value in _cors_headers().items():
                    raw.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _cors_headers() -> dict[str, str]:
    # Sent on these paths with or without Origin, so a shared cache never hands a browser
    # app a copy without them; `Vary: Origin` because a cross-origin session request differs.
    return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED_HEADERS}

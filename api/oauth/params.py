"""Reading OAuth parameters: form bodies only at the token endpoints, never tokens in URLs."""

from urllib.parse import parse_qsl

from starlette.datastructures import MultiDict
from starlette.requests import Request
from starlette.responses import JSONResponse

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    """An RFC 6749 error body."""
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=NO_STORE
    )


async def form_params(request: Request, max_bytes: int) -> MultiDict | JSONResponse:
    """The urlencoded body as parameters, or an `invalid_request` answer."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return oauth_error(
            "invalid_request", "Send parameters as application/x-www-form-urlencoded."
        )
    body = await request.body()
    if len(body) > max_bytes:
        return oauth_error("invalid_request", "The request body is too large.", 413)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        return oauth_error("invalid_request", "The request body is not valid form data.")
    return MultiDict(pairs)


async def token_endpoint_params(request: Request, max_bytes: int) -> MultiDict | JSONResponse:
    """Parameters of /oauth/token, /revoke, /introspect: body only, nothing in the query string."""
    if request.url.query:
        return oauth_error(
            "invalid_request",
            "Parameters (tokens, codes, secrets) must be sent in the request body, not the URL.",
        )
    return await form_params(request, max_bytes)

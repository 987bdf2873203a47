"""The authorization endpoint on Authlib: validate a request, answer it with a code or an error.

Errors that cannot be sent back safely (unknown client, a redirect URI that does not
match exactly, a missing redirect URI) become an HTML page and never a redirect.
Every redirect carries `iss` (RFC 9207).
"""

from collections.abc import Callable
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import OAuth2Error
from starlette.datastructures import MultiDict
from starlette.requests import Request
from starlette.responses import Response

from api.oauth.adapter import OAuthResult, StarletteOAuth2Request, oauth_request
from api.oauth.models import Consent
from api.oauth.server import ChartshareServer
from api.pages.rendering import error_page

# Authlib refuses to build an error whose description would quote characters such as
# `"` from the request (a ValueError): such a request is malformed, and gets this page.
MALFORMED = OAuthResult(
    400, {"error": "invalid_request", "error_description": "Malformed request."}
)


def validate_authorization(server: ChartshareServer, request: Any) -> OAuthResult | None:
    """None if the authorization request is acceptable, else the error answer (worker thread)."""
    try:
        server.get_consent_grant(request, end_user=None)
    except OAuth2Error as error:
        result: OAuthResult = server.handle_error_response(request, error)
        return result
    except ValueError:
        return MALFORMED
    return None


def decide_authorization(
    server: ChartshareServer, request: Any, consent: Callable[[], Consent] | None
) -> OAuthResult:
    """Re-validate the stored request, then redirect with a code (allow) or access_denied (deny)."""
    try:
        grant = server.get_consent_grant(request, end_user=None)
    except OAuth2Error as error:
        failed: OAuthResult = server.handle_error_response(request, error)
        return failed
    except ValueError:
        return MALFORMED
    user = consent() if consent is not None else None
    result: OAuthResult = server.create_authorization_response(
        request, grant_user=user, grant=grant
    )
    return result


def answer(result: OAuthResult, *, issuer: str, after_post: bool) -> Response:
    """Redirect to the app (with `iss`) or, when that is not safe, show an error page."""
    location = result.location
    if location:
        response = Response(status_code=303 if after_post else 302)
        response.headers["Location"] = add_params_to_uri(location, [("iss", issuer)])
        response.headers["Cache-Control"] = "no-store"
        return response
    body = result.body if isinstance(result.body, dict) else {}
    description = body.get("error_description") or body.get("error") or "Invalid request."
    return error_page("This app's request cannot be completed", str(description), status=400)


def stored_request(request: Request, params: dict[str, str]) -> StarletteOAuth2Request:
    """Rebuild a stored authorization request for Authlib."""
    return oauth_request(request, MultiDict(params), method="GET")

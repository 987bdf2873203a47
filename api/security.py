"""Security headers for HTML pages, CSRF comparison, safe `next` targets and source addresses."""

import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from api.settings import Settings

# No form-action: browsers apply it to the redirect after the consent form, which goes
# to the app's own redirect URI.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def secure_page(response: Response, *, private: bool = True) -> Response:
    """Add the page headers; `private` pages (personal data, forms) are never cached."""
    response.headers.update(PAGE_HEADERS)
    if private:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def csrf_matches(expected: str, given: object) -> bool:
    """Constant-time comparison of a form's CSRF token with the session's."""
    if not isinstance(given, str) or not given or not expected:
        return False
    return secrets.compare_digest(expected.encode(), given.encode())


def safe_next(raw: object, default: str) -> str:
    """A same-origin path to continue to; anything else (other hosts, schemes, `//`) is refused."""
    if not isinstance(raw, str) or not raw.startswith("/") or len(raw) > 2000:
        return default
    if raw.startswith(("//", "/\\")) or any(ord(c) < 0x20 or c == "\\" for c in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw


def source_address(request: Request, settings: Settings) -> str | None:
    """The caller's address for the activity log (X-Forwarded-For only when trusted)."""
    if settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded[:64]
    return request.client.host[:64] if request.client else None

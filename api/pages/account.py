"""GET /account: the patient's account page, which reads and changes data only through /graphql."""

import hashlib
import secrets
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.sessions import current_web_session
from api.settings import Settings
from db.engine import unit_of_work

API_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = API_DIR / "static"
BUNDLE_DIR = STATIC_DIR / "account"
LOGIN_REDIRECT = "/login?next=/account"

_templates = Environment(
    loader=FileSystemLoader(API_DIR / "templates"), autoescape=True, auto_reload=False
)


def content_security_policy(style_nonce: str) -> str:
    """The page's CSP; see frontend/README.md for why styles need more than 'self'."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # Monaco and Radix create <style> elements; the page stamps this nonce on them.
            f"style-src-elem 'self' 'nonce-{style_nonce}'",
            # Monaco renders editor lines as HTML strings carrying style attributes.
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' https: data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


def page_headers(style_nonce: str) -> dict[str, str]:
    """Security headers of the account page."""
    return {
        "Content-Security-Policy": content_security_policy(style_nonce),
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }


@cache
def bundle_version() -> str:
    """A fingerprint of the built bundle, so browsers fetch new files after an upgrade."""
    digest = hashlib.sha256()
    for path in sorted(p for p in BUNDLE_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(BUNDLE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


async def account_page(request: Request) -> Response:
    """The page shell for a logged-in account; everyone else is sent to log in."""
    settings: Settings = request.app.state.settings
    async with unit_of_work(request.app.state.session_factory) as session:
        web_session = await current_web_session(request, session, settings)
    if web_session is None or web_session.account_id is None:
        return RedirectResponse(LOGIN_REDIRECT, status_code=303)
    style_nonce = secrets.token_urlsafe(18)
    version = bundle_version()
    html = _templates.get_template("account.html").render(
        csrf_token=web_session.csrf_token,
        style_nonce=style_nonce,
        script_url=f"/static/account/account.js?v={version}",
        stylesheet_url=f"/static/account/account.css?v={version}",
    )
    return HTMLResponse(html, headers=page_headers(style_nonce))

"""The session cookie: set, read and clear it around db.web_sessions."""

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from api.settings import Settings
from db.accounts import WebSession
from db.web_sessions import find_live_session


def cookie_name(settings: Settings) -> str:
    """`__Host-` pins the cookie to our host and path and requires Secure."""
    return "__Host-chartshare" if settings.secure_cookies else "chartshare_session"


async def current_web_session(
    request: Request, session: AsyncSession, settings: Settings, *, touch: bool = True
) -> WebSession | None:
    """The live server-side session named by the request's cookie, if any.

    `touch=False` writes nothing (see `db.web_sessions.find_live_session`).
    """
    raw_id = request.cookies.get(cookie_name(settings))
    if not raw_id or len(raw_id) > 128:
        return None
    return await find_live_session(
        session, raw_id=raw_id, idle_seconds=settings.session_idle_seconds, touch=touch
    )


def set_session_cookie(response: Response, raw_id: str, settings: Settings) -> None:
    """HttpOnly, SameSite=Lax, Secure outside local development; lives as long as the session."""
    response.set_cookie(
        cookie_name(settings),
        raw_id,
        max_age=settings.session_absolute_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Remove the cookie from the browser (the server-side row is ended separately)."""
    response.delete_cookie(
        cookie_name(settings),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )

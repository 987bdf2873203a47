"""The browser's server-side session around the pages: anonymous until login, rotated at login."""

from urllib.parse import quote

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.sessions import current_web_session, set_session_cookie
from api.settings import Settings
from db.accounts import WebSession
from db.web_sessions import open_session


class BrowserSession:
    """The request's session row, and the raw id to set as cookie if it was just opened."""

    def __init__(self, row: WebSession, new_raw_id: str | None) -> None:
        self.row = row
        self.new_raw_id = new_raw_id

    def attach(self, response: Response, settings: Settings) -> Response:
        """Send the cookie if this session was opened by the request."""
        if self.new_raw_id:
            set_session_cookie(response, self.new_raw_id, settings)
        return response


async def browser_session(
    request: Request, session: AsyncSession, settings: Settings
) -> BrowserSession:
    """The live session, or a new anonymous one (it carries the CSRF token of the login form)."""
    row = await current_web_session(request, session, settings)
    if row is not None:
        return BrowserSession(row, None)
    raw_id, row = await open_session(
        session,
        account_id=None,
        patient_id=None,
        absolute_seconds=settings.session_absolute_seconds,
    )
    return BrowserSession(row, raw_id)


def see_other(location: str) -> RedirectResponse:
    """303 See Other: the browser follows with a GET (after every POST)."""
    return RedirectResponse(location, status_code=303)


def login_redirect(next_path: str) -> RedirectResponse:
    """Send an anonymous visitor to the login page, coming back to `next_path`."""
    return see_other("/login?next=" + quote(next_path, safe="/"))

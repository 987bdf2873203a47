"""GET/POST /login and POST /logout: shared by the OAuth flow, the account page and the operator.

Protections: one answer (same page, same status, similar time) for an unknown user,
a wrong password and a locked account; failed attempts slow down after
`login_slowdown_after` failures from the same address (counted for every login
name tried, known or not: a delay keyed on the account would tell which names
exist) and the account is soft-locked for `login_lock_seconds` after
`login_lock_after` (invisible: a locked account answers like a wrong password);
the session id changes at login; logout ends the session on the server.
"""

import asyncio
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.context import database, hasher_of, settings_of
from api.pages.browser import browser_session, see_other
from api.pages.rendering import error_page, render
from api.security import csrf_matches, safe_next, source_address
from api.sessions import clear_session_cookie, current_web_session, set_session_cookie
from db.accounts import (
    clear_failed_logins,
    find_account_by_login,
    list_account_patients,
    record_failed_login,
)
from db.activity import Actor, EventKind, count_failed_logins, record_event
from db.authorization_requests import move_authorization_requests
from db.columns import utcnow
from db.passwords import dummy_hash, verify_password
from db.web_sessions import end_session, open_session, session_data

DEFAULT_NEXT = "/account"
LOGIN_FAILED = (
    "That username or password did not work. After repeated failures, "
    "signing in to an account pauses for 15 minutes."
)
CSRF_FAILED = (
    "This form has expired or did not come from chartshare. Go back, reload and try again."
)


async def _dummy_hash(request: Request) -> str:
    cached: str | None = getattr(request.app.state, "dummy_password_hash", None)
    if cached is None:
        cached = await run_in_threadpool(dummy_hash, hasher_of(request))
        request.app.state.dummy_password_hash = cached
    return cached


async def login_page(request: Request) -> Response:
    """Show the login form (an anonymous session carries its CSRF token)."""
    settings = settings_of(request)
    next_path = safe_next(request.query_params.get("next"), DEFAULT_NEXT)
    async with database(request) as session:
        browser = await browser_session(request, session, settings)
        if browser.row.account_id is not None:
            return see_other(next_path)
        response = render(
            "login.html",
            {"csrf_token": browser.row.csrf_token, "next": next_path, "login": "", "error": None},
        )
        return browser.attach(response, settings)


async def login(request: Request) -> Response:
    """Check the credentials; on success open a new session (new id) carrying the old one's data."""
    settings = settings_of(request)
    form = await request.form()
    next_path = safe_next(form.get("next"), DEFAULT_NEXT)
    login_name = str(form.get("login") or "")[:254]
    password = str(form.get("password") or "")[:1024]
    address = source_address(request, settings)
    slow_down = False
    async with database(request) as session:
        # Not touched: the first write comes after the password check, so the (slow)
        # check never holds the database's write lock that other requests wait for.
        row = await current_web_session(request, session, settings, touch=False)
        if row is None or not csrf_matches(row.csrf_token, form.get("csrf_token")):
            return error_page("Please try again", CSRF_FAILED, status=403)
        account = await find_account_by_login(session, login=login_name) if login_name else None
        now = utcnow()
        locked = bool(account and account.locked_until and account.locked_until > now)
        usable = account is not None and not locked
        stored = account.password_hash if account is not None and usable else None
        stored = stored or await _dummy_hash(request)
        matches = await run_in_threadpool(verify_password, hasher_of(request), stored, password)
        if account is not None and usable and matches:
            assert account.id is not None
            await clear_failed_logins(session, account=account)
            patients = await list_account_patients(session, account_id=account.id)
            await end_session(session, row=row)
            raw_id, successor = await open_session(
                session,
                account_id=account.id,
                patient_id=patients[0][0].id if len(patients) == 1 else None,
                absolute_seconds=settings.session_absolute_seconds,
                data=session_data(row),
            )
            assert row.id is not None and successor.id is not None
            await move_authorization_requests(
                session, from_session_id=row.id, to_session_id=successor.id
            )
            await record_event(session, kind=EventKind.LOGIN, actor=Actor(account.id, address))
            success = see_other(next_path)
            set_session_cookie(success, raw_id, settings)
            return success
        recent = await count_failed_logins(
            session,
            source_address=address,
            since=now - timedelta(seconds=settings.login_lock_seconds),
        )
        slow_down = recent >= settings.login_slowdown_after
        if account is not None and usable:
            await record_failed_login(
                session,
                account=account,
                now=now,
                lock_after=settings.login_lock_after,
                lock_seconds=settings.login_lock_seconds,
            )
        await record_event(
            session,
            kind=EventKind.LOGIN_FAILED,
            outcome="refused",
            actor=Actor(account.id if account else None, address),
            details={"reason": "locked" if locked else "bad_credentials"},
        )
        response = render(
            "login.html",
            {"csrf_token": row.csrf_token, "next": next_path, "login": login_name,
             "error": LOGIN_FAILED},
            status=400,
        )  # fmt: skip
    if slow_down:
        # Outside the unit of work: a slowed attempt holds no database connection.
        await asyncio.sleep(settings.login_slowdown_seconds)
    return response


async def logout(request: Request) -> Response:
    """End the session on the server and forget the cookie (CSRF-protected)."""
    settings = settings_of(request)
    form = await request.form()
    async with database(request) as session:
        row = await current_web_session(request, session, settings)
        if row is None:
            response = see_other("/login")
            clear_session_cookie(response, settings)
            return response
        if not csrf_matches(row.csrf_token, form.get("csrf_token")):
            return error_page("Please try again", CSRF_FAILED, status=403)
        await end_session(session, row=row)
        if row.account_id is not None:
            await record_event(
                session,
                kind=EventKind.LOGOUT,
                actor=Actor(row.account_id, source_address(request, settings)),
            )
    response = see_other("/login")
    clear_session_cookie(response, settings)
    return response

"""The operator's review of partner apps: /operator (list, approve, suspend, auto-approval)."""

import functools
from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from api.context import database, settings_of
from api.pages.browser import login_redirect, see_other
from api.pages.login import CSRF_FAILED
from api.pages.rendering import error_page, render
from api.security import csrf_matches, source_address
from api.sessions import current_web_session
from db.accounts import Account, AccountRole, WebSession
from db.apps import (
    AUTO_APPROVE_DYNAMIC_REGISTRATION,
    AppStatus,
    find_app_by_client_id,
    get_operator_flag,
    list_apps,
    set_operator_flag,
)
from db.columns import MAX_ROW_ID
from db.errors import Conflict
from db.representatives import list_representations
from sharing import representatives
from sharing.apps import set_app_status
from sharing.representatives import RepresentationProblem

OPERATOR_PATH = "/operator"


async def _operator(request: Request, session: AsyncSession) -> WebSession | Response:
    row = await current_web_session(request, session, settings_of(request))
    if row is None or row.account_id is None:
        return login_redirect(OPERATOR_PATH)
    account = await session.get(Account, row.account_id)
    if account is None or account.role != AccountRole.OPERATOR:
        return error_page(
            "Not allowed", "Only the operator of chartshare can see this page.", status=403
        )
    return row


OperatorHandler = Callable[[Request, AsyncSession, WebSession, FormData], Awaitable[Response]]


def _operator_form(handler: OperatorHandler) -> Callable[[Request], Awaitable[Response]]:
    """A POST from the operator's page: the operator's session and its CSRF token come first."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        form = await request.form()
        async with database(request) as session:
            row = await _operator(request, session)
            if not isinstance(row, WebSession):
                return row
            if not csrf_matches(row.csrf_token, form.get("csrf_token")):
                return error_page("Please try again", CSRF_FAILED, status=403)
            return await handler(request, session, row, form)

    return endpoint


async def operator_page(request: Request) -> Response:
    """Every registered app with its status, and the auto-approval switch."""
    async with database(request) as session:
        row = await _operator(request, session)
        if not isinstance(row, WebSession):
            return row
        return render(
            "operator.html",
            {
                "apps": await list_apps(session),
                "auto_approve": await get_operator_flag(
                    session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION
                ),
                "csrf_token": row.csrf_token,
                "representations": await list_representations(session),
            },
        )


@_operator_form
async def change_app_status(
    request: Request, session: AsyncSession, row: WebSession, form: FormData
) -> Response:
    """POST: approve or suspend one app; a suspended app's tokens fail on their next request."""
    app = await find_app_by_client_id(session, client_id=request.path_params["client_id"])
    if app is None:
        return error_page("No such app", "That app is not registered.", status=404)
    try:
        status = AppStatus(str(form.get("status") or ""))
    except ValueError:
        return error_page("Unknown status", "Choose approve or suspend.", status=400)
    assert row.account_id is not None
    try:
        await set_app_status(
            session,
            app=app,
            status=status,
            operator_account_id=row.account_id,
            source_address=source_address(request, settings_of(request)),
        )
    except Conflict:
        return error_page(
            "App withdrawn",
            "Its developer deleted this registration; it cannot be approved again.",
            status=409,
        )
    return see_other(OPERATOR_PATH)


@_operator_form
async def change_settings(
    request: Request, session: AsyncSession, row: WebSession, form: FormData
) -> Response:
    """POST: turn auto-approval of dynamically registered apps on or off."""
    await set_operator_flag(
        session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION, value=form.get("auto_approve") == "yes"
    )
    return see_other(OPERATOR_PATH)


def _form_id(raw: object) -> int | None:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if value <= MAX_ROW_ID else None


@_operator_form
async def end_representative(
    request: Request, session: AsyncSession, row: WebSession, form: FormData
) -> Response:
    """POST: end a representative link; every grant the representative made is revoked."""
    account_id, patient_id = _form_id(form.get("account_id")), _form_id(form.get("patient_id"))
    try:
        if account_id is None or patient_id is None:
            raise RepresentationProblem("NOT_FOUND", None, "No such representative link.")
        await representatives.end_representative(
            session,
            ended_by="operator",
            by_account_id=row.account_id,
            representative_account_id=account_id,
            patient_id=patient_id,
            source_address=source_address(request, settings_of(request)),
        )
    except RepresentationProblem:
        return error_page("No such link", "That account does not act for that patient.", status=404)
    return see_other(OPERATOR_PATH)

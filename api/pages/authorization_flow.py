"""Which authorization request a login, patient-choice or consent page is about.

Every page and form of the flow names its request by the id /oauth/authorize gave it
(`?request=` on pages, a hidden `request` field in forms). The request must belong to
the browser's own session, be unanswered and unexpired; anything else is a 400 page
that tells the patient to start again from the app.
"""

import re
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from api.context import settings_of
from api.pages.browser import login_redirect
from api.pages.rendering import error_page
from api.sessions import current_web_session
from db.accounts import WebSession, list_account_patients
from db.apps import App
from db.authorization_requests import (
    MAX_REQUEST_ID_LENGTH,
    AuthorizationRequest,
    find_authorization_request,
    request_params,
)
from db.columns import utcnow
from db.patients import Patient

REQUEST_FIELD = "request"
CONSENT_PATH = "/oauth/consent"
SELECT_PATH = "/oauth/select-patient"
START_AGAIN = "Start again from the app."
NO_REQUEST = "There is no authorization request waiting. " + START_AGAIN
UNKNOWN_REQUEST = (
    "This page does not belong to an authorization request started in this browser. " + START_AGAIN
)
ANSWERED_REQUEST = "This authorization request was already answered. " + START_AGAIN
EXPIRED_REQUEST = "This authorization request expired before it was answered. " + START_AGAIN
_REQUEST_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_REQUEST_ID_LENGTH}}}")


def flow_path(path: str, raw_id: str) -> str:
    """A page of the flow for one request (`path?request=...`)."""
    if not _REQUEST_ID.fullmatch(raw_id):
        return path
    return f"{path}?{urlencode({REQUEST_FIELD: raw_id})}"


class Flow:
    """One pending request of the logged-in session: its app, parameters and patient."""

    def __init__(
        self, row: WebSession, raw_id: str, pending: AuthorizationRequest, app: App
    ) -> None:
        self.row = row
        self.raw_id = raw_id
        self.pending = pending
        self.params = request_params(pending)
        self.app = app
        self.patients: list[tuple[Patient, str]] = []
        self.patient: Patient | None = None

    @property
    def requested_scopes(self) -> list[str]:
        return self.pending.scopes.split()


async def load_flow(
    request: Request, session: AsyncSession, path: str, raw_id: str
) -> Flow | Response:
    """The flow a page or form names, or the answer to give instead (login, or a 400 page)."""
    row = await current_web_session(request, session, settings_of(request))
    if row is None or row.account_id is None:
        return login_redirect(flow_path(path, raw_id))
    if not raw_id:
        return error_page("Nothing to authorize", NO_REQUEST)
    well_formed = _REQUEST_ID.fullmatch(raw_id) is not None
    pending = await find_authorization_request(session, raw_id=raw_id) if well_formed else None
    if pending is None or pending.web_session_id != row.id:
        return error_page("Unknown authorization request", UNKNOWN_REQUEST)
    if pending.answered_at is not None:
        return error_page("Already answered", ANSWERED_REQUEST)
    if pending.expires_at <= utcnow():
        return error_page("This authorization request expired", EXPIRED_REQUEST)
    app = await session.get(App, pending.app_id)
    if app is None:
        return error_page("Nothing to authorize", NO_REQUEST)
    flow = Flow(row, raw_id, pending, app)
    flow.patients = await list_account_patients(session, account_id=row.account_id)
    if not flow.patients:
        return error_page("No record to share", "This account has no patient record.", status=403)
    if len(flow.patients) == 1:
        flow.patient = flow.patients[0][0]
    else:
        flow.patient = next((p for p, _ in flow.patients if p.id == pending.patient_id), None)
    return flow

"""Patient selection and the consent screen: /oauth/select-patient and /oauth/consent."""

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from api.context import database, settings_of
from api.oauth.authorization import (
    answer,
    choose_patient,
    chosen_patient,
    clear_pending,
    decide_authorization,
    load_pending,
    stored_request,
)
from api.oauth.bridge import in_thread
from api.oauth.models import Consent
from api.oauth.views import CONSENT_PATH, build_server
from api.pages.browser import login_redirect, see_other
from api.pages.login import CSRF_FAILED
from api.pages.rendering import error_page, render
from api.security import csrf_matches, source_address
from api.sessions import current_web_session
from db.accounts import Relationship, WebSession, list_account_patients
from db.activity import EventKind, record_event
from db.apps import App, find_app_by_client_id
from db.patients import Patient
from sharing.consent import (
    DURATION_LABEL,
    AccessDuration,
    ConsentProblem,
    authorize_app,
)
from sharing.scopes import (
    BY_KEY,
    CATEGORIES,
    SPECIAL_EXPLANATIONS,
    CategoryKey,
    SpecialScope,
    granted_categories,
    is_special,
)

SELECT_PATH = "/oauth/select-patient"
NOT_PROVIDED = "Not provided by app developer"
RELATIONSHIP_LABELS = {
    Relationship.SELF: "you",
    Relationship.CHILD: "your child",
    Relationship.REPRESENTATIVE: "you represent them",
}
NO_REQUEST = "There is no authorization request waiting. Start again from the app."


class _Flow:
    """The logged-in session's pending request, its app and the chosen patient."""

    def __init__(self, row: WebSession, pending: dict[str, str], app: App) -> None:
        self.row = row
        self.pending = pending
        self.app = app
        self.patients: list[tuple[Patient, str]] = []
        self.patient: Patient | None = None


async def _flow(request: Request, session: AsyncSession, path: str) -> _Flow | Response:
    settings = settings_of(request)
    row = await current_web_session(request, session, settings)
    if row is None or row.account_id is None:
        return login_redirect(path)
    pending = load_pending(row)
    app = (
        await find_app_by_client_id(session, client_id=pending.get("client_id", ""))
        if (pending)
        else None
    )
    if pending is None or app is None:
        return error_page("Nothing to authorize", NO_REQUEST)
    flow = _Flow(row, pending, app)
    flow.patients = await list_account_patients(session, account_id=row.account_id)
    if not flow.patients:
        return error_page("No record to share", "This account has no patient record.", status=403)
    chosen = chosen_patient(row)
    if len(flow.patients) == 1:
        flow.patient = flow.patients[0][0]
    else:
        flow.patient = next((p for p, _ in flow.patients if p.id == chosen), None)
    return flow


def _consent_page(
    flow: _Flow,
    *,
    error: str | None = None,
    error_field: str | None = None,
    status: int = 200,
    submitted: FormData | None = None,
) -> Response:
    """The consent form; an error about `categories` or `duration` is tied to those fields.

    After an error the form shows what the patient chose, not the defaults again.
    """
    requested = flow.pending.get("scope", "").split()
    categories = [c for c in CATEGORIES if c.key in granted_categories(requested)]
    durations = [d.value for d in AccessDuration]
    if submitted is None:
        selected = {c.key.value for c in categories}
        offline_checked = True
        chosen_duration = AccessDuration.NINETY_DAYS.value
    else:
        selected = {str(v) for v in submitted.getlist("category")}
        offline_checked = submitted.get("offline_access") == "yes"
        picked = str(submitted.get("duration") or "")
        chosen_duration = picked if picked in durations else ""
    specials = [
        SPECIAL_EXPLANATIONS[SpecialScope(s)]
        for s in requested
        if is_special(s) and s != SpecialScope.OFFLINE_ACCESS
    ]
    assert flow.patient is not None
    return render(
        "consent.html",
        {
            "app": flow.app,
            "patient_name": f"{flow.patient.given_name} {flow.patient.family_name}",
            "categories": categories,
            "specials": specials,
            "offline": SpecialScope.OFFLINE_ACCESS in requested,
            "durations": [(d.value, DURATION_LABEL[d]) for d in AccessDuration],
            "chosen_duration": chosen_duration,
            "selected": selected,
            "offline_checked": offline_checked,
            "csrf_token": flow.row.csrf_token,
            "not_provided": NOT_PROVIDED,
            "error": error,
            "error_field": error_field,
        },
        status=status,
    )


async def select_patient_page(request: Request) -> Response:
    """GET: whose record the app will see (ONC (g)(7) patient selection)."""
    async with database(request) as session:
        flow = await _flow(request, session, SELECT_PATH)
        if not isinstance(flow, _Flow):
            return flow
        return _select_page(flow)


def _select_page(flow: _Flow, error: str | None = None, status: int = 200) -> Response:
    return render(
        "select_patient.html",
        {
            "app": flow.app,
            "patients": flow.patients,
            "relationship_labels": RELATIONSHIP_LABELS,
            "csrf_token": flow.row.csrf_token,
            "error": error,
        },
        status=status,
    )


async def select_patient(request: Request) -> Response:
    """POST: remember the chosen patient for this authorization, then show the consent screen."""
    form = await request.form()
    settings = settings_of(request)
    async with database(request) as session:
        flow = await _flow(request, session, SELECT_PATH)
        if not isinstance(flow, _Flow):
            return flow
        if not csrf_matches(flow.row.csrf_token, form.get("csrf_token")):
            return error_page("Please try again", CSRF_FAILED, status=403)
        raw = str(form.get("patient_id") or "")
        patient = next((p for p, _ in flow.patients if str(p.id) == raw), None)
        if patient is None or patient.id is None:
            return _select_page(flow, "Choose one of the records listed.", status=400)
        choose_patient(flow.row, patient.id)
        await record_event(
            session,
            kind=EventKind.PATIENT_SELECTED,
            account_id=flow.row.account_id,
            patient_id=patient.id,
            app_id=flow.app.id,
            source_address=source_address(request, settings),
        )
        return see_other(CONSENT_PATH)


async def consent_page(request: Request) -> Response:
    """GET: the app's details and a checkbox per requested category."""
    async with database(request) as session:
        flow = await _flow(request, session, CONSENT_PATH)
        if not isinstance(flow, _Flow):
            return flow
        if flow.patient is None:
            return see_other(SELECT_PATH)
        return _consent_page(flow)


def _approved(form: FormData) -> frozenset[CategoryKey] | None:
    keys: set[CategoryKey] = set()
    for raw in form.getlist("category"):
        try:
            keys.add(CategoryKey(str(raw)))
        except ValueError:
            return None
    return frozenset(k for k in keys if k in BY_KEY)


async def consent(request: Request) -> Response:
    """POST: Allow records consent and redirects with a code; Deny redirects with access_denied."""
    form = await request.form()
    settings = settings_of(request)
    address = source_address(request, settings)
    async with database(request) as session:
        flow = await _flow(request, session, CONSENT_PATH)
        if not isinstance(flow, _Flow):
            return flow
        if not csrf_matches(flow.row.csrf_token, form.get("csrf_token")):
            return error_page("Please try again", CSRF_FAILED, status=403)
        if flow.patient is None or flow.patient.id is None or flow.row.account_id is None:
            return see_other(SELECT_PATH)
        account_id, patient_id = flow.row.account_id, flow.patient.id
        server = build_server(request, session)
        oauth = stored_request(request, flow.pending)
        decision = form.get("decision")
        if decision == "deny":
            result = await in_thread(decide_authorization, server, oauth, None)
            await record_event(
                session,
                kind=EventKind.DENIAL,
                account_id=account_id,
                patient_id=patient_id,
                app_id=flow.app.id,
                source_address=address,
                details={"requested_scopes": flow.pending.get("scope", "").split()},
            )
        elif decision == "allow":
            approved = _approved(form)
            try:
                duration = AccessDuration(str(form.get("duration") or ""))
            except ValueError:
                return _consent_page(
                    flow,
                    error="Choose how long access lasts.",
                    error_field="duration",
                    status=400,
                    submitted=form,
                )
            if approved is None:
                return _consent_page(
                    flow,
                    error="Unknown category.",
                    error_field="categories",
                    status=400,
                    submitted=form,
                )
            context = server.context
            requested = flow.pending.get("scope", "").split()

            def record_consent() -> Consent:
                grant = context.call(
                    authorize_app,
                    session,
                    account_id=account_id,
                    patient_id=patient_id,
                    app=flow.app,
                    requested_scopes=requested,
                    approved_categories=approved,
                    allow_offline=form.get("offline_access") == "yes",
                    duration=duration,
                    source_address=address,
                )
                return Consent(account_id=account_id, patient_id=patient_id, grant=grant)

            try:
                result = await in_thread(decide_authorization, server, oauth, record_consent)
            except ConsentProblem as problem:
                return _consent_page(
                    flow,
                    error=problem.message,
                    error_field=problem.field,
                    status=400,
                    submitted=form,
                )
        else:
            return _consent_page(flow, error="Choose Allow or Deny.", status=400, submitted=form)
        clear_pending(flow.row)
        return answer(result, issuer=settings.base_url, after_post=True)

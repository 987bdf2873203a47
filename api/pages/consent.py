"""Patient selection and the consent screen: /oauth/select-patient and /oauth/consent.

Each page and form names the authorization request it answers (see
`api.pages.authorization_flow`); Allow and Deny claim that request atomically, so it
is answered once, and the code goes to its own client and redirect URI only.
"""

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from api.context import database, settings_of
from api.oauth.authorization import answer, decide_authorization, stored_request
from api.oauth.bridge import in_thread
from api.oauth.models import Consent
from api.oauth.views import build_server
from api.pages.authorization_flow import (
    ANSWERED_REQUEST,
    CONSENT_PATH,
    REQUEST_FIELD,
    SELECT_PATH,
    Flow,
    flow_path,
    load_flow,
)
from api.pages.browser import see_other
from api.pages.login import CSRF_FAILED
from api.pages.rendering import error_page, render
from api.security import csrf_matches, source_address
from db.accounts import Relationship
from db.activity import Actor, EventKind, record_event
from db.authorization_requests import (
    choose_request_patient,
    claim_authorization_request,
    release_authorization_request,
)
from db.columns import utcnow
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

NOT_PROVIDED = "Not provided by app developer"
RELATIONSHIP_LABELS = {
    Relationship.SELF: "you",
    Relationship.CHILD: "your child",
    Relationship.REPRESENTATIVE: "you represent them",
}


def _page_request_id(request: Request) -> str:
    return str(request.query_params.get(REQUEST_FIELD) or "")


def _form_request_id(form: FormData) -> str:
    return str(form.get(REQUEST_FIELD) or "")


def _consent_page(
    flow: Flow,
    *,
    error: str | None = None,
    error_field: str | None = None,
    status: int = 200,
    submitted: FormData | None = None,
) -> Response:
    """The consent form; an error about `categories` or `duration` is tied to those fields.

    After an error the form shows what the patient chose, not the defaults again.
    """
    requested = flow.requested_scopes
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
            "request_id": flow.raw_id,
            "not_provided": NOT_PROVIDED,
            "error": error,
            "error_field": error_field,
        },
        status=status,
    )


async def select_patient_page(request: Request) -> Response:
    """GET: whose record the app will see (ONC (g)(7) patient selection)."""
    async with database(request) as session:
        flow = await load_flow(request, session, SELECT_PATH, _page_request_id(request))
        if not isinstance(flow, Flow):
            return flow
        return _select_page(flow)


def _select_page(flow: Flow, error: str | None = None, status: int = 200) -> Response:
    return render(
        "select_patient.html",
        {
            "app": flow.app,
            "patients": flow.patients,
            "relationship_labels": RELATIONSHIP_LABELS,
            "csrf_token": flow.row.csrf_token,
            "request_id": flow.raw_id,
            "error": error,
        },
        status=status,
    )


async def _posted_flow(
    request: Request, session: AsyncSession, path: str, form: FormData
) -> Flow | Response:
    """The request a consent screen's form answers, once the form's CSRF token matches."""
    flow = await load_flow(request, session, path, _form_request_id(form))
    if isinstance(flow, Flow) and not csrf_matches(flow.row.csrf_token, form.get("csrf_token")):
        return error_page("Please try again", CSRF_FAILED, status=403)
    return flow


async def select_patient(request: Request) -> Response:
    """POST: remember the chosen patient for this one request, then show its consent screen."""
    form = await request.form()
    settings = settings_of(request)
    async with database(request) as session:
        flow = await _posted_flow(request, session, SELECT_PATH, form)
        if not isinstance(flow, Flow):
            return flow
        raw = str(form.get("patient_id") or "")
        patient = next((p for p, _ in flow.patients if str(p.id) == raw), None)
        if patient is None or patient.id is None:
            return _select_page(flow, "Choose one of the records listed.", status=400)
        await choose_request_patient(session, request=flow.pending, patient_id=patient.id)
        await record_event(
            session,
            kind=EventKind.PATIENT_SELECTED,
            actor=Actor(flow.row.account_id, source_address(request, settings)),
            patient_id=patient.id,
            app_id=flow.app.id,
        )
        return see_other(flow_path(CONSENT_PATH, flow.raw_id))


async def consent_page(request: Request) -> Response:
    """GET: the app's details and a checkbox per requested category."""
    async with database(request) as session:
        flow = await load_flow(request, session, CONSENT_PATH, _page_request_id(request))
        if not isinstance(flow, Flow):
            return flow
        if flow.patient is None:
            return see_other(flow_path(SELECT_PATH, flow.raw_id))
        return _consent_page(flow)


def _approved(form: FormData) -> frozenset[CategoryKey] | None:
    keys: set[CategoryKey] = set()
    for raw in form.getlist("category"):
        try:
            keys.add(CategoryKey(str(raw)))
        except ValueError:
            return None
    return frozenset(k for k in keys if k in BY_KEY)


async def _claim(session: AsyncSession, flow: Flow) -> bool:
    """Answer the request once: of two submissions (a replay, two tabs) exactly one wins."""
    assert flow.pending.id is not None
    return await claim_authorization_request(session, request_id=flow.pending.id, now=utcnow())


async def consent(request: Request) -> Response:
    """POST: Allow records consent and redirects with a code; Deny redirects with access_denied."""
    form = await request.form()
    settings = settings_of(request)
    address = source_address(request, settings)
    async with database(request) as session:
        flow = await _posted_flow(request, session, CONSENT_PATH, form)
        if not isinstance(flow, Flow):
            return flow
        if flow.patient is None or flow.patient.id is None or flow.row.account_id is None:
            return see_other(flow_path(SELECT_PATH, flow.raw_id))
        account_id, patient_id = flow.row.account_id, flow.patient.id
        server = build_server(request, session)
        oauth = stored_request(request, flow.params)
        decision = form.get("decision")
        if decision == "deny":
            if not await _claim(session, flow):
                return error_page("Already answered", ANSWERED_REQUEST)
            result = await in_thread(decide_authorization, server, oauth, None)
            await record_event(
                session,
                kind=EventKind.DENIAL,
                actor=Actor(account_id, address),
                patient_id=patient_id,
                app_id=flow.app.id,
                details={"requested_scopes": flow.requested_scopes},
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
            if not await _claim(session, flow):
                return error_page("Already answered", ANSWERED_REQUEST)
            context = server.context
            requested = flow.requested_scopes

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
                # Nothing was recorded: the same request may be answered again, corrected.
                assert flow.pending.id is not None
                await release_authorization_request(session, request_id=flow.pending.id)
                return _consent_page(
                    flow,
                    error=problem.message,
                    error_field=problem.field,
                    status=400,
                    submitted=form,
                )
        else:
            return _consent_page(flow, error="Choose Allow or Deny.", status=400, submitted=form)
        return answer(result, issuer=settings.base_url, after_post=True)

"""The /fhir routes: metadata, SMART discovery, read, search, $everything, and FHIR-shaped errors.

Every request of an app is one DATA_READ event in the activity log, with the categories
and counts it returned and the categories it was refused (outcome success, denied,
rejected or not_found). The request reads in a reading unit of work; the event and the
grant's last use are committed by the bookkeeper before the response is sent.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.app_request_log import mark_logged
from api.bearer import app_caller
from api.fhir.interactions import Interaction, NotFoundHere, everything, read, search
from api.fhir.responses import FHIR_JSON, insufficient_scope, outcome, resource_response
from api.oauth import discovery
from api.security import source_address
from api.settings import Settings
from db.activity import append_events
from db.bookkeeping import Bookkeeper, Write
from db.columns import utcnow
from db.engine import reading_unit
from db.grants import grant_use_due, mark_grant_used
from sharing.fhir.access import OtherPatient, ScopeRefused
from sharing.fhir.capability import capability_statement
from sharing.fhir.search_parameters import PARAMETERS
from sharing.fhir.search_values import SearchError

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
FORM = "application/x-www-form-urlencoded"
Work = Callable[[Interaction], Awaitable[dict[str, Any]]]


def _not_allowed(allowed: str) -> Response:
    return outcome(405, "not-supported", f"Use {allowed} here.", {"Allow": allowed})


def _unknown_type(resource_type: str) -> Response:
    supported = ", ".join(PARAMETERS)
    return outcome(404, "not-supported", f"{resource_type!r} is not served here; try {supported}.")


async def _as_app(request: Request, interaction: str, resource_type: str, work: Work) -> Response:
    """Authenticate the app, run the interaction, log it as one event, answer in FHIR."""
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization")
    if header is None:
        return outcome(401, "login", "Send an access token: Authorization: Bearer <token>.",
                       {"WWW-Authenticate": "Bearer"})  # fmt: skip
    now = utcnow()
    async with reading_unit(request.app.state.session_factory) as session:
        caller = await app_caller(session, header)
        if caller is None:
            return outcome(401, "login", "The access token is missing, expired or revoked.",
                           {"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
        ix = Interaction(
            session=session,
            caller=caller,
            issuer=settings.base_url,
            max_count=settings.max_page_size,
        )
        result: str
        try:
            response: Response = resource_response(await work(ix))
            result = "success"
        except SearchError as error:
            response, result = outcome(400, "invalid", str(error)), "rejected"
        except ScopeRefused as refused:
            ix.tally.denied.update(refused.categories)
            response, result = insufficient_scope(refused.scopes), "denied"
        except OtherPatient as error:
            response, result = outcome(403, "forbidden", str(error)), "denied"
        except NotFoundHere:
            response = outcome(404, "not-found", f"No {resource_type} with that id here.")
            result = "not_found"
    details = {
        "api": "fhir",
        "interaction": interaction,
        "resourceType": resource_type,
        "categories": ix.tally.counts(),
        "denied": sorted(key.value for key in ix.tally.denied),
    }
    # The read held no write lock; its bookkeeping commits before the response leaves.
    bookkeeper: Bookkeeper = request.app.state.bookkeeper
    address = source_address(request, settings)
    writes: list[Write] = []
    if grant_use_due(caller.last_used_at, now):
        writes.append(lambda s: mark_grant_used(s, grant_id=caller.grant_id, at=now))
    # The event is built in its write, so it is stamped when it is appended.
    await bookkeeper.write(
        [*writes, lambda s: append_events(s, [caller.read_event(result, address, details)])]
    )
    mark_logged(request)  # the event above is committed; the middleware adds nothing
    return response


async def metadata(request: Request) -> Response:
    """`GET /fhir/metadata`: the CapabilityStatement (public, like the discovery documents)."""
    if request.method != "GET":
        return _not_allowed("GET")
    issuer = request.app.state.settings.base_url
    document = capability_statement(issuer, published=request.app.state.started_at)
    return resource_response(document, headers=discovery.PUBLIC_CACHE)


def _searched_type(request: Request, method: str) -> str | Response:
    """The resource type a search names, or the answer to an unknown type or a wrong method."""
    resource_type: str = request.path_params["type"]
    if resource_type not in PARAMETERS:
        return _unknown_type(resource_type)
    if request.method != method:
        return _not_allowed(method)
    return resource_type


async def type_endpoint(request: Request) -> Response:
    """`GET /fhir/{type}?…`: search by the query string."""
    resource_type = _searched_type(request, "GET")
    if isinstance(resource_type, Response):
        return resource_type
    params = list(request.query_params.multi_items())
    return await _as_app(
        request, "search", resource_type, lambda ix: search(ix, resource_type, params)
    )


async def search_endpoint(request: Request) -> Response:
    """`POST /fhir/{type}/_search`: search by a form body (and the query string)."""
    resource_type = _searched_type(request, "POST")
    if isinstance(resource_type, Response):
        return resource_type
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = list(request.query_params.multi_items())
    if media_type == FORM:
        try:
            form = await request.form()
        except (ValueError, KeyError, UnicodeDecodeError):
            return outcome(400, "invalid", "The form body could not be read.")
        params += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    elif request.headers.get("content-length", "0") not in ("", "0"):
        return outcome(415, "not-supported", f"Send the search parameters as {FORM}.")
    return await _as_app(
        request, "search", resource_type, lambda ix: search(ix, resource_type, params)
    )


async def instance_endpoint(request: Request) -> Response:
    """`GET /fhir/{type}/{id}`: read one resource."""
    resource_type, raw_id = request.path_params["type"], request.path_params["id"]
    if resource_type not in PARAMETERS:
        return _unknown_type(resource_type)
    if request.method != "GET":
        return _not_allowed("GET")
    format_ = request.query_params.get("_format")
    if format_ is not None and format_ not in ("json", FHIR_JSON, "application/json"):
        return outcome(400, "invalid", "Only JSON is supported (_format=json).")
    return await _as_app(request, "read", resource_type, lambda ix: read(ix, resource_type, raw_id))


async def everything_endpoint(request: Request) -> Response:
    """`GET /fhir/Patient/{id}/$everything`."""
    if request.method != "GET":
        return _not_allowed("GET")
    raw_id = request.path_params["id"]
    return await _as_app(request, "everything", "Patient", lambda ix: everything(ix, raw_id))


async def unknown_path(request: Request) -> Response:
    """Anything else under /fhir."""
    return outcome(404, "not-found", "Nothing is served at this path; see /fhir/metadata.")


def fhir_routes() -> list[BaseRoute]:
    """The /fhir routes, most specific first; every method reaches them for FHIR-shaped 405s."""
    return [
        Route("/fhir/metadata", metadata, methods=ALL_METHODS),
        Route("/fhir/.well-known/smart-configuration", discovery.smart_configuration),
        Route("/fhir/Patient/{id}/$everything", everything_endpoint, methods=ALL_METHODS),
        Route("/fhir/{type}/_search", search_endpoint, methods=ALL_METHODS),
        Route("/fhir/{type}/{id}", instance_endpoint, methods=ALL_METHODS),
        Route("/fhir/{type}", type_endpoint, methods=ALL_METHODS),
        Route("/fhir", unknown_path, methods=ALL_METHODS),
        Route("/fhir/{rest:path}", unknown_path, methods=ALL_METHODS),
    ]

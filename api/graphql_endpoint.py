"""POST /graphql: refuse what is not one JSON operation, authenticate, run it in one unit of work.

The unit of work commits (with the app's DATA_READ event) before the response is sent.
"""

import json
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.app_request_log import mark_logged
from api.bearer import app_caller as _app_caller
from api.context import hasher_of
from api.graphql_media import GRAPHQL_RESPONSE, graphql_response, negotiate, with_media_type
from api.security import csrf_matches, source_address
from api.sessions import current_web_session
from api.settings import Settings
from db.accounts import Account, list_account_patients
from db.engine import unit_of_work
from schema.compiled.runner import run_compiled
from schema.context import (
    AccountCaller,
    AppCaller,
    Caller,
    GraphQLContext,
    SerialSession,
)
from schema.errors import (
    BAD_USER_INPUT,
    FORBIDDEN,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    QUERY_TOO_COMPLEX,
    UNAUTHENTICATED,
    UNSUPPORTED_MEDIA_TYPE,
)
from schema.execution import run_operation
from schema.loaders import Loaders


def _problem(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def _invalid_token() -> Response:
    return _problem(
        401,
        UNAUTHENTICATED,
        "The access token is missing, expired or revoked.",
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def _read_body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _account_caller(
    request: Request, session: AsyncSession, settings: Settings
) -> AccountCaller | Response:
    web = await current_web_session(request, session, settings)
    if web is None or web.account_id is None or web.id is None:
        return _problem(401, UNAUTHENTICATED, "Sign in or send a Bearer token.",
                        {"WWW-Authenticate": "Bearer"})  # fmt: skip
    if not csrf_matches(web.csrf_token, request.headers.get("x-csrf-token")):
        return _problem(403, FORBIDDEN, "The X-CSRF-Token header is missing or wrong.")
    account = await session.get(Account, web.account_id)
    if account is None:
        return _problem(401, UNAUTHENTICATED, "Sign in again.", {"WWW-Authenticate": "Bearer"})
    patient_ids = [
        p.id for p, _ in await list_account_patients(session, account_id=web.account_id) if p.id
    ]
    acting = web.patient_id if web.patient_id in patient_ids else None
    return AccountCaller(
        account_id=web.account_id,
        account_name=account.display_name,
        role=account.role,
        patient_id=acting if acting is not None else (patient_ids[0] if patient_ids else None),
        patient_ids=tuple(patient_ids),
        web_session_id=web.id,
    )


def _operation(payload: Any) -> tuple[str, dict[str, Any] | None, str | None] | Response:
    if isinstance(payload, list):
        return _problem(400, BAD_USER_INPUT, "Batching is not supported: send one operation.")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return _problem(400, BAD_USER_INPUT, "The body needs a `query` string.")
    variables = payload.get("variables")
    operation_name = payload.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        return _problem(400, BAD_USER_INPUT, "`variables` must be an object.")
    if operation_name is not None and not isinstance(operation_name, str):
        return _problem(400, BAD_USER_INPUT, "`operationName` must be a string.")
    return payload["query"], variables, operation_name


async def graphql_endpoint(request: Request) -> Response:
    """The GraphQL API: JSON POST only, one operation, Bearer token or session with CSRF header."""
    answer_as = negotiate(request.headers.get("accept"))
    if answer_as is None:
        return _problem(
            406,
            NOT_ACCEPTABLE,
            f"Accept {GRAPHQL_RESPONSE} or application/json.",
        )
    request.state.graphql_media = answer_as
    return with_media_type(await _answer(request), answer_as)


async def _answer(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if request.method != "POST":
        return _problem(405, METHOD_NOT_ALLOWED, "Send queries with POST and a JSON body.",
                        {"Allow": "POST"})  # fmt: skip
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return _problem(415, UNSUPPORTED_MEDIA_TYPE, "The body must be application/json.")
    raw = await _read_body(request, settings.max_body_bytes)
    if raw is None:
        return _problem(
            413, QUERY_TOO_COMPLEX, f"The body exceeds {settings.max_body_bytes} bytes."
        )
    try:
        parsed = _operation(json.loads(raw))
    except (ValueError, UnicodeDecodeError):
        return _problem(400, BAD_USER_INPUT, "The body is not valid JSON.")
    if isinstance(parsed, Response):
        return parsed
    query, variables, operation_name = parsed
    async with unit_of_work(request.app.state.session_factory) as session:
        caller: Caller | Response
        header = request.headers.get("authorization")
        if header is not None:
            caller = await _app_caller(session, header) or _invalid_token()
        else:
            caller = await _account_caller(request, session, settings)
        if isinstance(caller, Response):
            return caller
        db = SerialSession(session)
        context = GraphQLContext(
            caller=caller,
            db=db,
            source_address=source_address(request, settings),
            limits=settings.limits,
            loaders=Loaders(db, caller.patient_id),
            base_url=settings.base_url,
            hasher=hasher_of(request),
        )
        compiled = None
        if settings.compiled_reads:
            compiled = await run_compiled(
                context, query=query, variables=variables, operation_name=operation_name
            )
        if compiled is None:
            body = await run_operation(
                context, query=query, variables=variables, operation_name=operation_name
            )
    if isinstance(caller, AppCaller):
        mark_logged(request)  # the read's event is committed; nothing more to log
    if compiled is not None:
        # The compiled path answers only operations it executed: always data, always 200.
        return Response(compiled, media_type=request.state.graphql_media)
    return graphql_response(body, request.state.graphql_media)

"""POST /graphql: refuse what is not one JSON operation, authenticate, run it.

Every malformed body, name or document is a 400 with a GraphQL-shaped error. The
bookkeeping (with the app's DATA_READ event) commits before the response is sent.
"""

import re
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.app_request_log import mark_logged
from api.bearer import app_caller as _app_caller
from api.bearer import folded_check
from api.context import hasher_of
from api.graphql_media import GRAPHQL_RESPONSE, negotiate, with_media_type
from api.json_body import MalformedJson, parse_json_body
from api.security import csrf_matches, source_address
from api.sessions import current_web_session
from api.settings import Settings
from db.accounts import Account, list_account_patients
from db.bookkeeping import Bookkeeper
from db.columns import utcnow
from db.engine import one_read, reading_unit, unit_of_work
from db.grants import grant_use_due, mark_grant_used
from db.serial import SerialConnection
from db.web_sessions import touch_session
from schema.compiled.runner import AccessChangedError, run_compiled
from schema.context import (
    AccountCaller,
    AppCaller,
    Bookkeeping,
    Caller,
    GraphQLContext,
    SerialSession,
)
from schema.document import Operation, prepare_operation
from schema.errors import (
    BAD_USER_INPUT,
    FORBIDDEN,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    QUERY_TOO_COMPLEX,
    UNAUTHENTICATED,
    UNSUPPORTED_MEDIA_TYPE,
)
from schema.execution import MAX_OPERATION_NAME, run_operation
from schema.loaders import Loaders

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


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
    if (
        declared is not None
        and declared.isdecimal()
        and (len(declared) > len(str(limit)) or int(declared) > limit)
    ):
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
    web = await current_web_session(request, session, settings, touch=False)
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
    if operation_name == "":
        operation_name = None  # some clients send an empty name for "the only operation"
    if operation_name is not None and (
        not isinstance(operation_name, str)
        or len(operation_name) > MAX_OPERATION_NAME
        or not _NAME.fullmatch(operation_name)
    ):
        return _problem(
            400,
            BAD_USER_INPUT,
            f"`operationName` must be a GraphQL name of at most {MAX_OPERATION_NAME} characters.",
        )
    return payload["query"], variables, operation_name


async def _caller(
    request: Request, session: AsyncSession, settings: Settings, bookkeeping: list[Bookkeeping]
) -> Caller | Response:
    """Who is calling; what their request must note afterwards goes into `bookkeeping`."""
    now = utcnow()
    header = request.headers.get("authorization")
    if header is not None:
        app = await _app_caller(session, header)
        if app is None:
            return _invalid_token()
        if grant_use_due(app.last_used_at, now):
            bookkeeping.append(lambda s: mark_grant_used(s, grant_id=app.grant_id, at=now))
        return app
    account = await _account_caller(request, session, settings)
    if isinstance(account, AccountCaller):
        web_session_id = account.web_session_id
        bookkeeping.append(lambda s: touch_session(s, session_id=web_session_id, at=now))
    return account


async def _run_bookkeeping(session: AsyncSession, bookkeeping: list[Bookkeeping]) -> None:
    for work in bookkeeping:
        await work(session)


async def graphql_endpoint(request: Request) -> Response:
    """The GraphQL API: JSON POST only, one operation, Bearer token or session with CSRF header.

    A query reads in a reading unit of work and writes its bookkeeping (the app's
    last use, the session's last activity, activity events) in a short writing unit
    after it; a mutation runs in one writing unit. The answer's media type is negotiated.
    """
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
        parsed = _operation(parse_json_body(raw))
    except MalformedJson as error:
        return _problem(400, BAD_USER_INPUT, str(error))
    if isinstance(parsed, Response):
        return parsed
    query, variables, operation_name = parsed
    limits = settings.limits
    operation = prepare_operation(query, operation_name, max_tokens=limits.max_tokens)
    writes = isinstance(operation, Operation) and operation.is_mutation
    compiled_reads = settings.compiled_reads and isinstance(operation, Operation) and not writes
    if compiled_reads:
        folded = await _answer_folded(request, query, variables, operation_name)
        if isinstance(folded, Response):
            return folded
        compiled_reads = folded  # False: the compiled path already declined this operation
    factory = request.app.state.session_factory
    bookkeeping: list[Bookkeeping] = []
    async with (unit_of_work if writes else reading_unit)(factory) as session:
        caller = await _caller(request, session, settings, bookkeeping)
        if isinstance(caller, Response):
            return caller
        context = _context(request, SerialSession(session), caller, bookkeeping)
        compiled = None
        if compiled_reads:
            compiled = await run_compiled(
                context, query=query, variables=variables, operation_name=operation_name
            )
        if compiled is None:
            outcome = await run_operation(context, operation, variables=variables)
        if writes:
            await _run_bookkeeping(session, bookkeeping)
    if not writes:
        bookkeeper: Bookkeeper = request.app.state.bookkeeper
        await bookkeeper.write(bookkeeping)
    if isinstance(caller, AppCaller):
        mark_logged(request)  # its DATA_READ event is committed; the middleware adds none
    if compiled is not None:
        return _compiled_response(request, compiled)
    return Response(
        outcome.body, status_code=outcome.status, media_type=request.state.graphql_media
    )


def _context(
    request: Request, db: SerialSession, caller: Caller, bookkeeping: list[Bookkeeping]
) -> GraphQLContext:
    settings: Settings = request.app.state.settings
    return GraphQLContext(
        caller=caller,
        db=db,
        source_address=source_address(request, settings),
        limits=settings.limits,
        loaders=Loaders(db, caller.patient_id),
        base_url=settings.base_url,
        hasher=hasher_of(request),
        bookkeeping=bookkeeping,
    )


def _compiled_response(request: Request, body: bytes) -> Response:
    # The compiled path answers only operations it executed: always data, always 200.
    return Response(body, media_type=request.state.graphql_media)


async def _answer_folded(
    request: Request, query: str, variables: dict[str, Any] | None, operation_name: str | None
) -> Response | bool:
    """An app's query on the compiled path with the token checked in the data statement.

    Only for a token an earlier request checked (`api.bearer.folded_check`): the response,
    or whether the usual path should still try the compiled path (False when it declined
    this operation for these categories; True when there was nothing to fold or the
    check proved something else than was assumed).
    """
    header = request.headers.get("authorization")
    now = utcnow()
    check = None if header is None else folded_check(header, now)
    if check is None:
        return True
    bookkeeping: list[Bookkeeping] = []
    async with one_read(request.app.state.engine) as connection:
        context = _context(request, SerialConnection(connection), check.assumed, bookkeeping)
        try:
            body = await run_compiled(
                context, query=query, variables=variables, operation_name=operation_name,
                check=check,
            )  # fmt: skip
        except AccessChangedError:
            return True  # revoked, expired or narrowed since: the usual path says what now
    if body is None:
        return False
    caller = context.caller
    assert isinstance(caller, AppCaller)  # the folded check proves an app
    if grant_use_due(caller.last_used_at, now):
        grant_id = caller.grant_id
        bookkeeping.insert(0, lambda s: mark_grant_used(s, grant_id=grant_id, at=now))
    bookkeeper: Bookkeeper = request.app.state.bookkeeper
    await bookkeeper.write(bookkeeping)
    mark_logged(request)  # its DATA_READ event is committed; the middleware adds none
    return _compiled_response(request, body)

"""Run an app's query on the compiled path, or say that Strawberry must run it.

`run_compiled` returns the response body as bytes (the database's JSON spliced in
without decoding it) or None when the operation needs the Strawberry executor.
"""

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError, parse
from graphql.execution.values import get_argument_values, get_variable_values
from sqlalchemy import (
    ARRAY,
    Date,
    Executable,
    Integer,
    String,
    bindparam,
    column,
    select,
    text,
    true,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine

from db.access import LIVE_ACCESS
from db.columns import UTCDateTime
from schema.compiled.cache import LRU
from schema.compiled.dialects import POSTGRES, SQLITE
from schema.compiled.plan import Connection, Plan
from schema.compiled.planner import build_plan, validation_errors
from schema.compiled.selections import Unsupported
from schema.compiled.statement import Shape, build_statement
from schema.compiled.tally import walk
from schema.context import AppCaller, GraphQLContext
from schema.document import screen_document
from schema.errors import BadUserInput
from schema.execution import record_read
from schema.graph import SCHEMA
from schema.types.relay import DEFAULT_PAGE_SIZE, decode_cursor

PLAN_CACHE_SIZE = 256
# How many operations ran on each path in this process (the benchmark reports it), and why
# operations went to Strawberry.
EXECUTORS: Counter[str] = Counter()
FALLBACKS: Counter[str] = Counter()


@dataclass(frozen=True)
class _Unsupported:
    reason: str


PLANS: LRU[Plan | _Unsupported] = LRU(PLAN_CACHE_SIZE)


@dataclass(frozen=True)
class FoldedCheck:
    """A token check to run in the data statement itself (one round trip instead of two).

    The plan is chosen for the caller an earlier check proved (`assumed`); the data
    statement checks the token again, now (`db.access.LIVE_ACCESS` with `parameters`), and
    `proven` turns its row (None: no row, the token is
    not live) into the caller it proves, or None if that is not `assumed`'s patient and
    categories. Then the data are thrown away unread and `AccessChangedError` is raised.
    """

    assumed: AppCaller
    parameters: dict[str, Any]
    proven: Callable[[Sequence[Any] | None], AppCaller | None]


class AccessChangedError(Exception):
    """The folded token check did not prove the caller the plan was chosen for."""


def _plan(context: GraphQLContext, query: str, operation: str | None, names: Any) -> Plan | str:
    caller = context.caller
    key = (query, operation, names, caller.categories, context.limits)
    found = PLANS.get(key)
    if found is None:
        found = _compile(context, query, operation)
        PLANS.put(key, found)
    return found if isinstance(found, Plan) else found.reason


def _compile(context: GraphQLContext, query: str, operation: str | None) -> Plan | _Unsupported:
    if screen_document(query, max_tokens=context.limits.max_tokens) is not None:
        return _Unsupported("refused document")
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return _Unsupported("syntax")
    schema = SCHEMA._schema
    if validation_errors(schema, document, context.limits):
        return _Unsupported("invalid")
    try:
        return build_plan(schema, document, operation, context.caller.categories)
    except Unsupported as reason:
        return _Unsupported(str(reason))


def _day_bound(plan: Connection, day: date) -> date | datetime:
    return datetime.combine(day, time.min, tzinfo=UTC) if plan.timestamp else day


def _arguments(
    plan: Connection, variables: Any, context: GraphQLContext, dialect: str
) -> tuple[Shape, dict[str, Any]] | None:
    """The site's shape and SQL parameters, or None when an argument needs Strawberry's error."""
    try:
        values = get_argument_values(plan.definition, plan.node, variables)
    except GraphQLError:
        return None
    if values.get("last") is not None or values.get("before") is not None:
        return None  # backward pages (and a mix of directions) take the Strawberry path
    first = values.get("first")
    first, after = DEFAULT_PAGE_SIZE if first is None else first, values.get("after")
    status, since, until = values.get("status"), values.get("since"), values.get("until")
    if not isinstance(first, int) or not 1 <= first <= context.limits.max_page_size:
        return None
    k = plan.site
    params: dict[str, Any] = {f"f{k}": first, f"l{k}": first + 1}
    if after is not None:
        try:
            value, row_id = decode_cursor(after)
        except BadUserInput:
            return None
        if not isinstance(value, date) or isinstance(value, datetime) != plan.timestamp:
            return None
        params[f"av{k}"], params[f"ai{k}"] = value, row_id
    if status is not None:
        statuses = sorted(set(status))
        params[f"st{k}"] = statuses if dialect == "postgresql" else json.dumps(statuses)
    if since is not None:
        params[f"sn{k}"] = _day_bound(plan, since)
    bounded = isinstance(until, date) and until < date.max
    if isinstance(until, date) and bounded:
        params[f"un{k}"] = _day_bound(plan, until + timedelta(days=1))
    shape = Shape(after is not None, status is not None, since is not None, bounded)
    return shape, params


def _statement(
    plan: Plan, dialect: str, shapes: list[Shape], params: dict[str, Any], folded: bool
) -> Executable:
    """The plan's statement for these filters (built once per plan and filter combination).

    `folded`: with the token check `LIVE_ACCESS` in front, its columns first.
    """
    key = (dialect, tuple(shapes), folded)
    found: Executable | None = plan.statements.get(key)
    if found is not None:
        return found
    sql = build_statement(POSTGRES if dialect == "postgresql" else SQLITE, plan, shapes)
    binds: list[BindParameter[Any]] = [bindparam("pid", type_=Integer())]
    for name in params:
        if name.startswith(("av", "sn", "un")):
            timestamp = isinstance(params[name], datetime)
            moment: TypeEngine[Any] = UTCDateTime() if timestamp else Date()
            binds.append(bindparam(name, type_=moment))
        elif name.startswith("st") and dialect == "postgresql":
            binds.append(bindparam(name, type_=ARRAY(String())))
    statement: Executable = text(sql).bindparams(*binds)
    if folded:
        access = LIVE_ACCESS.subquery("a")
        data = text(sql).bindparams(*binds).columns(column("data"), column("meta")).subquery("d")
        statement = select(access, data.c.data, data.c.meta).select_from(access).join(data, true())
    plan.statements[key] = statement
    return statement


def _dialect(context: GraphQLContext) -> str:
    return context.db.dialect_name


def _fallback(reason: str) -> None:
    EXECUTORS["strawberry"] += 1
    FALLBACKS[reason] += 1


async def run_compiled(
    context: GraphQLContext,
    *,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    check: FoldedCheck | None = None,
) -> bytes | None:
    """The response body (its DATA_READ event recorded), or None if Strawberry must run it.

    With `check`, the context's caller is `check.assumed` until the folded check proves
    the caller (which then replaces it); AccessChangedError if it does not.
    """
    caller = context.caller
    dialect = _dialect(context)
    if not isinstance(caller, AppCaller) or dialect not in ("postgresql", "sqlite"):
        return None
    plan = _plan(context, query, operation_name, tuple(sorted(variables or {})))
    if isinstance(plan, str):
        _fallback(plan)
        return None
    coerced = get_variable_values(
        SCHEMA._schema, plan.operation.variable_definitions or (), variables or {}
    )
    if isinstance(coerced, list):
        _fallback("variables")
        return None
    shapes: list[Shape] = []
    params: dict[str, Any] = {"pid": caller.patient_id}
    for connection in plan.connections:
        found = _arguments(connection, coerced, context, dialect)
        if found is None:
            _fallback("arguments")
            return None
        shapes.append(found[0])
        params.update(found[1])
    statement = _statement(plan, dialect, shapes, params, folded=check is not None)

    async def fetch(connection: AsyncConnection) -> tuple[str, str]:
        if check is None:
            row = (await connection.execute(statement, params)).one()
            return row[0], row[1]
        found = (await connection.execute(statement, params | check.parameters)).first()
        proven = check.proven(None if found is None else tuple(found))
        if found is None or proven is None:
            raise AccessChangedError
        context.caller = proven
        return found[-2], found[-1]

    data, meta = await context.db.run_statement(fetch)
    context.executed = True
    errors = walk(plan, json.loads(meta), context.tally)
    EXECUTORS["compiled"] += 1
    data_bytes = data.encode()
    if not errors:
        body = b'{"data":' + data_bytes + b"}"
    else:
        encoded = json.dumps(errors, ensure_ascii=False, separators=(",", ":")).encode()
        body = b'{"errors":' + encoded + b',"data":' + data_bytes + b"}"
    if len(body) > context.limits.max_response_bytes:
        # Strawberry answers it with the ceiling's QUERY_TOO_COMPLEX error.
        context.tally.discard()
        _fallback("response size")
        return None
    record_read(context, operation_name, "partial" if errors else "success")
    return body

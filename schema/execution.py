"""Run one GraphQL operation for a caller: limits, execution, error masking, the read event.

A request that does not run (a refused document, a limit, variables that do not fit)
answers without `data` and with HTTP 400; one that ran answers 200. A response holds
at most MAX_ERRORS errors; errors found before execution that say the same thing
(an unknown directive used 500 times) are one error with several locations.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.types import ExecutionResult

from db.activity import PendingEvent
from db.engine import is_statement_timeout
from db.errors import OutOfTime
from schema.context import AppCaller, GraphQLContext
from schema.document import Operation, Refusal
from schema.errors import (
    BAD_USER_INPUT,
    GRAPHQL_VALIDATION_FAILED,
    INTERNAL_SERVER_ERROR,
    OUT_OF_TIME,
    QUERY_TOO_COMPLEX,
    UNEXPECTED_MESSAGE,
    ExpectedError,
    strip_suggestions,
)
from schema.graph import SCHEMA

logger = logging.getLogger("chartshare.graphql")

MAX_OPERATION_NAME = 100
MAX_ERRORS = 50
# Locations kept on one error that stands for several identical ones.
MAX_LOCATIONS = 10


@dataclass(frozen=True)
class Outcome:
    """The HTTP status and JSON body of one GraphQL request."""

    status: int
    body: bytes


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]


def format_error(error: GraphQLError, *, executed: bool) -> dict[str, Any]:
    """The client's view of an error: expected ones as they are, anything else masked."""
    original = error.original_error
    extensions = dict(error.extensions or {})
    message = strip_suggestions(error.message)
    if original is not None and not isinstance(original, ExpectedError | GraphQLError):
        message, extensions = UNEXPECTED_MESSAGE, {"code": INTERNAL_SERVER_ERROR}
    elif "code" not in extensions:
        extensions["code"] = BAD_USER_INPUT if executed else GRAPHQL_VALIDATION_FAILED
    formatted: dict[str, Any] = {"message": message, "extensions": extensions}
    if error.locations:
        formatted["locations"] = _locations(error)
    if error.path is not None:
        formatted["path"] = list(error.path)
    return formatted


def _merge_repeats(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One error per distinct message and code, carrying the locations of its repeats."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for error in errors:
        key = (error["message"], str(error["extensions"].get("code")))
        kept = merged.get(key)
        if kept is None:
            merged[key] = error
            continue
        locations = kept.setdefault("locations", [])
        room = MAX_LOCATIONS - len(locations)
        locations.extend(error.get("locations", [])[: max(0, room)])
    return list(merged.values())


def cap_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most MAX_ERRORS errors; the last says how many more were left out, and of what kind."""
    if len(errors) <= MAX_ERRORS:
        return errors
    kept = errors[: MAX_ERRORS - 1]
    left_out = errors[MAX_ERRORS - 1 :]
    code = left_out[0]["extensions"].get("code")
    summary = f"{len(left_out)} more errors were left out of this response."
    return [*kept, {"message": summary, "extensions": {"code": code}}]


def _refused(refusal: Refusal) -> dict[str, Any]:
    return {"errors": [refusal.error()]}


def _out_of_time(result: ExecutionResult) -> bool:
    """Whether a read was refused for the time budget or stopped by the statement timeout."""
    for error in result.errors or ():
        original = error.original_error
        if isinstance(original, OutOfTime) or (
            original is not None and is_statement_timeout(original)
        ):
            return True
    return False


async def _execute(
    context: GraphQLContext, operation: Operation, variables: dict[str, Any] | None
) -> dict[str, Any]:
    context.db.start_clock(context.limits.max_seconds)
    try:
        result: ExecutionResult = await SCHEMA.execute(
            operation.query,
            variable_values=variables,
            context_value=context,
            operation_name=operation.name,
        )
    except StrawberryGraphQLError as error:
        # prepare_operation already picked the operation; this is a second line of defence.
        message = strip_suggestions(str(error)) or "The request has no operation to run."
        return _refused(Refusal(message, GRAPHQL_VALIDATION_FAILED))
    if context.db.out_of_time() or _out_of_time(result):
        return _refused(Refusal(OUT_OF_TIME, QUERY_TOO_COMPLEX))
    # Variables that do not fit their types stop execution before any field runs:
    # no data and no error with a path. That is a request error, like a refused document.
    ran = context.executed and not (
        result.data is None and result.errors and all(e.path is None for e in result.errors)
    )
    body: dict[str, Any] = {}
    if result.errors:
        errors = [format_error(e, executed=context.executed) for e in result.errors]
        body["errors"] = cap_errors(errors if ran else _merge_repeats(errors))
    if ran:
        body["data"] = result.data
    return body


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _outcome(context: GraphQLContext, body: dict[str, Any]) -> str:
    if "data" not in body:
        return "rejected"
    codes = {e["extensions"].get("code") for e in body.get("errors", [])}
    if INTERNAL_SERVER_ERROR in codes:
        return "error"
    return "partial" if codes else "success"


def _note_read(context: GraphQLContext, operation: Operation | Refusal, outcome: str) -> None:
    """Queue the app's DATA_READ event for the request's bookkeeping."""
    if isinstance(context.caller, AppCaller):
        record_read(context, operation.name if isinstance(operation, Operation) else None, outcome)


def record_read(context: GraphQLContext, operation_name: str | None, outcome: str) -> None:
    """Queue an app's DATA_READ event (what it read and was refused, per category)."""
    caller = context.caller
    assert isinstance(caller, AppCaller)
    details: dict[str, Any] = {
        "operation": (operation_name or "")[:MAX_OPERATION_NAME] or None,
        "categories": context.tally.counts(),
        "denied": sorted(key.value for key in context.tally.denied),
    }
    context.later(PendingEvent(caller.read_event(outcome, context.source_address, details)))


async def run_operation(
    context: GraphQLContext,
    operation: Operation | Refusal,
    *,
    variables: dict[str, Any] | None,
) -> Outcome:
    """Execute a prepared operation (or answer its refusal); an app's read event is queued."""
    if isinstance(operation, Refusal):
        body = _refused(operation)
    else:
        body = await _execute(context, operation, variables)
    encoded = _encode(body)
    limit = context.limits.max_response_bytes
    if "data" in body and len(encoded) > limit:
        body = _refused(
            Refusal(
                f"The response would be larger than {limit} bytes: ask for fewer items.",
                QUERY_TOO_COMPLEX,
            )
        )
        encoded = _encode(body)
    if "data" not in body:
        context.tally.discard()
        refusal = body["errors"][0]
        logger.info("refused: %s", refusal["extensions"]["code"])
    _note_read(context, operation, _outcome(context, body))
    return Outcome(status=200 if "data" in body else 400, body=encoded)

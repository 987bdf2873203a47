"""Run one GraphQL operation for a caller: limits, execution, error masking, the read event."""

import re
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.types import ExecutionResult

from db.activity import EventKind, record_event
from schema.context import AppCaller, GraphQLContext
from schema.errors import (
    BAD_USER_INPUT,
    GRAPHQL_VALIDATION_FAILED,
    INTERNAL_SERVER_ERROR,
    QUERY_TOO_COMPLEX,
    UNEXPECTED_MESSAGE,
    ExpectedError,
)
from schema.graph import SCHEMA
from schema.limits import count_tokens

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
MAX_OPERATION_NAME = 100


def _strip_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


def format_error(error: GraphQLError, *, executed: bool) -> dict[str, Any]:
    """The client's view of an error: expected ones as they are, anything else masked."""
    original = error.original_error
    extensions = dict(error.extensions or {})
    message = _strip_suggestions(error.message)
    if original is not None and not isinstance(original, ExpectedError | GraphQLError):
        message, extensions = UNEXPECTED_MESSAGE, {"code": INTERNAL_SERVER_ERROR}
    elif "code" not in extensions:
        extensions["code"] = BAD_USER_INPUT if executed else GRAPHQL_VALIDATION_FAILED
    formatted: dict[str, Any] = {"message": message, "extensions": extensions}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    if error.path is not None:
        formatted["path"] = list(error.path)
    return formatted


def _rejected(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


async def _execute(
    context: GraphQLContext, query: str, variables: dict[str, Any] | None, operation: str | None
) -> dict[str, Any]:
    limit = context.limits.max_tokens
    if count_tokens(query, limit) > limit:
        return _rejected(f"The query has more than {limit} tokens.", QUERY_TOO_COMPLEX)
    try:
        result: ExecutionResult = await SCHEMA.execute(
            query, variable_values=variables, context_value=context, operation_name=operation
        )
    except GraphQLSyntaxError as error:
        return _rejected(_strip_suggestions(error.message), GRAPHQL_VALIDATION_FAILED)
    except (StrawberryGraphQLError, ValueError, RuntimeError) as error:
        # No operation, an unknown operation name, or a disallowed operation type.
        message = str(error) or "The request has no operation to run."
        return _rejected(_strip_suggestions(message), GRAPHQL_VALIDATION_FAILED)
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(e, executed=context.executed) for e in result.errors]
    if context.executed:
        body["data"] = result.data
    return body


def _outcome(context: GraphQLContext, body: dict[str, Any]) -> str:
    if not context.executed:
        return "rejected"
    codes = {e["extensions"].get("code") for e in body.get("errors", [])}
    if INTERNAL_SERVER_ERROR in codes:
        return "error"
    return "partial" if codes else "success"


async def run_operation(
    context: GraphQLContext,
    *,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> dict[str, Any]:
    """Execute the operation and, for an app, append its DATA_READ event before returning."""
    body = await _execute(context, query, variables, operation_name)
    if isinstance(context.caller, AppCaller):
        await record_read(context, operation_name, _outcome(context, body))
    return body


async def record_read(context: GraphQLContext, operation_name: str | None, outcome: str) -> None:
    """Append an app's DATA_READ event: what it read and was refused, per category."""
    caller = context.caller
    assert isinstance(caller, AppCaller)
    details: dict[str, Any] = {
        "operation": (operation_name or "")[:MAX_OPERATION_NAME] or None,
        "categories": context.tally.counts(),
        "denied": sorted(key.value for key in context.tally.denied),
    }
    await context.db.run(
        lambda s: record_event(
            s,
            kind=EventKind.DATA_READ,
            outcome=outcome,
            account_id=caller.account_id,
            patient_id=caller.patient_id,
            app_id=caller.app_id,
            grant_id=caller.grant_id,
            source_address=context.source_address,
            details=details,
        )
    )

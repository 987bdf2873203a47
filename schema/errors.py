"""Expected GraphQL errors, each with its `extensions.code`.

ExpectedError            an outcome the client should handle; shown as is
├── InsufficientScope    the field's category is outside the caller's grant
├── Forbidden            the caller may not use this field at all (e.g. an app calling a mutation)
├── NotFound             no such object for this caller (also: someone else's record)
├── BadUserInput         an argument is malformed (bad ID, cursor, page size)
└── QueryTooComplex      the query exceeds a limit; raised before any resolver runs
"""

import re
from typing import Any

from sharing.scopes import CategoryKey, required_scopes

INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
BAD_USER_INPUT = "BAD_USER_INPUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
# HTTP-level refusals of /graphql, before any GraphQL runs.
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"

UNEXPECTED_MESSAGE = "Unexpected error."
OUT_OF_TIME = "The query ran out of time: ask for less."

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def strip_suggestions(message: str) -> str:
    """A message without graphql-core's "Did you mean ...?" hints (they reveal the schema)."""
    return _SUGGESTION.sub("", message)


class ExpectedError(Exception):
    """An error whose message and extensions the client may see."""

    code = INTERNAL_SERVER_ERROR

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extra}


class InsufficientScope(ExpectedError):
    """The grant does not cover the category this field belongs to."""

    code = INSUFFICIENT_SCOPE

    def __init__(self, key: CategoryKey) -> None:
        super().__init__(
            f"This field needs access to {key.value.replace('_', ' ')}.",
            requiredScopes=required_scopes(key),
        )


class Forbidden(ExpectedError):
    """The caller may not use this field (an app token on an account-only field)."""

    code = FORBIDDEN


class NotFound(ExpectedError):
    """No such object for this caller; someone else's record gets the same answer."""

    code = NOT_FOUND


class BadUserInput(ExpectedError):
    """An argument cannot be used."""

    code = BAD_USER_INPUT


class QueryTooComplex(ExpectedError):
    """The query exceeds a limit."""

    code = QUERY_TOO_COMPLEX

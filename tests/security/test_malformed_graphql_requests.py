"""Malformed bodies, documents, names, variables, cursors, dates and headers: a clear 4xx.

Each case here used to answer HTTP 500, or an INTERNAL_SERVER_ERROR inside a 200, and
logged a traceback. Now each is a 400 (or a field's BAD_USER_INPUT in a 200) with a
documented code, logged without a traceback.
"""

import base64
import json
import logging
from typing import Any

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from api.settings import Settings
from db.accounts import Relationship
from tests.builders.graphql import grant_app, sign_in
from tests.builders.people import make_patient
from tests.builders.records import seed_record

CLIENT_CODES = {"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}
# Brackets nested past what the parser follows are a limit, not a mistake.
REQUEST_CODES = CLIENT_CODES | {"QUERY_TOO_COMPLEX"}
GOALS = "query Q($a: Date) { patient { goals(since: $a) { totalCount } } }"
PAGE = "query P($a: String) { patient { goals(first: 2, after: $a) { totalCount } } }"


def _body(query: str, **extra: Any) -> bytes:
    return json.dumps({"query": query, **extra}).encode()


def _nested_cursor() -> str:
    return base64.urlsafe_b64encode(("[" * 5000 + "]" * 5000).encode()).decode()


REQUEST_ERRORS = {
    "empty query": _body(""),
    "whitespace query": _body("  \n "),
    "unexpected character": _body("{ __typename ? }"),
    "unterminated string": _body('{ viewer(x: "abc } }'),
    "unknown operation name": _body("query A { viewer { kind } }", operationName="B"),
    "two operations, no name": _body("query A { viewer { kind } } query B { viewer { kind } }"),
    "operation name of 10,000 characters": _body(
        "query A { viewer { kind } }", operationName="x" * 10_000
    ),
    "operation name that is not a name": _body("query A { viewer { kind } }", operationName="A B"),
    "variables 20,000 arrays deep": (
        b'{"query": "{ viewer { kind } }", "variables": {"a": '
        + b"[" * 20_000
        + b"]" * 20_000
        + b"}}"
    ),
    "lone surrogate in a variable": (
        b'{"query": "query Q($s: [String!]) { patient { goals(status: $s) { totalCount } } }",'
        b' "variables": {"s": ["\\ud800"]}}'
    ),
    "lone surrogate in the query": b'{"query": "{ viewer { kind } } # \\udfff"}',
    "NaN in the variables": b'{"query": "{ viewer { kind } }", "variables": {"a": NaN}}',
    "5,000-digit first": _body("{ patient { goals(first: " + "9" * 5000 + ") { totalCount } } }"),
    "5,000-digit number in the variables": (
        b'{"query": "query Q($n: Int) { patient { goals(first: $n) { totalCount } } }",'
        b' "variables": {"n": ' + b"9" * 5000 + b"}}"
    ),
    "brackets nested 500 deep": _body("{ viewer " + "{ kind " * 500 + "}" * 501),
    "list literal nested 500 deep": _body(
        "{ patient { goals(status: " + "[" * 500 + '"a"' + "]" * 500 + ") { totalCount } } }"
    ),
    "year 0 as a literal": _body('{ patient { goals(since: "0000-01-01") { totalCount } } }'),
    "month 99 as a literal": _body('{ patient { goals(since: "9999-99-99") { totalCount } } }'),
    "year 0 in a variable": _body(GOALS, variables={"a": "0000-01-01"}),
    "month 99 in a variable": _body(GOALS, variables={"a": "9999-99-99"}),
    "a date that is a number": _body(GOALS, variables={"a": 20240101}),
    "variable of the wrong type": _body(
        "query Q($n: Int!) { patient { goals(first: $n) { totalCount } } }", variables={"n": "x"}
    ),
    "missing required variable": _body(
        "query Q($n: Int!) { patient { goals(first: $n) { totalCount } } }"
    ),
    "subscription": _body("subscription { viewer { kind } }"),
    "UTF-16 body": json.dumps({"query": "{ viewer { kind } }"}).encode("utf-16"),
    "not UTF-8": b'{"query": "{ viewer { kind } }\xff"}',
}
FIELD_ERRORS = {
    "cursor nested 5,000 deep": _body(PAGE, variables={"a": _nested_cursor()}),
    "cursor in another spelling": _body(
        PAGE,
        variables={
            "a": base64.urlsafe_b64encode(b'["d","2024-01-01",1]').decode()  # no spaces
        },
    ),
}


def _codes(response: httpx.Response) -> set[str]:
    return {e["extensions"]["code"] for e in response.json().get("errors", [])}


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


async def _token(session: AsyncSession) -> str:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=1)
    return (await grant_app(session, patient, ["patient/*.rs"])).token


@pytest.mark.parametrize("body", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
async def test_malformed_requests_are_400_with_a_client_code(
    session: AsyncSession,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    token = await _token(session)
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql",
            content=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
    assert response.status_code == 400, response.text
    assert _codes(response) and _codes(response) <= REQUEST_CODES, response.text
    assert "data" not in response.json()
    _no_traceback(caplog)


@pytest.mark.parametrize("body", FIELD_ERRORS.values(), ids=FIELD_ERRORS.keys())
async def test_malformed_arguments_are_the_fields_bad_user_input(
    session: AsyncSession,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    token = await _token(session)
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql",
            content=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
    assert _codes(response) == {"BAD_USER_INPUT"}, response.text
    _no_traceback(caplog)


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"],
)
async def test_extreme_moments_from_an_account_are_client_errors(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    moment: str,
) -> None:
    patient = await make_patient(session)
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    query = "query A($t: DateTime) { activityLog(since: $t, until: $t) { totalCount } }"
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql", json={"query": query, "variables": {"t": moment}}, headers=csrf
        )
    assert response.status_code in (200, 400), response.text
    assert _codes(response) <= CLIENT_CODES, response.text
    _no_traceback(caplog)


async def _raw_post(app: Starlette, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """Send a request with exactly these headers (httpx would correct a bad Content-Length)."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b'{"query": "{ viewer { kind } }"}'}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


@pytest.mark.parametrize(
    ("path", "length"),
    [
        ("/graphql", b"9" * 5000),
        ("/oauth/token", b"9" * 5000),
        ("/oauth/register", b"9" * 5000),
        ("/graphql", b"\xb2"),  # a superscript two: a digit to str.isdigit, not to int()
    ],
)
async def test_malformed_content_length_is_a_client_error(
    app: Starlette, caplog: pytest.LogCaptureFixture, path: str, length: bytes
) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", length)]
    with caplog.at_level(logging.INFO):
        status = await _raw_post(app, path, headers)
    assert 400 <= status < 500
    _no_traceback(caplog)

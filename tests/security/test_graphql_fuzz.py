"""Fuzz POST /graphql: no body, document, variable or name gets a 5xx or an internal error.

Two generators, as an app (Bearer token) and as a patient (session and CSRF header):
a Hypothesis fuzz of whole bodies (raw bytes, odd JSON, documents that are valid,
invalid, mangled or token soup, with random variables and operation names), and
schemathesis in GraphQL mode, which derives valid operations from `schema.graphql`.
Every answer must be below 500, carry no INTERNAL_SERVER_ERROR and no traceback; a
refusal must use a documented code, and only an operation that ran answers 200.

Sized for CI: FUZZ_EXAMPLES bodies and SCHEMATHESIS_EXAMPLES per operation and caller,
per backend. CHARTSHARE_FUZZ_SCALE multiplies both for a longer run.
"""

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import hypothesis_graphql
import pytest
import schemathesis.graphql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation

from api.app import create_app
from api.sessions import cookie_name
from api.settings import Settings
from db.accounts import Relationship
from db.web_sessions import open_session
from tests import databases
from tests.builders.graphql import grant_app
from tests.builders.people import make_account, make_patient
from tests.builders.records import seed_record
from tests.conftest import BACKENDS

SCALE = int(os.environ.get("CHARTSHARE_FUZZ_SCALE", "1"))
FUZZ_EXAMPLES = 300 * SCALE
SCHEMATHESIS_EXAMPLES = 10 * SCALE
SDL_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"
SDL = SDL_PATH.read_text()
DOCUMENTED = {
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "QUERY_TOO_COMPLEX",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "INSUFFICIENT_SCOPE",
}
CALLERS = ["app", "patient"]


@dataclass
class World:
    """The app with one patient's record, reachable as its app and as the patient."""

    client: httpx.AsyncClient
    settings: Settings
    token: str
    session_id: str
    csrf: str

    def headers(self, caller: str) -> dict[str, str]:
        """Credentials of a caller (the session cookie is set on the client for both)."""
        if caller == "app":
            return {"Authorization": f"Bearer {self.token}"}
        return {"X-CSRF-Token": self.csrf}


@pytest.fixture(scope="module", params=BACKENDS)
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    url = await databases.fresh_database(request.param, request, tmp_path_factory.mktemp("gqlfuzz"))
    app_settings = Settings(
        database_url=url,
        base_url="http://testserver",
        argon2_memory_kib=1024,
        argon2_iterations=1,
        session_idle_seconds=24 * 3600,
    )
    app = create_app(app_settings)
    async with app.state.session_factory() as session:
        patient = await make_patient(session)
        await seed_record(session, patient, per_category=2)
        token = (await grant_app(session, patient, ["patient/*.rs"])).token
        account = await make_account(session, patients=[(patient, Relationship.SELF)])
        raw_id, row = await open_session(
            session, account_id=account.id, patient_id=patient.id, absolute_seconds=24 * 3600
        )
        await session.commit()
    transport = httpx.ASGITransport(app=app, client=("203.0.113.11", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        client.cookies.set(cookie_name(app_settings), raw_id)
        yield World(client, app_settings, token, raw_id, row.csrf_token)
    await app.state.engine.dispose()


def _check(response: httpx.Response, sent: object) -> None:
    assert response.status_code < 500, (sent, response.text[:500])
    assert "Traceback" not in response.text
    assert "INTERNAL_SERVER_ERROR" not in response.text, (sent, response.text[:500])
    answer = response.json()
    if response.status_code >= 400:
        codes = {e["extensions"]["code"] for e in answer["errors"]}
        assert codes <= DOCUMENTED, (sent, response.text[:500])
    # A request that did not run (no `data`) is a client error, never a 200.
    assert ("data" in answer) == (response.status_code == 200), (sent, response.text[:500])


# Documents: valid and invalid ones from the schema, mangled ones, and token soup.
def _scalar(values: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return values.map(nodes.String)


odd_text = st.text(max_size=30) | st.sampled_from(
    ["", "0000-01-01", "9999-99-99", "9999-12-31", "2024-02-30", "2024-01-01T00:00:00+99:00",
     "9999-12-31T23:59:59-23:59", "\x00", "\ud800", "\\", '"', "9" * 400]
)  # fmt: skip
SCALARS = {
    "Date": _scalar(st.dates().map(str) | odd_text),
    "DateTime": _scalar(st.datetimes().map(lambda d: d.isoformat()) | odd_text),
    "JSON": _scalar(odd_text),
}
TOKENS = [
    "{", "}", "(", ")", "[", "]", ":", "...", "@", "$", "!", "=", "|", "&", ",", "#", "query",
    "mutation", "subscription", "fragment", "on", "patient", "viewer", "labResults", "edges",
    "node", "id", "encounter", "diagnoses", "first", "after", "since", '"2024-01-01"',
    '"unterminated', '"""block"""', "1", "-1", "0.5", "1e400", "9" * 30, "@skip(if: true)",
    "@include", "@deprecated", "__typename", "__schema", "a:", "...F", "fragment F on Patient",
    "$v", "$v: Int", "null", "true", "\u00e9", "\x00", "\ud800",
]  # fmt: skip
valid_documents = hypothesis_graphql.from_schema(SDL, custom_scalars=SCALARS)
invalid_documents = hypothesis_graphql.from_schema(
    SDL, custom_scalars=SCALARS, mode=hypothesis_graphql.Mode.NEGATIVE
)
token_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join)


@st.composite
def mangled(draw: st.DrawFn) -> str:
    """A valid document with a few random cuts, insertions and duplications."""
    text = str(draw(valid_documents))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["cut", "insert", "repeat"]))
        if edit == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 10)) :]
        elif edit == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        else:
            text = text[:at] * draw(st.integers(1, 30)) + text[at:]
    return text


documents = st.one_of(
    valid_documents.map(str), invalid_documents.map(str), mangled(), token_soup, st.text()
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
names = st.none() | st.sampled_from(["", "Q", "A B", "x" * 10_000]) | st.text(max_size=20)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A request body: mostly well-formed JSON around a random document, sometimes not."""
    kind = draw(st.sampled_from(["operation", "operation", "operation", "json", "raw", "deep"]))
    if kind == "raw":
        return draw(st.binary(max_size=200))
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "deep":
        depth = draw(st.integers(1, 20_000))
        nested = b"[" * depth + b"]" * depth
        return b'{"query": "{ viewer { kind } }", "variables": {"a": ' + nested + b"}}"
    body: dict[str, Any] = {"query": draw(documents)}
    if draw(st.booleans()):
        body["variables"] = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=4))
    name = draw(names)
    if name is not None:
        body["operationName"] = name
    return json.dumps(body).encode("utf-8", "surrogatepass")


FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@FUZZ_SETTINGS
@given(body=bodies(), caller=st.sampled_from(CALLERS))
async def test_fuzzed_bodies_never_get_a_server_error(
    world: World, body: bytes, caller: str
) -> None:
    headers = {**world.headers(caller), "Content-Type": "application/json"}
    response = await world.client.post("/graphql", content=body, headers=headers)
    _check(response, body[:300])


# Well-formed dates and moments, weighted towards the ends of the range, where offsets overflow.
EDGE_DATES = st.sampled_from(["0001-01-01", "9999-12-31", "2000-02-29"]) | st.dates().map(str)
EDGE_MOMENTS = st.sampled_from(
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999"]
) | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
schemathesis.graphql.scalar("Date", EDGE_DATES.map(nodes.String))
schemathesis.graphql.scalar("DateTime", EDGE_MOMENTS.map(nodes.String))
schemathesis.graphql.scalar("JSON", odd_text.map(nodes.String))
LOADED = list(schemathesis.graphql.from_path(SDL_PATH).get_all_operations())
Operation = APIOperation[Any, Any, Any, Any]
OPERATIONS: list[Operation] = [result.ok() for result in LOADED if isinstance(result, Ok)]
assert len(OPERATIONS) == len(LOADED), "schemathesis could not read every operation"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
@settings(
    max_examples=SCHEMATHESIS_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_schemathesis_operations_never_get_a_server_error(
    world: World, operation: Operation, caller: str, data: st.DataObject
) -> None:
    mode = data.draw(st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]))
    case = data.draw(operation.as_strategy(generation_mode=mode))
    sent = case.as_transport_kwargs(base_url="http://testserver")
    headers = {**sent["headers"], **world.headers(caller)}
    response = await world.client.post("/graphql", json=sent["json"], headers=headers)
    _check(response, sent["json"])

"""Fuzz: random and malformed requests to every route never get a 500 or a traceback.

Each route gets random query strings, headers, cookies and bodies (form, JSON, raw
bytes), sent anonymously and with a live session whose CSRF token is sometimes right,
so that the checks behind login and CSRF are reached too. Bounded: EXAMPLES per
route and backend, no deadline.
"""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from api.sessions import cookie_name
from api.settings import Settings
from db.accounts import AccountRole, Relationship
from db.tokens import hash_secret
from db.web_sessions import open_session
from tests import databases
from tests.builders.oauth import REDIRECT_URI, SCOPE
from tests.builders.people import issue_token, make_account, make_app, make_grant, make_patient
from tests.conftest import BACKENDS

EXAMPLES = 200
ROUTES = [
    ("POST", "/graphql"),
    ("GET", "/oauth/authorize"),
    ("POST", "/oauth/authorize"),
    ("POST", "/oauth/token"),
    ("POST", "/oauth/revoke"),
    ("POST", "/oauth/introspect"),
    ("POST", "/oauth/register"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/oauth/consent"),
    ("POST", "/oauth/consent"),
    ("GET", "/oauth/select-patient"),
    ("POST", "/oauth/select-patient"),
    ("GET", "/operator"),
    ("POST", "/operator/apps/{client_id}"),
    ("POST", "/operator/settings"),
    ("POST", "/operator/representatives"),
    ("GET", "/account"),
    ("GET", "/apps"),
    ("GET", "/.well-known/smart-configuration"),
    ("GET", "/.well-known/openid-configuration"),
    ("GET", "/.well-known/oauth-authorization-server"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/oauth/register/{client_id}"),
    ("PUT", "/oauth/register/{client_id}"),
    # Last: once a fuzzed DELETE succeeds, the partner app is gone for the routes after it.
    ("DELETE", "/oauth/register/{client_id}"),
]
# Parameter names the routes read, so that random values reach the real checks.
KEYS = [
    "response_type", "client_id", "redirect_uri", "scope", "state", "aud", "code_challenge",
    "code_challenge_method", "nonce", "grant_type", "code", "code_verifier", "refresh_token",
    "client_secret", "token", "token_type_hint", "login", "password", "csrf_token", "next",
    "decision", "category", "duration", "offline_access", "patient_id", "status", "query",
    "variables", "operationName", "redirect_uris", "client_name", "logo_uri", "client_uri",
    "token_endpoint_auth_method", "grant_types", "response_types", "auto_approve", "account_id",
]  # fmt: skip
CONTENT_TYPES = [
    None, "application/json", "application/x-www-form-urlencoded", "text/plain",
    "multipart/form-data", "multipart/form-data; boundary=x", "application/json; charset=utf-7",
    "application/x-www-form-urlencoded; charset=latin-1", "*/*", "", "\x00",
]  # fmt: skip


@dataclass
class World:
    """A seeded database, its client, and what is needed to send sessions and tokens."""

    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    account_ids: dict[str, int]
    client_id: str
    token: str
    patient_id: int

    async def session_for(self, who: str) -> tuple[str, str]:
        """A fresh session (raw id, CSRF token) of an account, or an anonymous one."""
        async with self.sessions() as session:
            raw_id, row = await open_session(
                session,
                account_id=self.account_ids.get(who),
                patient_id=self.patient_id if who == "patient" else None,
                absolute_seconds=3600,
            )
            await session.commit()
        return raw_id, row.csrf_token


@pytest.fixture(scope="module", params=BACKENDS)
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    url = await databases.fresh_database(request.param, request, tmp_path_factory.mktemp("fuzz"))
    app_settings = Settings(
        database_url=url,
        base_url="http://testserver",
        argon2_memory_kib=1024,
        argon2_iterations=1,
        login_slowdown_seconds=0.001,
    )
    app = create_app(app_settings)
    async with app.state.session_factory() as session:
        me = await make_patient(session)
        kid = await make_patient(session)
        patient = await make_account(
            session,
            username="fuzz-patient",
            patients=[(me, Relationship.SELF), (kid, Relationship.CHILD)],
        )
        operator = await make_account(session, username="fuzz-operator", role=AccountRole.OPERATOR)
        developer = await make_account(
            session, username="fuzz-developer", role=AccountRole.DEVELOPER
        )
        partner = await make_app(session, redirect_uris=[REDIRECT_URI])
        grant = await make_grant(
            session, account=patient, patient=me, app=partner, scopes=SCOPE.split()
        )
        token = await issue_token(session, grant=grant)
        # The same secret as its RFC 7592 registration token, so that "bearer-good"
        # requests reach the registration management checks behind authentication.
        partner.registration_token_hash = hash_secret(token)
        session.add(partner)
        await session.commit()
    ids = {"patient": patient.id, "operator": operator.id, "developer": developer.id}
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield World(
            client=client,
            sessions=app.state.session_factory,
            settings=app_settings,
            account_ids={k: v for k, v in ids.items() if v is not None},
            client_id=partner.client_id,
            token=token,
            patient_id=me.id or 0,
        )
    await app.state.engine.dispose()


# Text that tends to break parsers: control characters, quotes, surrogates, huge numbers.
# Surrogates cannot be sent in a URL or form at all (the client refuses to encode them).
plain_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
nasty_text = st.one_of(
    plain_text,
    st.sampled_from([
        "", " ", "\x00", "a\x00", "\r\n", '"', "'", "\\", "%", "%00", "%ff", "&", "=",
        "../", "//evil.test",
        "/\\evil.test", "javascript:alert(1)", "<script>", "99999999999999999999999", "-1", "0",
        "NaN", "null", "[]", "{}", "\ufeff", "e" * 3000, "S256", "plain", "code", "Bearer",
        "allow", "deny", "one_hour", "patient/*.rs", "https://app.example.test/callback",
        "http://testserver", "authorization_code", "refresh_token", "approved", "suspended",
    ]),
)  # fmt: skip
keys = st.one_of(st.sampled_from(KEYS), plain_text)
params = st.lists(st.tuples(keys, nasty_text), max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=12,
)


def _safe_header(value: str) -> str:
    return "".join(c for c in value if 0x20 <= ord(c) < 0x7F)


@st.composite
def requests(draw: st.DrawFn, world: World) -> dict[str, Any]:
    """One random request: query, headers, cookie and body."""
    query = draw(params)
    headers: dict[str, str] = {}
    # Half the time the body is what the route expects, so the checks behind it are reached.
    expected = draw(st.booleans())
    content_type = (
        draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded"]))
        if expected
        else draw(st.sampled_from(CONTENT_TYPES))
    )
    if content_type is not None:
        headers["Content-Type"] = content_type
    auth = draw(
        st.sampled_from([None, "bearer-good", "bearer-bad", "basic", "odd", "long", "bearer-lower"])
    )
    if auth == "bearer-good":
        headers["Authorization"] = f"Bearer {world.token}"
    elif auth == "bearer-lower":
        headers["Authorization"] = f"bearer   {world.token} "
    elif auth == "bearer-bad":
        headers["Authorization"] = "Bearer " + _safe_header(draw(nasty_text))
    elif auth == "basic":
        headers["Authorization"] = "Basic " + _safe_header(draw(nasty_text))
    elif auth == "odd":
        headers["Authorization"] = _safe_header(draw(nasty_text))
    elif auth == "long":
        headers["Authorization"] = "Bearer " + "a" * 10_000
    for name in ("Origin", "X-CSRF-Token", "X-Forwarded-For", "Accept", "Content-Length"):
        if draw(st.booleans()) and name != "Content-Length":
            headers[name] = _safe_header(draw(nasty_text))
    body_kind = (
        ("json" if content_type == "application/json" else "form")
        if expected
        else draw(st.sampled_from(["none", "form", "json", "bytes"]))
    )
    body: bytes = b""
    if body_kind == "form":
        body = urlencode(draw(params)).encode()
    elif body_kind == "json":
        body = json.dumps(draw(json_values)).encode()
    elif body_kind == "bytes":
        body = draw(st.binary(max_size=300))
    return {
        "query": query,
        "headers": headers,
        "body": body,
        "who": draw(st.sampled_from(["none", "anonymous", "patient", "operator", "developer"])),
        "csrf": draw(st.sampled_from(["right", "wrong", "missing"])),
        "cookie_junk": draw(st.none() | nasty_text.map(_safe_header)),
    }


async def _send(world: World, method: str, path: str, drawn: dict[str, Any]) -> httpx.Response:
    headers = dict(drawn["headers"])
    body: bytes = drawn["body"]
    cookies: dict[str, str] = {}
    if drawn["who"] != "none":
        raw_id, csrf = await world.session_for(drawn["who"])
        cookies[cookie_name(world.settings)] = raw_id
        if drawn["csrf"] == "right":
            headers["X-CSRF-Token"] = csrf
            if headers.get("Content-Type", "").startswith("application/x-www-form"):
                body = body + b"&" + urlencode({"csrf_token": csrf}).encode()
    elif drawn["cookie_junk"] is not None:
        cookies[cookie_name(world.settings)] = drawn["cookie_junk"]
    path = path.replace("{client_id}", world.client_id)
    url = path + ("?" + urlencode(drawn["query"]) if drawn["query"] else "")
    world.client.cookies.clear()
    request = world.client.build_request(method, url, headers=headers, content=body)
    for name, value in cookies.items():
        request.headers["Cookie"] = f"{name}={value}"
    return await world.client.send(request)


@pytest.mark.parametrize(("method", "path"), ROUTES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_no_route_answers_500_or_a_traceback(
    world: World, method: str, path: str, data: st.DataObject
) -> None:
    drawn = data.draw(requests(world))

    response = await _send(world, method, path, drawn)

    assert response.status_code < 500, (method, path, drawn, response.text[:500])
    assert "Traceback" not in response.text

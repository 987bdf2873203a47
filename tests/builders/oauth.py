"""Builders for the OAuth flow: PKCE pairs, login, consent and code exchange over HTTP."""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, Relationship
from db.apps import App
from db.patients import Patient
from tests.builders.people import PASSWORD, make_account, make_app, make_patient

ISSUER = "http://testserver"
REDIRECT_URI = "https://app.example.test/callback"
APP_SECRET = "confidential-app-secret"
SCOPE = "launch/patient openid fhirUser offline_access patient/Observation.rs patient/Goal.rs"


def pkce_pair() -> tuple[str, str]:
    """A random code_verifier and its S256 code_challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def query_of(location: str) -> dict[str, str]:
    """The single-valued query parameters of a redirect."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Party:
    """A patient account, the app it authorizes and the patients involved."""

    account: Account
    patient: Patient
    app: App
    other_patients: list[Patient] = field(default_factory=list)


async def arrange(
    session: AsyncSession,
    *,
    confidential: bool = False,
    child: bool = False,
    username: str | None = None,
) -> Party:
    """A patient (with a child if asked) and an approved app, committed."""
    patient = await make_patient(session)
    links = [(patient, Relationship.SELF)]
    others = []
    if child:
        kid = await make_patient(session, given_name="Kid")
        links.append((kid, Relationship.CHILD))
        others.append(kid)
    account = await make_account(session, username=username, patients=links)
    app = await make_app(
        session,
        redirect_uris=[REDIRECT_URI, "http://127.0.0.1:8765/callback"],
        client_secret=APP_SECRET if confidential else None,
    )
    await session.commit()
    return Party(account=account, patient=patient, app=app, other_patients=others)


def authorize_params(app: App, challenge: str, **overrides: str) -> dict[str, str]:
    """A valid authorization request."""
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": secrets.token_urlsafe(8),
        "aud": ISSUER,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v != ""}


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    """Fill in the login form (GET for the CSRF token, then POST)."""
    page = await client.get("/login")
    return await client.post(
        "/login",
        data={"login": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


def request_of(location: str) -> str:
    """The authorization request id a redirect names (itself, or inside the login page's `next`)."""
    query = query_of(location)
    if "next" in query:
        query = query_of(query["next"])
    return query["request"]


def hidden_request_of(html: str) -> str:
    """The authorization request id a page's form answers."""
    match = re.search(r'name="request" value="([^"]*)"', html)
    assert match, "no request field on the page"
    return match.group(1)


async def begin(client: httpx.AsyncClient, app: App, challenge: str, **overrides: str) -> str:
    """Send the browser to /oauth/authorize; the id of the request it opened."""
    start = await client.get(
        "/oauth/authorize", params=authorize_params(app, challenge, **overrides)
    )
    assert start.status_code in (302, 303), start.text
    return request_of(start.headers["location"])


async def open_request(client: httpx.AsyncClient, party: Party, challenge: str = "") -> str:
    """Start an authorization request for the party's app and sign its account in; the id."""
    request_id = await begin(client, party.app, challenge or pkce_pair()[1])
    await login(client, party.account.username)
    return request_id


async def consent(
    client: httpx.AsyncClient,
    request_id: str,
    *,
    decision: str = "allow",
    **fields: str | list[str],
) -> httpx.Response:
    """Answer one request's consent screen; `fields` override the default (all checked, 90 days)."""
    page = await client.get("/oauth/consent", params={"request": request_id})
    assert page.status_code == 200, page.text
    categories = re.findall(r'name="category" value="([^"]+)"', page.text)
    data: dict[str, str | list[str]] = {
        "csrf_token": csrf_of(page.text),
        "request": hidden_request_of(page.text),
        "decision": decision,
        "category": categories,
        "offline_access": "yes",
        "duration": "ninety_days",
    }
    data.update(fields)
    return await client.post("/oauth/consent", data=data)


async def authorize(
    client: httpx.AsyncClient, party: Party, challenge: str, **overrides: str
) -> dict[str, str]:
    """Run authorize, login and consent; return the redirect's query (code, state, iss)."""
    params = authorize_params(party.app, challenge, **overrides)
    start = await client.get("/oauth/authorize", params=params)
    assert start.status_code in (302, 303), start.text
    if start.headers["location"].startswith("/login"):
        logged_in = await login(client, party.account.username)
        assert logged_in.status_code == 303, logged_in.text
    answer = await consent(client, request_of(start.headers["location"]))
    assert answer.status_code == 303, answer.text
    query = query_of(answer.headers["location"])
    assert query["state"] == params["state"]
    return query


async def exchange(
    client: httpx.AsyncClient, party: Party, code: str, verifier: str, **extra: str
) -> httpx.Response:
    """Redeem a code at the token endpoint (with the secret for confidential apps)."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": party.app.client_id,
        "code_verifier": verifier,
    }
    data.update(extra)
    data = {k: v for k, v in data.items() if v is not None}
    auth = (party.app.client_id, APP_SECRET) if party.app.is_confidential else None
    return await client.post("/oauth/token", data=data, auth=auth)


async def tokens_for(client: httpx.AsyncClient, party: Party, **overrides: str) -> dict[str, str]:
    """The whole flow up to a token response."""
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge, **overrides)
    response = await exchange(client, party, query["code"], verifier)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


async def make_simple_patient(session: AsyncSession, username: str) -> Account:
    """Another patient account with one record."""
    patient = await make_patient(session)
    return await make_account(session, username=username, patients=[(patient, Relationship.SELF)])

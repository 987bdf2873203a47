"""The demo app's side of the OAuth flow, over HTTP against the live server: a real access token."""

import re
import secrets
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx

from db.seed.demo import DEMO_APP_CLIENT_ID, DEMO_PASSWORD, GRANT_SCOPES, REDIRECT_URIS
from tests.builders.oauth import csrf_of, pkce_pair, query_of

REDIRECT_URI = REDIRECT_URIS[0]


def _patient_choice(html: str, given_name: str) -> str:
    """The value of the select-patient radio button labelled with the given name."""
    match = re.search(rf'name="patient_id" value="(\d+)" required>\s*{given_name} ', html)
    assert match, f"no choice for {given_name} on the select-patient page"
    return match.group(1)


def _answer(
    client: httpx.Client, page: httpx.Response, *, login: str, patient: str
) -> httpx.Response:
    """Fill in whichever page the server shows: login, patient choice or consent."""
    assert page.status_code == 200, page.text
    path = page.url.path
    form: dict[str, Any] = {"csrf_token": csrf_of(page.text)}
    request_field = re.search(r'name="request" value="([^"]*)"', page.text)
    if request_field:
        form["request"] = request_field.group(1)
    if path == "/login":
        next_path = re.search(r'name="next" value="([^"]*)"', page.text)
        form |= {"login": login, "password": DEMO_PASSWORD}
        form["next"] = next_path.group(1).replace("&amp;", "&") if next_path else ""
    elif path == "/oauth/select-patient":
        form["patient_id"] = _patient_choice(page.text, patient)
    elif path == "/oauth/consent":
        form |= {
            "decision": "allow",
            "category": re.findall(r'name="category" value="([^"]+)"', page.text),
            "offline_access": "yes",
            "duration": "ninety_days",
        }
    else:
        raise AssertionError(f"unexpected page {path} in the OAuth flow")
    return client.post(page.url.copy_with(query=None), data=form)


def authorize_params(base_url: str, challenge: str) -> dict[str, str]:
    """The demo app's authorization request (every category, offline access) for a challenge."""
    return {
        "response_type": "code",
        "client_id": DEMO_APP_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": " ".join(GRANT_SCOPES),
        "state": secrets.token_urlsafe(8),
        "aud": base_url,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def authorize_url(base_url: str, challenge: str | None = None) -> str:
    """Where the demo app sends a patient's browser to start the flow."""
    challenge = challenge or pkce_pair()[1]
    return f"{base_url}/oauth/authorize?{urlencode(authorize_params(base_url, challenge))}"


def redeem_code(client: httpx.Client, code: str, verifier: str) -> dict[str, Any]:
    """Exchange the demo app's authorization code at the token endpoint: the token response."""
    token = client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": DEMO_APP_CLIENT_ID,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.text
    body: dict[str, Any] = token.json()
    return body


def patient_in_browser(
    authorization_url: str, *, redirect_uri: str, login: str = "alice", patient: str = "Alice"
) -> str:
    """What a patient does in the browser, scripted: log in, choose, allow; the callback URL."""
    with httpx.Client(timeout=10) as client:
        response = client.get(authorization_url)
        for _ in range(8):
            assert response.status_code in (302, 303), response.text
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(redirect_uri):
                return location
            page = client.get(location)
            is_page = page.status_code == 200
            response = _answer(client, page, login=login, patient=patient) if is_page else page
    raise AssertionError("the OAuth flow did not reach the redirect URI")


def demo_app_token(base_url: str, *, login: str = "alice", patient: str = "Alice") -> str:
    """Authorize the demo app as `login` for `patient` (PKCE S256) and redeem the code."""
    verifier, challenge = pkce_pair()
    params = authorize_params(base_url, challenge)
    url = f"{base_url}/oauth/authorize?{urlencode(params)}"
    location = patient_in_browser(url, redirect_uri=REDIRECT_URI, login=login, patient=patient)
    with httpx.Client(base_url=base_url, timeout=10) as client:
        answer = query_of(location)
        assert answer["state"] == params["state"], answer
        access_token: str = redeem_code(client, answer["code"], verifier)["access_token"]
        return access_token


def app_graphql(base_url: str, token: str, query: str) -> httpx.Response:
    """POST /graphql as the app."""
    return httpx.post(
        f"{base_url}/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )

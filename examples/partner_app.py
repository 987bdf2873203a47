"""A small partner app: the whole chartshare flow with stock third-party clients only.

* discovery with requests,
* Authlib's OAuth2 client for PKCE (S256), the code exchange, refresh and revocation,
* PyJWT against the JWKS for the id_token,
* `gql` for GraphQL queries.

Run it against a local server (`python3 scripts/dev.py run` in another terminal):

    python3 examples/partner_app.py --server http://127.0.0.1:8000

It prints the authorization URL; open it, log in as `alice` / `chartshare-demo`, allow,
and paste the address your browser lands on (http://127.0.0.1:8765/callback?code=...).
The tests pass a scripted browser step instead (`run(..., browser=...)`).
"""

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError, TransportServerError
from gql.transport.httpx import HTTPXTransport

CLIENT_ID = "chartshare-demo-app"
REDIRECT_URI = "http://127.0.0.1:8765/callback"
# `profile` and `patient/Observation.cruds` show scope negotiation: profile is granted,
# cruds comes back as .rs (chartshare is read-only).
SCOPE = (
    "launch/patient openid fhirUser profile offline_access "
    "patient/Patient.rs patient/Observation.cruds patient/MedicationRequest.rs"
)

# Needs patient/Patient.rs (name) and patient/Observation.rs (labResults).
WHO_AND_LABS = gql(
    """
    query WhoAndLabs {
      patient {
        id
        fhirId
        name { text }
        labResults(first: 3) {
          totalCount
          edges { node { id code { system code display } effectiveAt } }
        }
      }
    }
    """
)

Browser = Callable[[str], str]


@dataclass
class Outcome:
    """What the app saw on the way, for a person to read and a test to check."""

    granted_scope: list[str] = field(default_factory=list)
    patient: str | None = None
    fhir_user: str | None = None
    userinfo: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)
    refreshed: bool = False
    rotated: bool = False
    revoked_token_refused: bool = False


def ask_a_person(url: str) -> str:
    """The browser step by hand: show the URL, read back where the browser landed."""
    print(f"Open this URL, log in and allow:\n\n  {url}\n")
    return input("Paste the full address your browser landed on: ").strip()


def discover(server: str) -> dict[str, Any]:
    """The SMART configuration (also served with CORS for browser apps)."""
    response = requests.get(f"{server}/.well-known/smart-configuration", timeout=10)
    response.raise_for_status()
    config: dict[str, Any] = response.json()
    return config


def verify_id_token(id_token: str, config: dict[str, Any]) -> dict[str, Any]:
    """Check the id_token's RS256 signature against the JWKS, its issuer and audience."""
    signing_key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(id_token)
    claims: dict[str, Any] = jwt.decode(
        id_token,
        signing_key.key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=config["issuer"],
    )
    return claims


def graphql_client(server: str, access_token: str) -> Client:
    """A `gql` client that sends the access token; app tokens cannot introspect."""
    transport = HTTPXTransport(
        url=f"{server}/graphql",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=10,
    )
    return Client(transport=transport, fetch_schema_from_transport=False)


def run(server: str, browser: Browser = ask_a_person) -> Outcome:
    """Authorize, read, refresh, revoke: every step a partner app goes through."""
    config = discover(server)
    outcome = Outcome()
    oauth = OAuth2Session(
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT_URI,
        scope=SCOPE,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",  # noqa: S106 - a public client: PKCE proves possession
    )
    with oauth:
        verifier = oauth_verifier()
        url, state = oauth.create_authorization_url(
            config["authorization_endpoint"], code_verifier=verifier, aud=config["issuer"]
        )
        callback = browser(url)
        token = oauth.fetch_token(
            config["token_endpoint"],
            authorization_response=callback,
            code_verifier=verifier,
            state=state,
        )
        outcome.granted_scope = token["scope"].split()
        outcome.patient = token["patient"]
        outcome.fhir_user = verify_id_token(token["id_token"], config)["fhirUser"]

        info = oauth.get(config["issuer"] + "/oauth/userinfo")
        info.raise_for_status()
        outcome.userinfo = info.json()

        with graphql_client(server, token["access_token"]) as session:
            outcome.record = session.execute(WHO_AND_LABS)

        first_refresh = token["refresh_token"]
        renewed = oauth.refresh_token(config["token_endpoint"])
        outcome.refreshed = renewed["access_token"] != token["access_token"]
        outcome.rotated = renewed["refresh_token"] != first_refresh

        revoked = oauth.revoke_token(
            config["revocation_endpoint"],
            token=renewed["refresh_token"],
            token_type_hint="refresh_token",  # noqa: S106 - a hint name, not a secret
        )
        revoked.raise_for_status()
        try:
            with graphql_client(server, renewed["access_token"]) as session:
                session.execute(WHO_AND_LABS)
        except (TransportQueryError, TransportServerError):
            outcome.revoked_token_refused = True
    return outcome


def oauth_verifier() -> str:
    """A fresh PKCE code_verifier (43 to 128 characters)."""
    from authlib.common.security import generate_token

    verifier: str = generate_token(64)
    return verifier


def main() -> None:
    """Run the app against `--server`, with the browser step done by hand."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    arguments = parser.parse_args()
    print(json.dumps(run(arguments.server.rstrip("/")).__dict__, indent=2))


if __name__ == "__main__":
    main()

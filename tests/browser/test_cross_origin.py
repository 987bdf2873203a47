"""A browser app on another localhost origin: discovery, token and /graphql with fetch."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser

from tests.browser.oauth_flow import REDIRECT_URI, authorize_params, patient_in_browser
from tests.browser.server import LiveServer
from tests.builders.oauth import pkce_pair, query_of

pytestmark = pytest.mark.browser

FETCH_ALL = """
async ([server, code, verifier, redirectUri]) => {
  const discovery = await (await fetch(`${server}/.well-known/smart-configuration`)).json();
  const tokenResponse = await fetch(discovery.token_endpoint, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code", code, redirect_uri: redirectUri,
      client_id: "chartshare-demo-app", code_verifier: verifier,
    }),
  });
  const token = await tokenResponse.json();
  const graphql = await fetch(`${server}/graphql`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Authorization": `Bearer ${token.access_token}`,
      "Accept": "application/graphql-response+json",
    },
    body: JSON.stringify({ query: "{ patient { fhirId goals(first: 1) { totalCount } } }" }),
  });
  const wrong = await fetch(`${server}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": "Bearer wrong" },
    body: JSON.stringify({ query: "{ patient { fhirId } }" }),
  });
  return {
    issuer: discovery.issuer,
    tokenStatus: tokenResponse.status,
    patient: token.patient,
    graphqlStatus: graphql.status,
    graphql: await graphql.json(),
    wrongStatus: wrong.status,
    challenge: wrong.headers.get("WWW-Authenticate"),
  };
}
"""


class _AppPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>Partner app</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test output is enough."""


@pytest.fixture(scope="module")
def app_page() -> Iterator[str]:
    """A partner app's page on its own origin: `localhost` on another port (the API: 127.0.0.1)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _AppPage)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}/app.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_browser_app_on_another_origin_uses_discovery_token_and_graphql(
    browser: Browser, server: LiveServer, app_page: str
) -> None:
    verifier, challenge = pkce_pair()
    params = urlencode(authorize_params(server.base_url, challenge))
    url = f"{server.base_url}/oauth/authorize?{params}"
    code = query_of(patient_in_browser(url, redirect_uri=REDIRECT_URI))["code"]

    context = browser.new_context()
    page = context.new_page()
    page.goto(app_page)
    result: dict[str, Any] = page.evaluate(
        FETCH_ALL, [server.base_url, code, verifier, REDIRECT_URI]
    )
    context.close()

    assert result["issuer"] == server.base_url
    assert result["tokenStatus"] == 200
    assert result["graphqlStatus"] == 200
    assert result["graphql"]["data"]["patient"]["fhirId"] == result["patient"]
    assert result["wrongStatus"] == 401
    assert result["challenge"] == 'Bearer error="invalid_token"'

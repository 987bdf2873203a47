"""A browser app on another localhost origin: discovery, token and /graphql with fetch."""

from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Route

from db.seed.demo import DEMO_PASSWORD
from tests.browser.oauth_flow import REDIRECT_URI, authorize_params, patient_in_browser
from tests.browser.server import LiveServer
from tests.builders.oauth import pkce_pair, query_of

pytestmark = pytest.mark.browser

APP_ORIGIN = "http://localhost:5173"
APP_PAGE = f"{APP_ORIGIN}/app.html"
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
RIDE_ON_SESSION = """
async (server) => {
  try {
    const response = await fetch(`${server}/graphql`, {
      method: "POST", credentials: "include",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: "{ patient { fhirId } }" }),
    });
    return { status: response.status };
  } catch (error) {
    return { blocked: String(error) };
  }
}
"""


def _serve_app_page(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>App</title>")


def test_a_browser_app_on_another_origin_uses_discovery_token_and_graphql(
    browser: Browser, server: LiveServer
) -> None:
    verifier, challenge = pkce_pair()
    params = urlencode(authorize_params(server.base_url, challenge))
    url = f"{server.base_url}/oauth/authorize?{params}"
    code = query_of(patient_in_browser(url, redirect_uri=REDIRECT_URI))["code"]

    context = browser.new_context()
    context.route(f"{APP_ORIGIN}/**", _serve_app_page)
    page = context.new_page()
    page.goto(APP_PAGE)
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


def test_another_origin_cannot_ride_on_the_patients_session(
    browser: Browser, server: LiveServer
) -> None:
    context = browser.new_context()
    context.route(f"{APP_ORIGIN}/**", _serve_app_page)
    page = context.new_page()
    page.goto(f"{server.base_url}/login")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account")
    page.goto(APP_PAGE)
    result: dict[str, Any] = page.evaluate(RIDE_ON_SESSION, server.base_url)
    context.close()
    # Without Allow-Credentials the browser hides the answer; the server refused it anyway.
    assert "blocked" in result

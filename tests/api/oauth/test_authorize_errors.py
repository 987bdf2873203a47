"""Authorization requests chartshare refuses, and how: an error page or an error redirect."""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from db.apps import AppStatus
from tests.builders.oauth import (
    ISSUER,
    REDIRECT_URI,
    arrange,
    authorize,
    authorize_params,
    pkce_pair,
    query_of,
)
from tests.builders.people import make_app


async def _error_redirect(client: httpx.AsyncClient, params: dict[str, str]) -> dict[str, str]:
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI)
    query = query_of(location)
    assert "code" not in query
    assert query["iss"] == ISSUER
    return query


async def test_unknown_client_shows_an_error_page_and_never_redirects(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, client_id="no-such-client")
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "redirect_uri",
    [
        REDIRECT_URI + "/",
        REDIRECT_URI.upper(),
        REDIRECT_URI + "?x=1",
        "https://evil.example/callback",
    ],
)
async def test_redirect_uri_must_match_exactly_or_no_redirect(
    client: httpx.AsyncClient, session: AsyncSession, redirect_uri: str
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, redirect_uri=redirect_uri)
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers


async def test_missing_redirect_uri_is_an_error_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge)
    del params["redirect_uri"]
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers


async def test_wrong_aud_gets_no_code(client: httpx.AsyncClient, session: AsyncSession) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, aud="https://other-ehr.example/fhir")
    query = await _error_redirect(client, params)
    assert query["error"] == "invalid_request"
    assert query["state"] == params["state"]


async def test_missing_aud_gets_no_code(client: httpx.AsyncClient, session: AsyncSession) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge)
    del params["aud"]
    assert (await _error_redirect(client, params))["error"] == "invalid_request"


async def test_plain_pkce_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    party = await arrange(session)
    verifier, _ = pkce_pair()
    params = authorize_params(
        party.app, verifier, code_challenge=verifier, code_challenge_method="plain"
    )
    assert (await _error_redirect(client, params))["error"] == "invalid_request"


async def test_missing_challenge_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    params = authorize_params(party.app, "", code_challenge_method="S256")
    assert (await _error_redirect(client, params))["error"] == "invalid_request"


async def test_missing_challenge_is_refused_for_confidential_apps_too(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    params = authorize_params(party.app, "", code_challenge_method="")
    assert (await _error_redirect(client, params))["error"] == "invalid_request"


async def test_challenge_without_method_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, code_challenge_method="")
    assert (await _error_redirect(client, params))["error"] == "invalid_request"


async def test_missing_state_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, state="")
    assert (await _error_redirect(client, params))["error"] == "invalid_request"


async def test_state_is_accepted_exactly_as_documented(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """1 to 1024 printable ASCII characters come back unchanged; anything else is an error page."""
    party = await arrange(session)
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    longest = (printable * 11)[:1024]
    _, challenge = pkce_pair()
    assert (await authorize(client, party, challenge, state=longest))["state"] == longest
    for refused in ("x" * 1025, "caf\u00e9", "line\nbreak", "tab\there", "\x7f"):
        response = await client.get(
            "/oauth/authorize", params=authorize_params(party.app, challenge, state=refused)
        )
        assert response.status_code == 400, refused
        assert "location" not in response.headers
        assert "1 to 1024 printable ASCII characters" in response.text


async def test_implicit_grant_is_not_supported(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, response_type="token")
    query = await _error_redirect(client, params)
    assert query["error"] == "unsupported_response_type"


async def test_unknown_scope_is_invalid_scope(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, scope="patient/Observation.write")
    assert (await _error_redirect(client, params))["error"] == "invalid_scope"


@pytest.mark.parametrize("scope", ["", " ", "\t", "\r\n"])  # white space only was a 500
async def test_missing_scope_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, scope: str
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = authorize_params(party.app, challenge, scope=scope)
    assert (await _error_redirect(client, params))["error"] == "invalid_scope"


@pytest.mark.parametrize("status", [AppStatus.SUSPENDED, AppStatus.PENDING])
async def test_app_not_approved_cannot_start_an_authorization(
    client: httpx.AsyncClient, session: AsyncSession, status: AppStatus
) -> None:
    app = await make_app(session, status=status, redirect_uris=[REDIRECT_URI])
    await session.commit()
    _, challenge = pkce_pair()
    query = await _error_redirect(client, authorize_params(app, challenge))
    assert query["error"] == "unauthorized_client"


async def test_repeated_parameters_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    params = [*list(authorize_params(party.app, challenge).items()), ("scope", "openid")]
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code in (302, 400)
    assert "code=" not in response.headers.get("location", "")


async def test_consent_without_a_pending_request_is_a_clear_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from tests.builders.oauth import login

    party = await arrange(session)
    await login(client, party.account.username)
    response = await client.get("/oauth/consent")
    assert response.status_code == 400
    assert "no authorization request" in response.text.lower()


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": 'https://app.example.test/"callback\\'},
        {"response_type": 'co"de'},
        {"redirect_uri": "https://app.example.test/cällback"},
        {"client_id": "x" * 5000},
    ],
)
async def test_malformed_requests_get_a_clear_400_never_a_500(
    client: httpx.AsyncClient, session: AsyncSession, change: dict[str, str]
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    response = await client.get(
        "/oauth/authorize", params=authorize_params(party.app, challenge, **change)
    )
    assert response.status_code in (302, 400)
    assert "code=" not in response.headers.get("location", "")

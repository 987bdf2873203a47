"""The token endpoint: codes are single-use, bound, PKCE-checked; only two grant types."""

import asyncio
import base64
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import utcnow
from db.credentials import find_live_access_token
from db.tokens import AuthorizationCode, Token, hash_secret
from tests.builders.oauth import (
    APP_SECRET,
    REDIRECT_URI,
    Party,
    arrange,
    authorize,
    exchange,
    pkce_pair,
)
from tests.builders.people import make_app


async def _code(
    client: httpx.AsyncClient, session: AsyncSession, **kwargs: bool
) -> tuple[Party, str, str, str]:
    party = await arrange(session, **kwargs)
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge)
    return party, query["code"], verifier, challenge


async def _live(session: AsyncSession, access_token: str) -> bool:
    found = await find_live_access_token(
        session, token_hash=hash_secret(access_token), now=utcnow()
    )
    return found is not None


@pytest.mark.parametrize("case", ["missing", "blank", "wrong", "challenge", "short"])
async def test_every_bad_code_verifier_is_invalid_grant(
    client: httpx.AsyncClient, session: AsyncSession, case: str
) -> None:
    party, code, verifier, challenge = await _code(client, session)
    bad = {
        "missing": None,
        "blank": "",
        "wrong": pkce_pair()[0],
        "challenge": challenge,
        "short": verifier[:20],
    }[case]
    response = await exchange(client, party, code, verifier, code_verifier=bad)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("case", ["missing", "wrong", "challenge"])
async def test_a_bad_code_verifier_uses_the_code_up(
    client: httpx.AsyncClient, session: AsyncSession, case: str
) -> None:
    party, code, verifier, challenge = await _code(client, session)
    bad = {"missing": None, "wrong": pkce_pair()[0], "challenge": challenge}[case]
    guessed = await exchange(client, party, code, verifier, code_verifier=bad)
    assert guessed.status_code == 400
    retried = await exchange(client, party, code, verifier)
    assert retried.status_code == 400
    assert retried.json()["error"] == "invalid_grant"
    stored = (await session.exec(select(AuthorizationCode))).one()
    assert stored.used_at is not None
    assert (await session.exec(select(Token))).all() == []


async def test_bad_verifier_for_a_confidential_app_is_invalid_grant(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, _, _ = await _code(client, session, confidential=True)
    response = await exchange(client, party, code, pkce_pair()[0])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_verifier_for_a_code_issued_without_challenge_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session)
    stored = (await session.exec(select(AuthorizationCode))).one()
    stored.code_challenge = ""
    session.add(stored)
    await session.commit()
    response = await exchange(client, party, code, verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_second_redemption_fails_and_revokes_the_first_tokens(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session)
    first = await exchange(client, party, code, verifier)
    assert first.status_code == 200
    assert await _live(session, first.json()["access_token"])
    second = await exchange(client, party, code, verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert not await _live(session, first.json()["access_token"])
    refresh = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first.json()["refresh_token"],
            "client_id": party.app.client_id,
        },
    )
    assert refresh.json()["error"] == "invalid_grant"


async def test_a_reused_code_also_ends_the_tokens_refreshed_from_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Whoever redeemed a stolen code first may have refreshed already: those tokens end too."""
    party, code, verifier, _ = await _code(client, session)
    first = (await exchange(client, party, code, verifier)).json()
    refreshed = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": party.app.client_id,
        },
    )
    assert refreshed.status_code == 200
    assert await _live(session, refreshed.json()["access_token"])
    again = await exchange(client, party, code, verifier)
    assert again.status_code == 400
    assert not await _live(session, refreshed.json()["access_token"])
    next_refresh = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refreshed.json()["refresh_token"],
            "client_id": party.app.client_id,
        },
    )
    assert next_refresh.status_code == 400


async def test_parallel_redemptions_exactly_one_wins(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session)
    responses = await asyncio.gather(
        exchange(client, party, code, verifier), exchange(client, party, code, verifier)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 400]
    loser = next(r for r in responses if r.status_code == 400)
    assert loser.json()["error"] == "invalid_grant"


async def test_expired_code_is_invalid_grant(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session)
    stored = (await session.exec(select(AuthorizationCode))).one()
    assert stored.expires_at - stored.created_at <= timedelta(seconds=60)
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    await session.commit()
    response = await exchange(client, party, code, verifier)
    assert response.json()["error"] == "invalid_grant"


async def test_code_is_bound_to_its_client(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session)
    other = await make_app(session, redirect_uris=[REDIRECT_URI])
    await session.commit()
    response = await exchange(client, party, code, verifier, client_id=other.client_id)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_code_is_bound_to_its_redirect_uri(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session)
    response = await exchange(
        client, party, code, verifier, redirect_uri="http://127.0.0.1:8765/callback"
    )
    assert response.json()["error"] == "invalid_grant"


async def test_unknown_code_is_invalid_grant(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, _, verifier, _ = await _code(client, session)
    response = await exchange(client, party, "made-up-code", verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_codes_and_tokens_are_stored_only_as_hashes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session)
    body = (await exchange(client, party, code, verifier)).json()
    stored_code = (await session.exec(select(AuthorizationCode))).one()
    assert stored_code.code_hash == hash_secret(code)
    hashes = {t.token_hash for t in (await session.exec(select(Token))).all()}
    assert hashes == {hash_secret(body["access_token"]), hash_secret(body["refresh_token"])}
    assert len(base64.urlsafe_b64decode(body["access_token"] + "==")) >= 32


@pytest.mark.parametrize("grant_type", ["password", "client_credentials", "implicit"])
async def test_other_grant_types_are_not_supported(
    client: httpx.AsyncClient, session: AsyncSession, grant_type: str
) -> None:
    party = await arrange(session, confidential=True)
    response = await client.post(
        "/oauth/token",
        data={"grant_type": grant_type, "username": "x", "password": "y"},
        auth=(party.app.client_id, APP_SECRET),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_parameters_in_the_query_string_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session)
    response = await client.post(
        "/oauth/token",
        params={"code": code, "code_verifier": verifier},
        data={"grant_type": "authorization_code", "client_id": party.app.client_id},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    # The code was not spent by the refused request.
    assert (await exchange(client, party, code, verifier)).status_code == 200


async def test_json_body_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    _party, code, verifier, _ = await _code(client, session)
    response = await client.post(
        "/oauth/token",
        json={"grant_type": "authorization_code", "code": code, "code_verifier": verifier},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_confidential_app_with_wrong_secret_is_invalid_client(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session, confidential=True)
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(party.app.client_id, "wrong-secret"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_confidential_app_without_secret_is_invalid_client(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, code, verifier, _ = await _code(client, session, confidential=True)
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": party.app.client_id,
            "code_verifier": verifier,
        },
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"


async def test_token_endpoint_refuses_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/oauth/token", params={"grant_type": "authorization_code"})
    assert response.status_code == 405


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": 'pass"word'},
        {"grant_type": "authorization_code", "code": "\\x", "client_id": "é"},
        {"grant_type": "refresh_token", "refresh_token": "x" * 600, "client_id": '"'},
    ],
)
async def test_malformed_token_requests_get_a_clear_400(
    client: httpx.AsyncClient, data: dict[str, str]
) -> None:
    response = await client.post("/oauth/token", data=data)
    assert response.status_code in (400, 401)
    assert "error" in response.json()

"""Client authentication: one answer for every failure, and secret guessing throttled per client."""

import time
from datetime import timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlmodel import update
from sqlmodel.ext.asyncio.session import AsyncSession

from api.oauth import client_auth
from api.settings import Settings
from db import passwords
from db.client_auth import ClientAuthFailure
from db.columns import utcnow
from tests.builders.oauth import APP_SECRET, arrange
from tests.builders.people import make_app

SLOWDOWN_AFTER = 2
LOCK_AFTER = 4
SLOWDOWN_SECONDS = 0.4


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        base_url="http://testserver",
        argon2_memory_kib=1024,
        argon2_iterations=1,
        login_slowdown_after=SLOWDOWN_AFTER,
        login_lock_after=LOCK_AFTER,
        login_slowdown_seconds=SLOWDOWN_SECONDS,
    )


async def _introspect(
    client: httpx.AsyncClient,
    *,
    basic: tuple[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post("/oauth/introspect", data={"token": "t"} | (form or {}), auth=basic)


def _shape(response: httpx.Response) -> tuple[int, str, str | None]:
    return (
        response.status_code,
        response.text,
        response.headers.get("www-authenticate"),
    )


async def test_unknown_client_wrong_secret_and_public_client_answer_alike(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    party = await arrange(session, confidential=True)
    public = await make_app(session, name="Public")
    await session.commit()
    verified: list[str] = []
    real_verify = passwords.verify_password

    def counting_verify(hasher: PasswordHasher, stored: str, secret: str) -> bool:
        verified.append(secret)
        return real_verify(hasher, stored, secret)

    monkeypatch.setattr(client_auth, "verify_password", counting_verify)
    answers = {
        "wrong secret, basic": await _introspect(client, basic=(party.app.client_id, "wrong")),
        "unknown client, basic": await _introspect(client, basic=("no-such-client", "wrong")),
        "wrong secret, form": await _introspect(
            client, form={"client_id": party.app.client_id, "client_secret": "wrong"}
        ),
        "unknown client, form": await _introspect(
            client, form={"client_id": "no-such-client", "client_secret": "wrong"}
        ),
        "public client with a secret": await _introspect(
            client, basic=(public.client_id, "anything")
        ),
        "public client at introspection": await _introspect(
            client, form={"client_id": public.client_id}
        ),
        "unknown client without secret": await _introspect(
            client, form={"client_id": "no-such-client"}
        ),
    }
    shapes = {name: _shape(response) for name, response in answers.items()}
    assert len(set(shapes.values())) == 1, shapes
    status, body, _ = next(iter(shapes.values()))
    assert status == 401
    assert '"error": "invalid_client"' in body and "Client authentication failed." in body
    # Every presented secret cost one Argon2id verification, known client or not.
    assert verified == ["wrong", "wrong", "wrong", "wrong", "anything"]
    right = await _introspect(client, basic=(party.app.client_id, APP_SECRET))
    assert right.status_code == 200 and right.json() == {"active": False}


async def test_guessing_a_secret_slows_down_and_then_pauses_the_client(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, confidential=True)
    bystander = await arrange(session, confidential=True)
    guesses: list[tuple[float, httpx.Response]] = []
    for attempt in range(LOCK_AFTER + 1):
        started = time.monotonic()
        response = await _introspect(client, basic=(party.app.client_id, f"guess-{attempt}"))
        guesses.append((time.monotonic() - started, response))
    assert all(r.status_code == 401 for _, r in guesses)
    fast = [elapsed for elapsed, _ in guesses[:SLOWDOWN_AFTER]]
    slow = [elapsed for elapsed, _ in guesses[SLOWDOWN_AFTER:]]
    assert max(fast) < SLOWDOWN_SECONDS and min(slow) >= SLOWDOWN_SECONDS

    # Paused: even the right secret gets the same refusal, at every endpoint.
    paused = await _introspect(client, basic=(party.app.client_id, APP_SECRET))
    assert _shape(paused) == _shape(guesses[0][1])
    revoke = await client.post(
        "/oauth/revoke", data={"token": "t"}, auth=(party.app.client_id, APP_SECRET)
    )
    assert revoke.status_code == 401
    # Another client is not affected.
    other = await _introspect(client, basic=(bystander.app.client_id, APP_SECRET))
    assert other.status_code == 200

    # Failures older than the window are forgotten: the client works again.
    await session.exec(update(ClientAuthFailure).values(failed_at=utcnow() - timedelta(minutes=16)))
    await session.commit()
    again = await _introspect(client, basic=(party.app.client_id, APP_SECRET))
    assert again.status_code == 200


async def test_an_unknown_client_id_is_throttled_like_a_known_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await arrange(session, confidential=True)
    timings = []
    for attempt in range(SLOWDOWN_AFTER + 1):
        started = time.monotonic()
        response = await client.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": "r"},
            auth=("no-such-client", f"guess-{attempt}"),
        )
        timings.append(time.monotonic() - started)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
    assert max(timings[:SLOWDOWN_AFTER]) < SLOWDOWN_SECONDS <= timings[-1]

"""Login, logout and the page protections (CSRF, headers, cookies, lockout, slow-down)."""

import time

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import Account, WebSession
from db.activity import ActivityEvent, EventKind
from tests.builders.oauth import arrange, begin, csrf_of, login, open_request, pkce_pair
from tests.builders.people import PASSWORD

SLOWDOWN = 0.3


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        base_url="http://testserver",
        argon2_memory_kib=1024,
        argon2_iterations=1,
        login_slowdown_seconds=SLOWDOWN,
    )


def _cookie(client: httpx.AsyncClient) -> str | None:
    return client.cookies.get("chartshare_session")


async def test_login_by_username_or_email_changes_the_session_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, username="carol")
    page = await client.get("/login")
    before = _cookie(client)
    assert before
    response = await client.post(
        "/login",
        data={"login": "CAROL@example.test", "password": PASSWORD, "csrf_token": csrf_of(page.text),
              "next": "/account"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    after = _cookie(client)
    assert after and after != before
    events = (await session.exec(select(ActivityEvent))).all()
    assert [e.kind for e in events] == [EventKind.LOGIN]
    assert events[0].account_id == party.account.id


async def test_session_cookie_is_httponly_and_samesite_lax(client: httpx.AsyncClient) -> None:
    response = await client.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_cookie_is_secure_outside_local_development(database_url: str) -> None:
    from api.app import create_app

    settings = Settings(database_url=database_url, base_url="https://chartshare.example")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://chartshare.example") as c:
        response = await c.get("/login")
    await app.state.engine.dispose()
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-chartshare=") and "secure" in cookie.lower()


async def test_unknown_user_and_wrong_password_get_the_same_answer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await arrange(session, username="dave")
    page = await client.get("/login")
    token = csrf_of(page.text)
    wrong = await client.post(
        "/login", data={"login": "dave", "password": "nope", "csrf_token": token}
    )
    unknown = await client.post(
        "/login", data={"login": "nobody", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.text.replace("dave", "X") == unknown.text.replace("nobody", "X")
    failed = (
        await session.exec(
            select(ActivityEvent).where(col(ActivityEvent.kind) == EventKind.LOGIN_FAILED)
        )
    ).all()
    assert len(failed) == 2
    assert all("nope" not in e.details for e in failed)


async def test_login_slows_down_after_five_failures(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await arrange(session, username="erin")
    token = csrf_of((await client.get("/login")).text)
    durations = []
    for _ in range(7):
        started = time.monotonic()
        await client.post("/login", data={"login": "erin", "password": "x", "csrf_token": token})
        durations.append(time.monotonic() - started)
    assert max(durations[:5]) < SLOWDOWN
    assert min(durations[5:]) >= SLOWDOWN


async def test_unknown_login_names_slow_down_like_known_ones(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # Otherwise the sixth failure's delay tells an attacker which login names exist.
    token = csrf_of((await client.get("/login")).text)
    durations = []
    for _ in range(7):
        started = time.monotonic()
        await client.post(
            "/login", data={"login": "no-such-user", "password": "x", "csrf_token": token}
        )
        durations.append(time.monotonic() - started)
    assert max(durations[:5]) < SLOWDOWN
    assert min(durations[5:]) >= SLOWDOWN


async def test_account_is_soft_locked_after_ten_failures(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session, username="frank")
    token = csrf_of((await client.get("/login")).text)
    for _ in range(10):
        await client.post("/login", data={"login": "frank", "password": "x", "csrf_token": token})
    right = await client.post(
        "/login", data={"login": "frank", "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 400
    account = await session.get(Account, party.account.id)
    await session.refresh(account)
    assert account is not None and account.locked_until is not None
    remaining = (account.locked_until - account.last_failed_login_at).total_seconds()  # type: ignore[operator]
    assert 14 * 60 < remaining <= 15 * 60


async def test_login_without_csrf_token_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await arrange(session, username="gina")
    await client.get("/login")
    response = await client.post("/login", data={"login": "gina", "password": PASSWORD})
    assert response.status_code == 403
    forged = await client.post(
        "/login", data={"login": "gina", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403


async def test_consent_without_csrf_token_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    request_id = await open_request(client, party)
    response = await client.post(
        "/oauth/consent", data={"request": request_id, "decision": "allow", "duration": "one_hour"}
    )
    assert response.status_code == 403
    assert "location" not in response.headers


async def test_logout_ends_the_session_on_the_server(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    await login(client, party.account.username)
    stolen = _cookie(client)
    assert stolen
    rows = (await session.exec(select(WebSession).where(col(WebSession.ended_at).is_(None)))).all()
    live = [r for r in rows if r.account_id == party.account.id]
    assert len(live) == 1
    token = live[0].csrf_token
    refused = await client.post("/logout", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    response = await client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    client.cookies.set("chartshare_session", stolen)
    again = await client.get("/login")
    assert "Sign in" in again.text  # the old cookie no longer logs anyone in
    assert again.status_code == 200


@pytest.mark.parametrize(
    "next_value", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
async def test_login_never_redirects_off_site(
    client: httpx.AsyncClient, session: AsyncSession, next_value: str
) -> None:
    await arrange(session, username="hal")
    token = csrf_of((await client.get("/login")).text)
    response = await client.post(
        "/login",
        data={"login": "hal", "password": PASSWORD, "csrf_token": token, "next": next_value},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"


async def test_pages_carry_security_headers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    request_id = await begin(client, party.app, challenge)
    login_page = await client.get("/login")
    await login(client, party.account.username)
    consent_page = await client.get("/oauth/consent", params={"request": request_id})
    for page in (login_page, consent_page):
        assert page.status_code == 200
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["cache-control"] == "no-store"


async def test_consent_page_escapes_app_supplied_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    party.app.description = "<script>alert(1)</script>"
    session.add(party.app)
    await session.commit()
    request_id = await open_request(client, party)
    page = await client.get("/oauth/consent", params={"request": request_id})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text

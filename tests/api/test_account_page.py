"""GET /account: who sees the page, what the shell carries, and its security headers."""

import re
from datetime import timedelta

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.sessions import cookie_name
from api.settings import Settings
from db.accounts import Relationship, WebSession
from db.web_sessions import end_session, open_session
from tests.builders.people import make_account, make_patient


async def _log_in(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> WebSession:
    patient = await make_patient(session)
    account = await make_account(session, patients=[(patient, Relationship.SELF)])
    raw_id, row = await open_session(
        session, account_id=account.id, patient_id=patient.id, absolute_seconds=3600
    )
    await session.commit()
    client.cookies.set(cookie_name(settings), raw_id)
    return row


def _meta(html: str, name: str) -> str:
    match = re.search(rf'<meta name="{name}" content="([^"]*)">', html)
    assert match, f"no {name} meta tag"
    return match.group(1)


async def test_without_a_session_the_page_sends_the_visitor_to_log_in(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


async def test_an_ended_session_no_longer_opens_the_page(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    row = await _log_in(session, client, settings)
    await end_session(session, row=row)
    await session.commit()
    response = await client.get("/account")
    assert response.status_code == 303


async def test_a_session_without_an_account_is_not_logged_in(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    raw_id, _ = await open_session(session, account_id=None, patient_id=None, absolute_seconds=60)
    await session.commit()
    client.cookies.set(cookie_name(settings), raw_id)
    assert (await client.get("/account")).status_code == 303


async def test_the_page_carries_the_sessions_csrf_token_for_graphql_and_logout(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    row = await _log_in(session, client, settings)
    response = await client.get("/account")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert _meta(html, "csrf-token") == row.csrf_token
    assert f'<input type="hidden" name="csrf_token" value="{row.csrf_token}">' in html
    assert '<form method="post" action="/logout">' in html


async def test_the_page_loads_only_bundled_files_with_no_inline_code(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    await _log_in(session, client, settings)
    html = (await client.get("/account")).text
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.DOTALL)
    assert scripts == [""], "exactly one script, loaded from a file"
    script_src = re.search(r'<script type="module" src="([^"]+)"></script>', html)
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', html)
    assert script_src and script_src.group(1).startswith("/static/account/account.js?v=")
    assert stylesheet and stylesheet.group(1).startswith("/static/account/account.css?v=")
    assert "<style" not in html
    assert not re.search(r"<[^>]+\sstyle=", html), "inline style attribute"
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "inline event handler"
    for url in (script_src.group(1), stylesheet.group(1)):
        assert (await client.get(url)).status_code == 200


async def test_security_headers_and_a_fresh_style_nonce_per_response(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    await _log_in(session, client, settings)
    first = await client.get("/account")
    second = await client.get("/account")
    csp = first.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in directives["style-src-elem"]
    assert "unsafe-eval" not in csp
    nonce = _meta(first.text, "csp-nonce")
    assert f"'nonce-{nonce}'" in directives["style-src-elem"]
    assert _meta(second.text, "csp-nonce") != nonce
    assert first.headers["x-frame-options"] == "DENY"
    assert first.headers["referrer-policy"] == "no-referrer"
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["cache-control"] == "no-store"


async def test_an_idle_session_is_sent_to_log_in(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    row = await _log_in(session, client, settings)
    row.last_seen_at -= timedelta(seconds=settings.session_idle_seconds + 1)
    session.add(row)
    await session.commit()
    assert (await client.get("/account")).status_code == 303

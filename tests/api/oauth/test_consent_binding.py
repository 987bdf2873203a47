"""Consent answers the authorization request the patient saw, and no other.

Each /oauth/authorize opens its own request, named by an id that the login,
patient-choice and consent pages carry. These tests open several requests in one
browser (tabs), answer them in different orders, and present forged, foreign,
replayed and expired ids.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from db.activity import ActivityEvent, EventKind
from db.apps import App
from db.authorization_requests import AuthorizationRequest
from db.columns import utcnow
from db.grants import Grant
from db.tokens import AuthorizationCode
from tests.builders.oauth import (
    Party,
    arrange,
    authorize_params,
    begin,
    consent,
    csrf_of,
    exchange,
    hidden_request_of,
    login,
    make_simple_patient,
    open_request,
    pkce_pair,
    query_of,
    request_of,
)
from tests.builders.people import make_app

OTHER_REDIRECT = "https://other.example.test/back"
OTHER_SCOPE = "launch/patient patient/Immunization.rs patient/Procedure.rs"


@dataclass
class Tab:
    """One browser tab's authorization request."""

    app: App
    request_id: str
    verifier: str
    state: str
    redirect_uri: str


async def _second_app(session: AsyncSession, party: Party) -> App:
    """Another approved app with its own redirect URI (the party's rows are reloaded)."""
    app = await make_app(session, name="Other Tracker", redirect_uris=[OTHER_REDIRECT])
    await session.commit()
    for row in (app, party.app, party.account, party.patient, *party.other_patients):
        await session.refresh(row)
    return app


async def _open(
    client: httpx.AsyncClient, app: App, *, redirect_uri: str, scope: str | None = None
) -> Tab:
    verifier, challenge = pkce_pair()
    overrides = {"redirect_uri": redirect_uri} | ({"scope": scope} if scope else {})
    params = authorize_params(app, challenge, **overrides)
    start = await client.get("/oauth/authorize", params=params)
    assert start.status_code in (302, 303), start.text
    return Tab(app, request_of(start.headers["location"]), verifier, params["state"], redirect_uri)


async def _two_tabs(client: httpx.AsyncClient, session: AsyncSession) -> tuple[Party, Tab, Tab]:
    party = await arrange(session)
    other = await _second_app(session, party)
    first = await _open(client, party.app, redirect_uri="https://app.example.test/callback")
    second = await _open(client, other, redirect_uri=OTHER_REDIRECT, scope=OTHER_SCOPE)
    await login(client, party.account.username)
    return party, first, second


async def _grants(session: AsyncSession) -> list[Grant]:
    fresh = select(Grant).order_by(col(Grant.id)).execution_options(populate_existing=True)
    return list((await session.exec(fresh)).all())


@pytest.mark.parametrize("order", ["first_then_second", "second_then_first"])
async def test_two_tabs_with_two_apps_are_answered_independently(
    client: httpx.AsyncClient, session: AsyncSession, order: str
) -> None:
    party, first, second = await _two_tabs(client, session)
    tabs = [first, second] if order == "first_then_second" else [second, first]
    pages = {
        tab.request_id: await client.get("/oauth/consent", params={"request": tab.request_id})
        for tab in tabs
    }
    assert "Test App" in pages[first.request_id].text
    assert "Other Tracker" not in pages[first.request_id].text
    assert "Other Tracker" in pages[second.request_id].text
    # The first tab shares one category for an hour; the second everything for 90 days.
    choices: dict[str, dict[str, str | list[str]]] = {
        first.request_id: {"category": ["lab_results"], "duration": "one_hour"},
        second.request_id: {},
    }
    codes: dict[str, str] = {}
    for tab in tabs:
        answer = await consent(client, tab.request_id, **choices[tab.request_id])
        assert answer.status_code == 303, answer.text
        location = answer.headers["location"]
        assert location.startswith(tab.redirect_uri + "?")
        query = query_of(location)
        assert query["state"] == tab.state
        codes[tab.request_id] = query["code"]

    first_party = Party(party.account, party.patient, first.app)
    second_party = Party(party.account, party.patient, second.app)
    token_a = await exchange(client, first_party, codes[first.request_id], first.verifier)
    token_b = await exchange(
        client,
        second_party,
        codes[second.request_id],
        second.verifier,
        redirect_uri=OTHER_REDIRECT,
    )
    assert token_a.status_code == 200 and token_b.status_code == 200, token_a.text + token_b.text
    scope_a, scope_b = token_a.json()["scope"].split(), token_b.json()["scope"].split()
    assert any("laboratory" in s for s in scope_a) and not any("vital" in s for s in scope_a)
    assert "patient/Immunization.rs" in scope_b and "patient/Procedure.rs" in scope_b
    assert not any("Observation" in s for s in scope_b)
    ends: dict[int | None, datetime | None] = {
        g.app_id: g.expires_at for g in await _grants(session)
    }
    assert set(ends) == {first.app.id, second.app.id}
    first_end, second_end = ends[first.app.id], ends[second.app.id]
    assert first_end is not None and first_end < utcnow() + timedelta(hours=1, minutes=1)
    assert second_end is not None and second_end > utcnow() + timedelta(days=89)


async def test_a_code_for_one_tab_does_not_work_for_the_other_app(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party, first, second = await _two_tabs(client, session)
    answer = await consent(client, first.request_id)
    code = query_of(answer.headers["location"])["code"]
    stolen = await exchange(
        client,
        Party(party.account, party.patient, second.app),
        code,
        first.verifier,
        redirect_uri=OTHER_REDIRECT,
    )
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    stored = (await session.exec(select(AuthorizationCode))).one()
    assert stored.app_id == first.app.id and stored.redirect_uri == first.redirect_uri


@pytest.mark.parametrize(
    "encoded_id",
    ["forged-id-that-names-nothing", "x" * 5000, "%01", "a+b", "%C3%A9", "%ED%A0%80", "%FF", ""],
)
async def test_a_forged_request_id_is_a_clear_400(
    client: httpx.AsyncClient, session: AsyncSession, encoded_id: str
) -> None:
    _, first, _ = await _two_tabs(client, session)
    page = await client.get("/oauth/consent", params={"request": first.request_id})
    for path in ("/oauth/consent", "/oauth/select-patient"):
        shown = await client.get(f"{path}?request={encoded_id}")
        assert shown.status_code == 400, shown.text
        assert "Start again from the app" in shown.text
    body = f"csrf_token={csrf_of(page.text)}&request={encoded_id}&decision=allow"
    for path, extra in (
        ("/oauth/consent", "&category=lab_results&duration=one_hour"),
        ("/oauth/select-patient", "&patient_id=1"),
    ):
        posted = await client.post(
            path,
            content=body + extra,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert posted.status_code == 400 and "location" not in posted.headers, posted.text
    assert await _grants(session) == []


async def test_another_browsers_request_id_is_refused(
    client: httpx.AsyncClient, app: Starlette, session: AsyncSession
) -> None:
    victim = await arrange(session)
    _, challenge = pkce_pair()
    victim_request = await begin(client, victim.app, challenge)
    await login(client, victim.account.username)
    # An attacker with their own session (same app, their own login) presents the victim's id.
    await make_simple_patient(session, "mallory")
    await session.commit()
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as attacker:
        await login(attacker, "mallory")
        own_page = await attacker.get("/account")
        assert own_page.status_code == 200
        _, own_challenge = pkce_pair()
        own_request = await begin(attacker, victim.app, own_challenge)
        form = await attacker.get("/oauth/consent", params={"request": own_request})
        shown = await attacker.get("/oauth/consent", params={"request": victim_request})
        assert shown.status_code == 400
        assert "not belong to an authorization request started in this browser" in shown.text
        posted = await attacker.post(
            "/oauth/consent",
            data={
                "csrf_token": csrf_of(form.text),
                "request": victim_request,
                "decision": "allow",
                "duration": "one_hour",
            },
        )
        assert posted.status_code == 400 and "location" not in posted.headers
    # The victim's own request is untouched and still answerable.
    answer = await consent(client, victim_request)
    assert answer.status_code == 303
    assert [g.account_id for g in await _grants(session)] == [victim.account.id]


async def test_a_replayed_consent_post_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    request_id = await open_request(client, party)
    page = await client.get("/oauth/consent", params={"request": request_id})
    form = {
        "csrf_token": csrf_of(page.text),
        "request": hidden_request_of(page.text),
        "decision": "allow",
        "category": ["lab_results"],
        "duration": "ninety_days",
    }
    first = await client.post("/oauth/consent", data=form)
    assert first.status_code == 303
    again = await client.post("/oauth/consent", data=form)
    assert again.status_code == 400 and "already answered" in again.text
    denied = await client.post("/oauth/consent", data=form | {"decision": "deny"})
    assert denied.status_code == 400
    assert len(await _grants(session)) == 1
    assert len((await session.exec(select(AuthorizationCode))).all()) == 1
    shown = await client.get("/oauth/consent", params={"request": request_id})
    assert shown.status_code == 400


async def test_two_simultaneous_answers_issue_one_code(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    request_id = await open_request(client, party)
    page = await client.get("/oauth/consent", params={"request": request_id})
    form = {
        "csrf_token": csrf_of(page.text),
        "request": request_id,
        "decision": "allow",
        "category": ["lab_results"],
        "duration": "ninety_days",
    }
    answers = await asyncio.gather(*(client.post("/oauth/consent", data=form) for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [303, 400, 400]
    assert len((await session.exec(select(AuthorizationCode))).all()) == 1


async def test_an_expired_request_cannot_be_answered(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    request_id = await open_request(client, party)
    page = await client.get("/oauth/consent", params={"request": request_id})
    assert page.status_code == 200
    await session.exec(
        update(AuthorizationRequest).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()
    shown = await client.get("/oauth/consent", params={"request": request_id})
    assert shown.status_code == 400 and "expired" in shown.text
    posted = await client.post(
        "/oauth/consent",
        data={
            "csrf_token": csrf_of(page.text),
            "request": request_id,
            "decision": "allow",
            "duration": "one_hour",
        },
    )
    assert posted.status_code == 400 and "location" not in posted.headers
    assert await _grants(session) == []


async def test_requests_expire_after_the_configured_time(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    before = utcnow()
    await begin(client, party.app, challenge)
    stored = (await session.exec(select(AuthorizationRequest))).one()
    assert stored.request_hash and len(stored.request_hash) == 64
    assert timedelta(minutes=9) < stored.expires_at - before <= timedelta(minutes=10, seconds=5)


async def test_login_and_patient_choice_keep_each_tabs_request(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Two tabs opened before login: login through the second, choose a patient in each."""
    party = await arrange(session, child=True)
    child = party.other_patients[0]
    other = await _second_app(session, party)
    first = await _open(client, party.app, redirect_uri="https://app.example.test/callback")
    second = await _open(client, other, redirect_uri=OTHER_REDIRECT, scope=OTHER_SCOPE)

    # The login page of the second tab carries its request to the page after login.
    login_page = await client.get(f"/login?next=/oauth/consent%3Frequest%3D{second.request_id}")
    logged_in = await client.post(
        "/login",
        data={
            "login": party.account.username,
            "password": "correct horse battery staple",
            "csrf_token": csrf_of(login_page.text),
            "next": f"/oauth/consent?request={second.request_id}",
        },
    )
    assert logged_in.headers["location"] == f"/oauth/consent?request={second.request_id}"
    to_choice = await client.get(logged_in.headers["location"])
    assert to_choice.headers["location"] == f"/oauth/select-patient?request={second.request_id}"

    chosen = {first.request_id: child.id, second.request_id: party.patient.id}
    for tab in (second, first):
        page = await client.get("/oauth/select-patient", params={"request": tab.request_id})
        assert tab.app.name in page.text
        answer = await client.post(
            "/oauth/select-patient",
            data={
                "csrf_token": csrf_of(page.text),
                "request": hidden_request_of(page.text),
                "patient_id": chosen[tab.request_id],
            },
        )
        assert answer.headers["location"] == f"/oauth/consent?request={tab.request_id}"

    patients = {}
    for tab in (first, second):
        page = await client.get("/oauth/consent", params={"request": tab.request_id})
        assert ("Kid" in page.text) == (tab is first)
        answer = await consent(client, tab.request_id)
        code = query_of(answer.headers["location"])["code"]
        tab_party = Party(party.account, party.patient, tab.app)
        token = await exchange(client, tab_party, code, tab.verifier, redirect_uri=tab.redirect_uri)
        patients[tab.app.id] = token.json()["patient"]
    assert patients == {first.app.id: str(child.id), second.app.id: str(party.patient.id)}
    selected = (
        await session.exec(
            select(ActivityEvent).where(col(ActivityEvent.kind) == EventKind.PATIENT_SELECTED)
        )
    ).all()
    assert sorted((e.app_id, e.patient_id) for e in selected) == sorted(
        [(first.app.id, child.id), (second.app.id, party.patient.id)]
    )


async def test_a_request_from_before_logout_is_gone_after_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    request_id = await open_request(client, party)
    page = await client.get("/oauth/consent", params={"request": request_id})
    await client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    await login(client, party.account.username)
    shown = await client.get("/oauth/consent", params={"request": request_id})
    assert shown.status_code == 400


async def test_expired_requests_are_deleted_when_a_new_one_is_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    _, challenge = pkce_pair()
    old_id = await begin(client, party.app, challenge)
    await session.exec(
        update(AuthorizationRequest).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()
    new_id = await begin(client, party.app, challenge)
    rows = (
        await session.exec(select(AuthorizationRequest).execution_options(populate_existing=True))
    ).all()
    assert [r.expires_at > utcnow() for r in rows] == [True]
    await login(client, party.account.username)
    gone = await client.get("/oauth/consent", params={"request": old_id})
    assert gone.status_code == 400
    assert (await client.get("/oauth/consent", params={"request": new_id})).status_code == 200

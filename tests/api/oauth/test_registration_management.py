"""RFC 7592: a dynamically registered app reads, updates and deletes its own registration."""

from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import AccountRole, Relationship
from db.activity import ActivityEvent, EventKind
from db.apps import (
    AUTO_APPROVE_DYNAMIC_REGISTRATION,
    App,
    AppStatus,
    find_app_by_client_id,
    set_operator_flag,
)
from db.columns import utcnow
from db.credentials import find_live_access_token
from db.grants import Grant
from db.tokens import hash_secret
from sharing.activity_summary import summarize
from sharing.apps import AppMetadata, register_app
from tests.builders.oauth import ISSUER, REDIRECT_URI, authorize_params, csrf_of, login, pkce_pair
from tests.builders.people import (
    TEST_HASHER,
    issue_token,
    make_account,
    make_app,
    make_grant,
    make_patient,
)

METADATA: dict[str, Any] = {
    "client_name": "Step Counter",
    "redirect_uris": [REDIRECT_URI],
    "token_endpoint_auth_method": "none",
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
    "client_uri": "https://steps.example",
    "description": "Counts steps.",
}
INVALID_TOKEN = 'Bearer error="invalid_token"'


async def _register(client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    response = await client.post("/oauth/register", json={**METADATA, **changes})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _path(registered: dict[str, Any]) -> str:
    return f"/oauth/register/{registered['client_id']}"


async def _put(
    client: httpx.AsyncClient, registered: dict[str, Any], **changes: Any
) -> httpx.Response:
    """PUT the registration as last returned, with `changes` applied."""
    body = {**registered, **changes}
    return await client.put(
        _path(registered), json=body, headers=_bearer(registered["registration_access_token"])
    )


async def _app(session: AsyncSession, client_id: str) -> App:
    session.expire_all()  # the server changed the row in its own session
    app = await find_app_by_client_id(session, client_id=client_id)
    assert app is not None
    return app


async def _approve(session: AsyncSession, client_id: str) -> App:
    app = await _app(session, client_id)
    app.status = AppStatus.APPROVED
    session.add(app)
    await session.commit()
    return app


async def _events(session: AsyncSession, app_id: int | None) -> list[ActivityEvent]:
    statement = select(ActivityEvent).where(col(ActivityEvent.app_id) == app_id)
    return list((await session.exec(statement.order_by(col(ActivityEvent.id)))).all())


def _assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == INVALID_TOKEN
    assert response.json()["error"] == "invalid_token"


async def test_registration_answer_carries_the_token_and_client_uri(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    assert registered["registration_client_uri"] == f"{ISSUER}{_path(registered)}"
    assert isinstance(registered["client_id_issued_at"], int)
    app = await _app(session, registered["client_id"])
    assert app.registration_token_hash == hash_secret(registered["registration_access_token"])


async def test_confidential_registration_says_its_secret_never_expires(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client, token_endpoint_auth_method="client_secret_basic")
    assert registered["client_secret"] and registered["client_secret_expires_at"] == 0


async def test_read_returns_the_registration_as_registered(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    response = await client.get(
        _path(registered), headers=_bearer(registered["registration_access_token"])
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == registered


async def test_read_never_shows_the_secret_or_the_token_hash(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client, token_endpoint_auth_method="client_secret_basic")
    response = await client.get(
        _path(registered), headers=_bearer(registered["registration_access_token"])
    )
    app = await _app(session, registered["client_id"])
    assert app.registration_token_hash is not None
    assert "client_secret" not in response.json()
    assert registered["client_secret"] not in response.text
    assert app.registration_token_hash not in response.text
    assert response.json()["client_secret_expires_at"] == 0


async def test_update_replaces_the_metadata(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    changes = {
        "client_name": "Step Counter Pro",
        "redirect_uris": ["https://steps.example/cb", "http://127.0.0.1:9000/cb"],
        "scope": "patient/Observation.rs",
    }
    response = await _put(
        client, {k: v for k, v in registered.items() if k != "description"}, **changes
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {key: body[key] for key in changes} == changes
    assert "description" not in body  # omitted fields are cleared (RFC 7592 replaces)
    assert body["registration_access_token"] == registered["registration_access_token"]
    app = await _app(session, registered["client_id"])
    assert (app.name, app.description, app.allowed_scopes) == (
        "Step Counter Pro",
        None,
        "patient/Observation.rs",
    )


async def test_update_with_an_insecure_redirect_uri_is_invalid_redirect_uri(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    response = await _put(client, registered, redirect_uris=["http://steps.example/cb"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_redirect_uri"
    app = await _app(session, registered["client_id"])
    assert app.redirect_uris == f'["{REDIRECT_URI}"]'


async def test_update_with_another_client_id_is_refused(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    other = await _register(client)
    response = await _put(client, registered, client_id=other["client_id"], client_name="Hijack")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_update_without_client_id_is_refused(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    body = {k: v for k, v in registered.items() if k != "client_id"}
    response = await client.put(
        _path(registered), json=body, headers=_bearer(registered["registration_access_token"])
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_update_with_a_wrong_client_secret_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client, token_endpoint_auth_method="client_secret_basic")
    response = await _put(client, registered, client_secret="my-own-choice", client_name="New")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert (await _app(session, registered["client_id"])).name == "Step Counter"


async def test_update_with_the_current_client_secret_is_accepted(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client, token_endpoint_auth_method="client_secret_basic")
    response = await _put(client, registered, client_name="Renamed")
    assert response.status_code == 200, response.text
    assert response.json()["client_name"] == "Renamed"
    assert "client_secret" not in response.json()


async def test_update_of_a_public_app_with_any_client_secret_is_refused(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client)
    response = await _put(client, registered, client_secret="chosen-by-the-client")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_update_with_a_null_client_secret_is_the_same_as_none(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client, token_endpoint_auth_method="client_secret_basic")
    response = await _put(client, registered, client_secret=None, client_name="Renamed")
    assert response.status_code == 200, response.text


async def test_update_cannot_turn_a_public_app_confidential(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    response = await _put(client, registered, token_endpoint_auth_method="client_secret_basic")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_update_without_auth_method_keeps_a_public_app_public(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client)
    body = {k: v for k, v in registered.items() if k != "token_endpoint_auth_method"}
    response = await client.put(
        _path(registered), json=body, headers=_bearer(registered["registration_access_token"])
    )
    assert response.status_code == 200, response.text
    assert response.json()["token_endpoint_auth_method"] == "none"


async def test_renaming_an_approved_app_sends_it_back_to_review(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    await _approve(session, registered["client_id"])
    response = await _put(client, registered, client_name="Totally Your Bank")
    assert response.json()["status"] == "pending"
    assert (await _app(session, registered["client_id"])).status == AppStatus.PENDING


async def test_new_redirect_uri_on_an_approved_app_sends_it_back_to_review(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    await _approve(session, registered["client_id"])
    response = await _put(client, registered, redirect_uris=["https://elsewhere.example/cb"])
    assert response.json()["status"] == "pending"


async def test_a_new_description_keeps_an_approved_app_approved(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    await _approve(session, registered["client_id"])
    response = await _put(client, registered, description="Counts steps, now with charts.")
    assert response.json()["status"] == "approved"


async def test_with_auto_approval_a_renamed_app_stays_approved(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await set_operator_flag(session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION, value=True)
    await session.commit()
    registered = await _register(client)
    response = await _put(client, registered, client_name="Step Counter 2")
    assert response.json()["status"] == "approved"


async def test_a_suspended_app_stays_suspended_after_an_update(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await set_operator_flag(session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION, value=True)
    await session.commit()
    registered = await _register(client)
    app = await _app(session, registered["client_id"])
    app.status = AppStatus.SUSPENDED
    session.add(app)
    await session.commit()
    response = await _put(client, registered, client_name="Fresh Start")
    assert response.json()["status"] == "suspended"


async def test_update_with_a_form_body_is_invalid_client_metadata(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client)
    response = await client.put(
        _path(registered),
        data={"client_name": "x"},
        headers=_bearer(registered["registration_access_token"]),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_update_with_broken_json_is_invalid_client_metadata(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client)
    headers = {
        **_bearer(registered["registration_access_token"]),
        "Content-Type": "application/json",
    }
    response = await client.put(_path(registered), content=b'{"client_name": ', headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_update_with_a_json_array_is_invalid_client_metadata(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client)
    response = await client.put(
        _path(registered),
        json=[registered],
        headers=_bearer(registered["registration_access_token"]),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_update_with_an_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    response = await _put(client, registered, description="x" * 70_000)
    assert response.status_code == 413


async def test_update_records_an_event_naming_the_changed_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    await _put(client, registered, client_name="Step Counter Pro")
    app = await _app(session, registered["client_id"])
    updates = [
        e for e in await _events(session, app.id) if e.kind == EventKind.REGISTRATION_UPDATED
    ]
    assert len(updates) == 1
    assert '"changed": ["name"]' in updates[0].details
    assert updates[0].source_address == "203.0.113.7"


async def _live_grant(session: AsyncSession, client_id: str) -> tuple[str, Grant]:
    """Approve the app and give it a patient's grant and an access token."""
    app = await _approve(session, client_id)
    patient = await make_patient(session)
    account = await make_account(session, patients=[(patient, Relationship.SELF)])
    grant = await make_grant(
        session, account=account, patient=patient, app=app, scopes=["patient/Observation.rs"]
    )
    token = await issue_token(session, grant=grant)
    await session.commit()
    return token, grant


async def test_delete_answers_204_and_the_registration_token_stops_working(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    headers = _bearer(registered["registration_access_token"])
    response = await client.delete(_path(registered), headers=headers)
    assert response.status_code == 204
    _assert_refused(await client.get(_path(registered), headers=headers))
    _assert_refused(await client.delete(_path(registered), headers=headers))
    app = await _app(session, registered["client_id"])
    assert app.status == AppStatus.SUSPENDED and app.deleted_at is not None
    assert app.registration_token_hash is None


async def test_delete_kills_the_apps_access_tokens_at_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    token, grant = await _live_grant(session, registered["client_id"])
    grant_id = grant.id
    assert await find_live_access_token(session, token_hash=hash_secret(token), now=utcnow())
    await client.delete(_path(registered), headers=_bearer(registered["registration_access_token"]))
    session.expire_all()
    assert (
        await find_live_access_token(session, token_hash=hash_secret(token), now=utcnow()) is None
    )
    refreshed = await session.get(Grant, grant_id)
    assert refreshed is not None and refreshed.revoked_reason == "app_deleted"
    graphql = await client.post(
        "/graphql", json={"query": "{ viewer { kind } }"}, headers=_bearer(token)
    )
    assert graphql.status_code == 401


async def test_after_delete_the_authorization_endpoint_shows_an_error_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    app = await _approve(session, registered["client_id"])
    await client.delete(_path(registered), headers=_bearer(registered["registration_access_token"]))
    _, challenge = pkce_pair()
    response = await client.get("/oauth/authorize", params=authorize_params(app, challenge))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")


async def test_after_delete_the_operator_cannot_approve_the_app_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    await client.delete(_path(registered), headers=_bearer(registered["registration_access_token"]))
    await make_account(session, username="olga", role=AccountRole.OPERATOR)
    await session.commit()
    await login(client, "olga")
    page = (await client.get("/operator")).text
    row = page[page.index(registered["client_id"]) :].split("</tr>")[0]
    assert "deleted by its developer" in row
    assert "Approve" not in row
    csrf = csrf_of(page)
    response = await client.post(
        _path(registered).replace("/oauth/register", "/operator/apps"),
        data={"csrf_token": csrf, "status": "approved"},
    )
    assert response.status_code == 409
    assert (await _app(session, registered["client_id"])).status == AppStatus.SUSPENDED


async def test_delete_records_events_for_the_app_and_each_patient(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client)
    _, grant = await _live_grant(session, registered["client_id"])
    await client.delete(_path(registered), headers=_bearer(registered["registration_access_token"]))
    events = await _events(session, grant.app_id)
    deleted = [e for e in events if e.kind == EventKind.REGISTRATION_DELETED]
    assert len(deleted) == 1 and '"grants_revoked": 1' in deleted[0].details
    revocations = [e for e in events if e.kind == EventKind.REVOCATION]
    assert [(e.patient_id, e.grant_id) for e in revocations] == [(grant.patient_id, grant.id)]
    assert "developer withdrew" in summarize(revocations[0], "Step Counter")


async def test_events_hold_no_secret_or_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await _register(client, token_endpoint_auth_method="client_secret_post")
    await _put(client, registered, client_name="Step Counter Pro")
    await client.delete(_path(registered), headers=_bearer(registered["registration_access_token"]))
    app = await _app(session, registered["client_id"])
    events = await _events(session, app.id)
    assert {e.kind for e in events} >= {
        EventKind.REGISTRATION,
        EventKind.REGISTRATION_UPDATED,
        EventKind.REGISTRATION_DELETED,
    }
    token = registered["registration_access_token"]
    for event in events:
        for secret in (token, hash_secret(token), registered["client_secret"]):
            assert secret not in event.details


async def test_a_wrong_token_is_401(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    _assert_refused(await client.get(_path(registered), headers=_bearer("not-the-token")))


async def test_a_missing_token_is_401(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    _assert_refused(await client.get(_path(registered)))


async def test_a_token_in_the_query_string_is_401(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    params = {"access_token": registered["registration_access_token"]}
    _assert_refused(await client.get(_path(registered), params=params))


async def test_another_clients_token_is_401_for_every_method(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    victim = await _register(client)
    attacker = await _register(client)
    headers = _bearer(attacker["registration_access_token"])
    _assert_refused(await client.get(_path(victim), headers=headers))
    body = {**victim, "client_name": "Hijacked"}
    _assert_refused(await client.put(_path(victim), json=body, headers=headers))
    _assert_refused(await client.delete(_path(victim), headers=headers))
    app = await _app(session, victim["client_id"])
    assert app.name == "Step Counter" and app.deleted_at is None


async def test_an_unknown_client_id_gets_the_same_answer_as_a_wrong_token(
    client: httpx.AsyncClient,
) -> None:
    registered = await _register(client)
    headers = _bearer(registered["registration_access_token"])
    unknown = await client.get("/oauth/register/no-such-client", headers=headers)
    wrong = await client.get(_path(registered), headers=_bearer("wrong"))
    _assert_refused(unknown)
    assert (unknown.status_code, unknown.headers["www-authenticate"], unknown.json()) == (
        wrong.status_code,
        wrong.headers["www-authenticate"],
        wrong.json(),
    )


async def test_an_app_registered_through_graphql_cannot_be_managed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await register_app(
        session,
        metadata=AppMetadata(name="Account App", redirect_uris=[REDIRECT_URI], confidential=False),
        hasher=TEST_HASHER,
        developer_account_id=None,
        via="account",
        source_address=None,
    )
    await session.commit()
    assert registered.registration_access_token is None
    assert registered.app.registration_token_hash is None
    path = f"/oauth/register/{registered.app.client_id}"
    for token in ("", "None", hash_secret("")):
        _assert_refused(await client.get(path, headers=_bearer(token)))


async def test_a_seeded_app_cannot_be_managed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    app = await make_app(session, client_id="chartshare-demo-app")
    app.registered_via = "seed"
    session.add(app)
    await session.commit()
    _assert_refused(
        await client.delete("/oauth/register/chartshare-demo-app", headers=_bearer("x"))
    )
    assert (await _app(session, "chartshare-demo-app")).deleted_at is None


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"client_name": "\\udfff"}', "surrogate"),
        (b'{"client_name": ' + b"{" * 3000 + b"}" * 3000 + b"}", "nests"),
    ],
)
async def test_an_update_with_json_no_database_can_store_is_invalid_client_metadata(
    client: httpx.AsyncClient, raw: bytes, says: str
) -> None:
    registered = await _register(client)

    response = await client.put(
        _path(registered),
        content=raw,
        headers={
            **_bearer(registered["registration_access_token"]),
            "Content-Type": "application/json",
        },
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert says in response.json()["error_description"]

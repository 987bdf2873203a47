"""Many app reads, logins and consents at once: none fails, none waits on another's lock.

On the embedded SQLite database an app's read used to write the grant's last-used
time first and so held the only write lock for as long as its query ran: logins and
consents arriving meanwhile waited in SQLite's busy handler and failed with
"database is locked" (HTTP 503), or ran out of pool connections.
"""

import asyncio
import logging

import httpx
import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from api.sessions import cookie_name
from api.settings import Settings
from db.accounts import Account, Relationship
from db.activity import ActivityEvent, EventKind
from db.grants import Grant
from db.web_sessions import open_session
from tests.builders.graphql import full_record_query, grant_app
from tests.builders.oauth import login
from tests.builders.people import make_account, make_app, make_patient
from tests.builders.records import seed_record

READS = 30
LOGINS = 15
CONSENTS = 5
PER_CATEGORY = 5
AUTHORIZE = """
mutation Authorize($input: AuthorizeAppInput!) {
  authorizeApp(input: $input) { authorizedApp { grantId } userErrors { code message } }
}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Production password hashing, so that logins take the time they take in real life; a
    # connection for every request and no time budget, so that only locks could make one fail.
    return settings.with_overrides(
        argon2_memory_kib=19456,
        argon2_iterations=2,
        database_pool_size=READS + LOGINS + CONSENTS,
        max_query_seconds=120.0,
    )


def _client(app: Starlette, settings: Settings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    return httpx.AsyncClient(transport=transport, base_url=settings.base_url, timeout=60)


async def _signed_in(
    session: AsyncSession, account: Account, settings: Settings
) -> tuple[str, str]:
    raw_id, row = await open_session(
        session, account_id=account.id, patient_id=None, absolute_seconds=3600
    )
    return raw_id, row.csrf_token


async def test_app_reads_logins_and_consents_at_once_all_succeed(
    session: AsyncSession, app: Starlette, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=PER_CATEGORY)
    access = await grant_app(session, patient, ["patient/*.rs"])
    readers = [await make_account(session, patients=[(patient, Relationship.SELF)])]
    readers += [await make_account(session) for _ in range(LOGINS - 1)]
    consenters = [
        await make_account(session, patients=[(await make_patient(session), Relationship.SELF)])
        for _ in range(CONSENTS)
    ]
    partner = await make_app(session, name="Concurrent Partner")
    consent_sessions = [await _signed_in(session, a, settings) for a in consenters]
    await session.commit()
    query = full_record_query(first=PER_CATEGORY)

    async def read() -> int:
        async with _client(app, settings) as client:
            response = await client.post(
                "/graphql",
                json={"query": query},
                headers={"Authorization": f"Bearer {access.token}"},
            )
            assert response.status_code >= 500 or "errors" not in response.json(), response.text
            return response.status_code

    async def log_in(account: Account) -> int:
        async with _client(app, settings) as client:
            return (await login(client, account.username)).status_code

    async def consent(raw_id: str, csrf: str) -> int:
        async with _client(app, settings) as client:
            client.cookies.set(cookie_name(settings), raw_id)
            variables = {
                "input": {
                    "clientId": partner.client_id,
                    "scopes": ["patient/*.rs"],
                    "allowOfflineAccess": False,
                    "duration": "ONE_HOUR",
                }
            }
            response = await client.post(
                "/graphql",
                json={"query": AUTHORIZE, "variables": variables},
                headers={"X-CSRF-Token": csrf},
            )
            assert response.status_code == 200, response.text
            payload = response.json()["data"]["authorizeApp"]
            assert payload["userErrors"] == [] and payload["authorizedApp"]
            return response.status_code

    with caplog.at_level(logging.WARNING):
        statuses = await asyncio.gather(
            *(read() for _ in range(READS)),
            *(log_in(account) for account in readers),
            *(consent(raw_id, csrf) for raw_id, csrf in consent_sessions),
        )

    assert statuses == [200] * READS + [303] * LOGINS + [200] * CONSENTS
    assert "database" not in caplog.text.lower()
    session.expire_all()
    reads = await session.exec(
        select(func.count())
        .select_from(ActivityEvent)
        .where(col(ActivityEvent.kind) == EventKind.DATA_READ)
    )
    assert reads.one() == READS
    grant = await session.get(Grant, access.grant_id)
    assert grant is not None and grant.last_used_at is not None

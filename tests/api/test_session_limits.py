"""Login sessions end after 30 idle minutes and 12 hours at most, on pages and on /graphql."""

from datetime import timedelta

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import Relationship, WebSession
from db.columns import utcnow
from tests.builders.graphql import post_graphql, sign_in
from tests.builders.people import make_patient


async def _signed_in(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> tuple[WebSession, dict[str, str]]:
    patient = await make_patient(session)
    account, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    row = (
        await session.exec(select(WebSession).where(col(WebSession.account_id) == account.id))
    ).one()
    return row, csrf


async def _age(session: AsyncSession, row: WebSession, *, idle: int, opened: int) -> None:
    now = utcnow()
    row.last_seen_at = now - timedelta(seconds=idle)
    row.created_at = now - timedelta(seconds=opened)
    row.expires_at = row.created_at + timedelta(seconds=12 * 3600)
    session.add(row)
    await session.commit()


async def test_defaults_are_30_idle_minutes_and_12_hours(settings: Settings) -> None:
    assert (settings.session_idle_seconds, settings.session_absolute_seconds) == (1800, 43200)


async def test_a_session_idle_for_29_minutes_still_works(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    row, csrf = await _signed_in(session, client, settings)
    await _age(session, row, idle=29 * 60, opened=3600)
    assert (await client.get("/account")).status_code == 200
    assert (await post_graphql(client, "{ viewer { kind } }", headers=csrf)).status_code == 200


async def test_a_session_idle_for_31_minutes_has_ended(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    row, csrf = await _signed_in(session, client, settings)
    await _age(session, row, idle=31 * 60, opened=3600)
    assert (await post_graphql(client, "{ viewer { kind } }", headers=csrf)).status_code == 401
    assert (await client.get("/account")).status_code == 303


async def test_a_busy_session_ends_after_12_hours(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    row, csrf = await _signed_in(session, client, settings)
    await _age(session, row, idle=10, opened=12 * 3600 + 60)
    assert (await post_graphql(client, "{ viewer { kind } }", headers=csrf)).status_code == 401
    assert (await client.get("/account")).status_code == 303

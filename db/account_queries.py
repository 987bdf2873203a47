"""Queries behind the account page: app directory, read history, acting patient."""

import json
from collections import defaultdict

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import WebSession
from db.activity import ActivityEvent, EventKind
from db.apps import App, AppStatus
from db.errors import NotFound


async def list_approved_apps(session: AsyncSession) -> list[App]:
    """Apps the operator approved, by name."""
    statement = select(App).where(col(App.status) == AppStatus.APPROVED).order_by(col(App.name))
    return list((await session.exec(statement)).all())


async def get_apps(session: AsyncSession, *, ids: list[int]) -> list[App]:
    """Apps by id, whatever their status."""
    if not ids:
        return []
    return list((await session.exec(select(App).where(col(App.id).in_(ids)))).all())


async def list_categories_read(
    session: AsyncSession, *, grant_ids: list[int]
) -> dict[int, set[str]]:
    """For each grant, the data categories its app has actually received (from DATA_READ events)."""
    if not grant_ids:
        return {}
    statement = select(ActivityEvent.grant_id, ActivityEvent.details).where(
        col(ActivityEvent.kind) == EventKind.DATA_READ,
        col(ActivityEvent.grant_id).in_(grant_ids),
    )
    read: dict[int, set[str]] = defaultdict(set)
    for grant_id, details in (await session.exec(statement)).all():
        counts = json.loads(details).get("categories", {})
        if grant_id is not None and isinstance(counts, dict):
            read[grant_id].update(key for key, count in counts.items() if count)
    return dict(read)


async def set_acting_patient(
    session: AsyncSession, *, web_session_id: int, patient_id: int
) -> WebSession:
    """Make a login session act for another patient (the caller checks the account may)."""
    row = await session.get(WebSession, web_session_id)
    if row is None:
        raise NotFound("no such session")
    row.patient_id = patient_id
    session.add(row)
    await session.flush()
    return row

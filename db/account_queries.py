"""Queries behind the account page: app directory, read history, acting patient."""

import json
from collections import defaultdict

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, AccountPatient, WebSession
from db.activity import ActivityEvent, Actor, EventKind, record_event
from db.apps import App, AppStatus
from db.errors import NotFound
from db.grants import Grant
from db.patients import Patient
from db.writes import save


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


async def act_for_patient(
    session: AsyncSession, *, web_session_id: int, patient_id: int, actor: Actor
) -> tuple[Patient, str] | None:
    """Make a login session act for another patient its account may act for, and log it.

    Returns the patient and the account's relationship to it; None, changing nothing, when the
    account is not linked to the patient. One unit of work: the switch and its event together.
    """
    row = await session.get(WebSession, web_session_id)
    if row is None or row.account_id != actor.account_id:
        raise NotFound("no such session")
    link = await session.get(AccountPatient, (row.account_id, patient_id))
    patient = None if link is None else await session.get(Patient, patient_id)
    if link is None or patient is None:
        return None
    row.patient_id = patient_id
    await save(session, row)
    await record_event(session, kind=EventKind.PATIENT_SELECTED, actor=actor, patient_id=patient_id)
    return patient, link.relationship


async def list_grant_authors(
    session: AsyncSession, *, grants: list[Grant]
) -> dict[int, tuple[int, str, str | None]]:
    """For each grant: the consenting account's id, name and its current link to the patient."""
    account_ids = list({g.account_id for g in grants})
    if not account_ids:
        return {}
    accounts = await session.exec(select(Account).where(col(Account.id).in_(account_ids)))
    names = {a.id: a.display_name for a in accounts.all()}
    links = await session.exec(
        select(AccountPatient).where(col(AccountPatient.account_id).in_(account_ids))
    )
    relationship = {(link.account_id, link.patient_id): link.relationship for link in links.all()}
    return {
        g.id: (
            g.account_id,
            names.get(g.account_id, "a former account"),
            relationship.get((g.account_id, g.patient_id)),
        )
        for g in grants
        if g.id is not None
    }

"""The account's download of its record: every row of the chosen categories as one FHIR Bundle."""

from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.types import Info

from db.activity import Actor, EventKind, record_event
from db.records_query import get_patient, list_all_patient_records
from schema.context import GraphQLContext
from schema.errors import BadUserInput
from schema.permissions import account_only
from sharing.categories import BY_KEY, CATEGORIES, CategoryKey
from sharing.fhir.bundle import build_bundle


def _all_rows(
    model: type[SQLModel], patient_id: int
) -> Callable[[AsyncSession], Awaitable[list[SQLModel]]]:
    async def read(session: AsyncSession) -> list[SQLModel]:
        return await list_all_patient_records(session, model=model, patient_id=patient_id)

    return read


async def export_record(
    info: Info[GraphQLContext, Any], categories: list[CategoryKey] | None
) -> dict[str, Any] | None:
    """The acting patient's record (all of it, or the given categories), logged as one event."""
    caller = account_only(info)
    context = info.context
    patient_id = caller.patient_id
    if patient_id is None:
        return None
    if categories is not None and not categories:
        raise BadUserInput("Choose at least one category, or none for the whole record.")
    wanted = [c.key for c in CATEGORIES if categories is None or c.key in categories]
    patient = await context.db.run(lambda s: get_patient(s, patient_id=patient_id))
    if patient is None:
        return None
    rows: dict[CategoryKey, list[SQLModel]] = {}
    for key in wanted:
        category = BY_KEY[key]
        if category.is_patient:
            rows[key] = [patient]
            continue
        rows[key] = await context.db.run(_all_rows(category.model, patient_id))
    bundle = build_bundle(patient=patient, rows=rows, base_url=context.base_url)
    counts = {key.value: len(found) for key, found in rows.items() if found}
    context.later(
        lambda s: record_event(
            s,
            kind=EventKind.RECORD_EXPORTED,
            actor=Actor(caller.account_id, context.source_address),
            patient_id=patient_id,
            details={"categories": counts, "requested": [key.value for key in wanted]},
        )
    )
    return bundle

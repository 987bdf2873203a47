"""A whole patient record as the FHIR R4 Bundle the account page downloads."""

from typing import Any

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from db.records_query import get_patient, list_all_patient_records
from sharing.fhir.bundle import build_bundle
from sharing.scopes import CATEGORIES, CategoryKey


async def patient_bundle(
    session: AsyncSession, *, patient_id: int, base_url: str
) -> dict[str, Any] | None:
    """Every category of one patient as a collection Bundle; None for an unknown patient."""
    patient = await get_patient(session, patient_id=patient_id)
    if patient is None:
        return None
    rows: dict[CategoryKey, list[SQLModel]] = {}
    for category in CATEGORIES:
        if category.key is CategoryKey.DEMOGRAPHICS:
            rows[category.key] = [patient]
        else:
            rows[category.key] = list(
                await list_all_patient_records(session, model=category.model, patient_id=patient_id)
            )
    return build_bundle(patient=patient, rows=rows, base_url=base_url)

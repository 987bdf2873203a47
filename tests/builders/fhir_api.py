"""Helpers for FHIR API tests: a seeded patient with an app token, requests, validation."""

from dataclasses import dataclass
from typing import Any

import httpx
from fhir.resources.R4B import get_fhir_model_class
from sqlmodel.ext.asyncio.session import AsyncSession

from db.patients import Patient
from tests.builders.graphql import AppAccess, grant_app
from tests.builders.people import make_patient
from tests.builders.records import SeededRecord, seed_record

FHIR_JSON = "application/fhir+json"


@dataclass
class FHIRSetup:
    """A patient with a record of every category, another patient's record, and a token."""

    patient: Patient
    record: SeededRecord
    other: SeededRecord
    access: AppAccess

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access.token}"}


async def setup_fhir(
    session: AsyncSession, scopes: list[str], *, per_category: int = 2
) -> FHIRSetup:
    """Seed two patients' records and grant an app `scopes` for the first one."""
    other_patient = await make_patient(session, given_name="Other")
    other = await seed_record(session, other_patient, per_category=per_category, tag="other")
    patient = await make_patient(session)
    record = await seed_record(session, patient, per_category=per_category, tag="mine")
    access = await grant_app(session, patient, scopes)
    return FHIRSetup(patient=patient, record=record, other=other, access=access)


async def fhir_get(
    client: httpx.AsyncClient, path: str, setup: FHIRSetup | None, **params: Any
) -> httpx.Response:
    """GET a /fhir path with the setup's token (none when setup is None)."""
    headers = setup.headers if setup else {}
    return await client.get(f"/fhir/{path}", params=params or None, headers=headers)


def validate(resource: dict[str, Any]) -> None:
    """Validate a resource (and a Bundle's entries) with fhir.resources' R4B models."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry", []):
        validate(entry["resource"])


def entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of a searchset Bundle, validated."""
    assert bundle["resourceType"] == "Bundle", bundle
    assert bundle["type"] == "searchset"
    validate(bundle)
    return [e["resource"] for e in bundle.get("entry", [])]


def ids(bundle: dict[str, Any]) -> list[str]:
    """The ids of a searchset Bundle's resources, in order."""
    return [r["id"] for r in entries(bundle)]

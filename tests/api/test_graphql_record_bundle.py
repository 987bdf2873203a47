"""`recordBundle`: the account downloads its acting patient's record as a valid FHIR R4 Bundle."""

from collections import Counter
from typing import Any

import httpx
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.sessions import cookie_name
from api.settings import Settings
from db.accounts import Account
from db.observations import LabResult
from db.patients import Patient
from db.web_sessions import open_session
from sharing.scopes import BY_KEY, CategoryKey
from tests.builders.graphql import grant_app, post_graphql
from tests.builders.people import make_patient
from tests.db.seed_helpers import seed

BUNDLE = "query Download($c: [DataCategory!]) { recordBundle(categories: $c) }"
LAST_EVENT = "{ activityLog(first: 1) { totalCount edges { node { kind summary "
LAST_EVENT += "categories { category count } } } } }"


async def _alice(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings, database_url: str
) -> tuple[Patient, dict[str, str]]:
    """The seeded demo data; a session of the `alice` login acting for herself."""
    await seed(database_url, patients=3)
    account = (await session.exec(select(Account).where(col(Account.username) == "alice"))).one()
    alice = (await session.exec(select(Patient).where(col(Patient.given_name) == "Alice"))).one()
    raw_id, row = await open_session(
        session,
        account_id=account.id,
        patient_id=alice.id,
        absolute_seconds=settings.session_absolute_seconds,
    )
    await session.commit()
    client.cookies.set(cookie_name(settings), raw_id)
    return alice, {"X-CSRF-Token": row.csrf_token}


async def _count(session: AsyncSession, key: CategoryKey, patient_id: int | None) -> int:
    model: Any = BY_KEY[key].model
    statement = select(func.count()).select_from(model).where(model.patient_id == patient_id)
    return int((await session.exec(statement)).one())


def _validated(bundle: dict[str, Any]) -> Counter[str]:
    """Validate the Bundle and every resource with the R4B models; count resources by type."""
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return Counter(e["resource"]["resourceType"] for e in bundle["entry"])


async def test_the_whole_record_is_a_valid_fhir_bundle_with_every_row(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    database_url: str,
) -> None:
    alice, csrf = await _alice(session, client, settings, database_url)
    response = await post_graphql(client, BUNDLE, headers=csrf)
    body = response.json()
    assert "errors" not in body, body
    bundle = body["data"]["recordBundle"]
    counts = _validated(bundle)

    assert bundle["type"] == "collection"
    [patient] = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert patient["name"][0]["family"] == "Carter"
    assert patient["identifier"][0]["system"] == f"{settings.base_url}/fhir/sid/mrn"
    observations = 0
    for key in (
        CategoryKey.LAB_RESULTS,
        CategoryKey.VITAL_SIGNS,
        CategoryKey.SMOKING_STATUS,
        CategoryKey.FUNCTIONAL_STATUS,
        CategoryKey.MENTAL_STATUS,
    ):
        observations += await _count(session, key, alice.id)
    assert counts["Observation"] == observations > 100  # all rows, not one page
    assert counts["MedicationRequest"] == await _count(session, CategoryKey.MEDICATIONS, alice.id)
    assert counts["Encounter"] == await _count(session, CategoryKey.ENCOUNTERS, alice.id)

    log = (await post_graphql(client, LAST_EVENT, headers=csrf)).json()["data"]["activityLog"]
    [edge] = log["edges"]
    assert edge["node"]["kind"] == "RECORD_EXPORTED"
    assert edge["node"]["summary"].startswith("You downloaded your record (")
    read = {c["category"]: c["count"] for c in edge["node"]["categories"]}
    assert read["LAB_RESULTS"] == await _count(session, CategoryKey.LAB_RESULTS, alice.id)
    assert log["totalCount"] >= 1


async def test_chosen_categories_only(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    database_url: str,
) -> None:
    alice, csrf = await _alice(session, client, settings, database_url)
    variables = {"c": ["LAB_RESULTS", "MEDICATIONS"]}
    body = (await post_graphql(client, BUNDLE, variables=variables, headers=csrf)).json()
    counts = _validated(body["data"]["recordBundle"])

    labs = await session.exec(
        select(func.count()).select_from(LabResult).where(col(LabResult.patient_id) == alice.id)
    )
    medications = await _count(session, CategoryKey.MEDICATIONS, alice.id)
    assert counts == {"Patient": 1, "Observation": labs.one(), "MedicationRequest": medications}
    [patient] = [
        e["resource"]
        for e in body["data"]["recordBundle"]["entry"]
        if e["resource"]["resourceType"] == "Patient"
    ]
    assert "name" not in patient  # demographics were not chosen


async def test_an_empty_choice_is_bad_input(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    database_url: str,
) -> None:
    _, csrf = await _alice(session, client, settings, database_url)
    body = (await post_graphql(client, BUNDLE, variables={"c": []}, headers=csrf)).json()
    assert body["data"] == {"recordBundle": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_app_tokens_may_not_download_the_record(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/*.rs"])
    body = (await post_graphql(client, BUNDLE, token=access.token)).json()
    assert body["data"] == {"recordBundle": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_a_representative_downloads_the_record_they_act_for(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    database_url: str,
) -> None:
    await _alice(session, client, settings, database_url)
    account = (await session.exec(select(Account).where(col(Account.username) == "alice"))).one()
    lily = (await session.exec(select(Patient).where(col(Patient.given_name) == "Lily"))).one()
    raw_id, row = await open_session(
        session,
        account_id=account.id,
        patient_id=lily.id,
        absolute_seconds=settings.session_absolute_seconds,
    )
    await session.commit()
    client.cookies.set(cookie_name(settings), raw_id)
    variables = {"c": ["DEMOGRAPHICS", "IMMUNIZATIONS"]}
    headers = {"X-CSRF-Token": row.csrf_token}
    body = (await post_graphql(client, BUNDLE, variables=variables, headers=headers)).json()
    counts = _validated(body["data"]["recordBundle"])
    patients = [
        e["resource"]
        for e in body["data"]["recordBundle"]["entry"]
        if e["resource"]["resourceType"] == "Patient"
    ]
    assert [p["name"][0]["given"][0] for p in patients] == ["Lily"]
    assert counts["Immunization"] == await _count(session, CategoryKey.IMMUNIZATIONS, lily.id)

"""Callers for GraphQL tests (an app token or an account session) and the full-record query."""

from dataclasses import dataclass
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.sessions import cookie_name
from api.settings import Settings
from db.accounts import Account, AccountRole, Relationship
from db.patients import Patient
from db.web_sessions import open_session
from tests.builders.people import issue_token, make_account, make_app, make_grant

CONNECTION = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { %s } }"
OBSERVATION = (
    "id code { system code display } status effectiveAt valueQuantity { value unit } "
    "valueText referenceRange { low { value unit } high { value unit } } "
    "interpretation { code display } encounter { id location }"
)
CONDITION = "id code { code display } icd10 { code display } clinicalStatus recordedAt"
PATIENT_FIELDS = {
    "careTeam": "id name role { code display } status",
    "allergies": "id code { display } clinicalStatus reaction { manifestation { display } }",
    "assessmentAndPlan": "id assessment plan encounter { id }",
    "encounters": (
        "id code { display } class status startAt location provider { id name } "
        "diagnoses { id code { display } icd10 { display } }"
    ),
    "functionalStatus": OBSERVATION,
    "mentalStatus": OBSERVATION,
    "labResults": OBSERVATION,
    "vitalSigns": OBSERVATION,
    "smokingStatus": OBSERVATION,
    "goals": "id description lifecycleStatus startDate",
    "problems": CONDITION,
    "healthConcerns": CONDITION,
    "immunizations": "id code { system code display } occurredAt performer",
    "medicalEquipment": "id udiCarrier deviceIdentifier implantedOn",
    "medications": "id code { display } status dosageText prescriber { id name } encounter { id }",
    "procedures": "id code { display } performedAt bodySite encounter { id }",
    "referrals": "id reasonText requester { id name } encounter { id }",
}
DEMOGRAPHIC_FIELDS = (
    "name { given family text }",
    "birthDate",
    "sex",
    "race { code display }",
    "ethnicity { code display }",
    "preferredLanguage",
)


def full_record_query(first: int = 100) -> str:
    """Every category and link of the patient, `first` items per list."""
    lists = " ".join(
        f"{name}(first: {first}) {{ {CONNECTION % fields} }}"
        for name, fields in PATIENT_FIELDS.items()
    )
    return "query FullRecord { patient { id " + " ".join(DEMOGRAPHIC_FIELDS) + " " + lists + " } }"


async def post_graphql(
    client: httpx.AsyncClient,
    query: str,
    *,
    token: str | None = None,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST one operation; with a token as an app, otherwise with the client's cookies."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    return await client.post("/graphql", json=body, headers=sent)


@dataclass
class AppAccess:
    """An app's token for a patient, and the ids around it."""

    token: str
    grant_id: int
    app_id: int
    account: Account


async def grant_app(
    session: AsyncSession,
    patient: Patient,
    scopes: list[str],
    *,
    account: Account | None = None,
    app_name: str = "Demo Health Tracker",
) -> AppAccess:
    """A committed grant and access token for a new app."""
    account = account or await make_account(session, patients=[(patient, Relationship.SELF)])
    app = await make_app(session, name=app_name)
    grant = await make_grant(session, account=account, patient=patient, app=app, scopes=scopes)
    token = await issue_token(session, grant=grant)
    await session.commit()
    return AppAccess(token=token, grant_id=grant.id or 0, app_id=app.id or 0, account=account)


async def sign_in(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    patients: list[tuple[Patient, Relationship]],
    *,
    role: AccountRole = AccountRole.PATIENT,
) -> tuple[Account, dict[str, str]]:
    """A committed account session; sets the cookie and returns the CSRF header to send."""
    account = await make_account(session, patients=patients, role=role)
    raw_id, row = await open_session(
        session,
        account_id=account.id,
        patient_id=patients[0][0].id if patients else None,
        absolute_seconds=settings.session_absolute_seconds,
    )
    await session.commit()
    client.cookies.set(cookie_name(settings), raw_id)
    return account, {"X-CSRF-Token": row.csrf_token}

"""Builders for patients, accounts, apps, grants and tokens."""

import itertools
import json
import secrets
from datetime import date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, AccountPatient, AccountRole, Relationship
from db.apps import App, AppStatus
from db.columns import utcnow
from db.grants import Grant, create_grant
from db.passwords import hash_password, make_hasher
from db.patients import Patient
from db.tokens import Token, TokenKind, hash_secret

_counter = itertools.count(1)
# Cheap parameters: the builders only need a valid Argon2id hash.
TEST_HASHER = make_hasher(memory_kib=1024, iterations=1, parallelism=1)
PASSWORD = "correct horse battery staple"


async def make_patient(session: AsyncSession, **overrides: object) -> Patient:
    n = next(_counter)
    values: dict[str, object] = {
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "birth_date": date(1980, 1, 1),
        "sex": "F",
        "race_code": "2106-3",
        "race_display": "White",
        "ethnicity_code": "2186-5",
        "ethnicity_display": "Not Hispanic or Latino",
        "preferred_language": "en",
        "medical_record_number": f"TEST-{n:06d}-{secrets.token_hex(3)}",
    }
    values.update(overrides)
    patient = Patient.model_validate(values)
    session.add(patient)
    await session.flush()
    return patient


async def make_account(
    session: AsyncSession,
    *,
    username: str | None = None,
    role: AccountRole = AccountRole.PATIENT,
    patients: list[tuple[Patient, Relationship]] = (),  # type: ignore[assignment]
    password: str = PASSWORD,
) -> Account:
    name = username or f"user{next(_counter)}"
    account = Account(
        username=name,
        email=f"{name}@example.test",
        display_name=name.title(),
        role=role,
        password_hash=hash_password(TEST_HASHER, password),
    )
    session.add(account)
    await session.flush()
    for patient, relationship in patients:
        assert account.id is not None and patient.id is not None
        session.add(
            AccountPatient(account_id=account.id, patient_id=patient.id, relationship=relationship)
        )
    await session.flush()
    return account


async def make_app(
    session: AsyncSession,
    *,
    client_id: str | None = None,
    status: AppStatus = AppStatus.APPROVED,
    redirect_uris: list[str] | None = None,
    client_secret: str | None = None,
    name: str = "Test App",
) -> App:
    app = App(
        name=name,
        client_id=client_id or f"client-{next(_counter)}",
        redirect_uris=json.dumps(redirect_uris or ["https://app.example.test/callback"]),
        status=status,
        is_confidential=client_secret is not None,
        client_secret_hash=hash_password(TEST_HASHER, client_secret) if client_secret else None,
    )
    session.add(app)
    await session.flush()
    return app


async def make_grant(
    session: AsyncSession,
    *,
    account: Account,
    patient: Patient,
    app: App,
    scopes: list[str],
    expires_at: datetime | None = None,
) -> Grant:
    assert account.id is not None and patient.id is not None and app.id is not None
    return await create_grant(
        session,
        account_id=account.id,
        patient_id=patient.id,
        app_id=app.id,
        scopes=scopes,
        refused_scopes=[],
        expires_at=expires_at,
        source_address="198.51.100.1",
    )


async def issue_token(
    session: AsyncSession,
    *,
    grant: Grant,
    kind: TokenKind = TokenKind.ACCESS,
    lifetime: timedelta = timedelta(minutes=15),
) -> str:
    """Store a token under the grant directly (bypassing the OAuth flow) and return it raw."""
    assert grant.id is not None
    raw = secrets.token_urlsafe(32)
    session.add(
        Token(
            token_hash=hash_secret(raw),
            kind=kind,
            grant_id=grant.id,
            scopes=grant.scopes,
            expires_at=utcnow() + lifetime,
        )
    )
    await session.flush()
    return raw

"""Grants and access tokens for the benchmark, minted through the product's consent code path."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, AccountPatient, Relationship
from db.apps import App
from db.columns import utcnow
from db.engine import create_engine, create_session_factory, unit_of_work
from db.grants import Grant
from db.patients import Patient
from db.tokens import Token, TokenKind, hash_secret
from db.writes import save
from sharing.consent import AccessDuration, authorize_app

DEMO_APP = "chartshare-demo-app"


@asynccontextmanager
async def bench_session(url: str) -> AsyncIterator[AsyncSession]:
    """One committed unit of work on the database at `url`, on an engine of its own."""
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            yield session
    finally:
        await engine.dispose()


async def add_account(session: AsyncSession, username: str) -> int:
    """A benchmark account nobody can log in to; its id."""
    account = Account(
        username=username,
        email=f"{username}@example.test",
        display_name=username,
        password_hash="!",  # noqa: S106 - not a hash: nobody can log in as this account
    )
    session.add(account)
    await session.flush()
    assert account.id is not None
    return account.id


async def add_grant_token(
    session: AsyncSession, grant: Grant, kind: TokenKind, lifetime: timedelta
) -> str:
    """A new token of `kind` under `grant`, stored hashed as the server stores it."""
    token = secrets.token_urlsafe(32)
    stored = Token(
        token_hash=hash_secret(token),
        kind=kind,
        grant_id=grant.id or 0,
        scopes=grant.scopes,
        expires_at=utcnow() + lifetime,
    )
    await save(session, stored)
    return token


async def mint_tokens(
    url: str, *, patients: int, scopes: list[str], label: str, offset: int = 0
) -> list[tuple[int, str]]:
    """(patient id, access token) for the first `patients` patients, one grant each.

    A benchmark account acts for each patient, then consents as a patient would. A new
    consent supersedes the app's earlier grant for the patient, so each workload takes its
    own patients (`offset`).
    """
    tokens: list[tuple[int, str]] = []
    async with bench_session(url) as session:
        app = (await session.exec(select(App).where(App.client_id == DEMO_APP))).one()
        account_id = await add_account(session, f"bench-{label}-{secrets.token_hex(3)}")
        ids = (
            await session.exec(
                select(Patient.id).order_by(col(Patient.id)).offset(offset).limit(patients)
            )
        ).all()
        for patient_id in ids:
            assert patient_id is not None
            session.add(
                AccountPatient(
                    account_id=account_id,
                    patient_id=patient_id,
                    relationship=Relationship.REPRESENTATIVE,
                )
            )
        await session.flush()
        for patient_id in ids:
            assert patient_id is not None
            grant = await authorize_app(
                session,
                account_id=account_id,
                patient_id=patient_id,
                app=app,
                requested_scopes=scopes,
                approved_categories=None,
                allow_offline=True,
                duration=AccessDuration.ONE_YEAR,
                source_address=None,
            )
            token = await add_grant_token(session, grant, TokenKind.ACCESS, timedelta(hours=12))
            tokens.append((patient_id, token))
    return tokens

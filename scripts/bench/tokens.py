"""Grants and access tokens for the benchmark, minted through the product's consent code path."""

import secrets
from datetime import timedelta

from sqlmodel import col, select

from db.accounts import Account, AccountPatient, Relationship
from db.apps import App
from db.columns import utcnow
from db.engine import create_engine, create_session_factory, unit_of_work
from db.patients import Patient
from db.tokens import TokenKind, add_token, hash_secret
from sharing.consent import AccessDuration, authorize_app

DEMO_APP = "chartshare-demo-app"


async def mint_tokens(
    url: str, *, patients: int, scopes: list[str], label: str, offset: int = 0
) -> list[tuple[int, str]]:
    """(patient id, access token) for the first `patients` patients, one grant each.

    A benchmark account acts for each patient, then consents as a patient would. A new
    consent supersedes the app's earlier grant for the patient, so each workload takes its
    own patients (`offset`).
    """
    engine = create_engine(url)
    tokens: list[tuple[int, str]] = []
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            app = (await session.exec(select(App).where(App.client_id == DEMO_APP))).one()
            username = f"bench-{label}-{secrets.token_hex(3)}"
            account = Account(
                username=username,
                email=f"{username}@example.test",
                display_name=username,
                password_hash="!",  # noqa: S106 - not a hash: nobody can log in as this account
            )
            session.add(account)
            await session.flush()
            assert account.id is not None
            ids = (
                await session.exec(
                    select(Patient.id).order_by(col(Patient.id)).offset(offset).limit(patients)
                )
            ).all()
            for patient_id in ids:
                assert patient_id is not None
                session.add(
                    AccountPatient(
                        account_id=account.id,
                        patient_id=patient_id,
                        relationship=Relationship.REPRESENTATIVE,
                    )
                )
            await session.flush()
            for patient_id in ids:
                assert patient_id is not None
                grant = await authorize_app(
                    session,
                    account_id=account.id,
                    patient_id=patient_id,
                    app=app,
                    requested_scopes=scopes,
                    approved_categories=None,
                    allow_offline=True,
                    duration=AccessDuration.ONE_YEAR,
                    source_address=None,
                )
                token = secrets.token_urlsafe(32)
                await add_token(
                    session,
                    token_hash=hash_secret(token),
                    kind=TokenKind.ACCESS,
                    grant_id=grant.id or 0,
                    scopes=grant.scopes,
                    expires_at=utcnow() + timedelta(hours=12),
                )
                tokens.append((patient_id, token))
    finally:
        await engine.dispose()
    return tokens

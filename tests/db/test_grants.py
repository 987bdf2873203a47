"""Grant queries called directly: Python and SQL liveness agree; an ended grant ends its tokens."""

from datetime import timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Relationship
from db.columns import utcnow
from db.credentials import find_live_access_token
from db.errors import Conflict
from db.grants import (
    Grant,
    grant_is_live,
    list_grants,
    live_grant_clause,
    narrow_grant,
    revoke_grant,
)
from db.tokens import Token, hash_secret
from tests.builders.people import issue_token, make_account, make_app, make_grant, make_patient

SCOPES = ["launch/patient", "patient/Goal.rs"]


async def _grants(session: AsyncSession) -> tuple[int, dict[str, Grant]]:
    patient = await make_patient(session)
    account = await make_account(session, patients=[(patient, Relationship.SELF)])
    now = utcnow()
    grants: dict[str, Grant] = {}
    for name, expires_at in (
        ("open", None),
        ("later", now + timedelta(days=1)),
        ("expired", now - timedelta(seconds=1)),
        ("revoked", None),
    ):
        app = await make_app(session)
        grants[name] = await make_grant(
            session, account=account, patient=patient, app=app, scopes=SCOPES,
            expires_at=expires_at,
        )  # fmt: skip
    await revoke_grant(
        session, grant=grants["revoked"], reason="test", account_id=None, source_address=None
    )
    assert patient.id is not None
    return patient.id, grants


async def test_the_python_rule_and_the_sql_clause_pick_the_same_grants(
    session: AsyncSession,
) -> None:
    patient_id, grants = await _grants(session)
    now = utcnow()
    in_python = {name for name, grant in grants.items() if grant_is_live(grant, now)}
    statement = select(Grant.id).where(col(Grant.patient_id) == patient_id, live_grant_clause(now))
    live_ids = set((await session.exec(statement)).all())
    in_sql = {name for name, grant in grants.items() if grant.id in live_ids}
    assert in_python == in_sql == {"open", "later"}
    listed = await list_grants(session, patient_ids=[patient_id])
    assert {g.id for g in listed} == {grants["open"].id, grants["later"].id}


async def test_an_expired_grant_stops_its_access_tokens(session: AsyncSession) -> None:
    _, grants = await _grants(session)
    now = utcnow()
    for name in ("open", "expired", "revoked"):
        raw = await issue_token(session, grant=grants[name])
        found = await find_live_access_token(session, token_hash=hash_secret(raw), now=now)
        assert (found is not None) == (name == "open"), name


async def test_revoking_a_grant_revokes_every_token_under_it(session: AsyncSession) -> None:
    _, grants = await _grants(session)
    grant = grants["open"]
    await issue_token(session, grant=grant)
    await issue_token(session, grant=grant)
    await revoke_grant(session, grant=grant, reason="test", account_id=None, source_address=None)
    tokens = (await session.exec(select(Token).where(col(Token.grant_id) == grant.id))).all()
    assert len(tokens) == 2
    assert all(token.revoked_at is not None for token in tokens)


async def test_only_a_live_grant_can_be_narrowed(session: AsyncSession) -> None:
    _, grants = await _grants(session)
    narrowed = await narrow_grant(
        session, grant=grants["later"], scopes=["patient/Goal.rs"], account_id=1,
        source_address=None,
    )  # fmt: skip
    assert narrowed.scopes == "patient/Goal.rs"
    for name in ("expired", "revoked"):
        with pytest.raises(Conflict):
            await narrow_grant(
                session, grant=grants[name], scopes=["patient/Goal.rs"], account_id=1,
                source_address=None,
            )  # fmt: skip

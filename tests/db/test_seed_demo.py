"""The fixed demo identities, re-runs with and without --force, and `chartshare seed`."""

import asyncio
import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.cli import main
from db.accounts import Account, AccountPatient
from db.activity import ActivityEvent
from db.apps import AUTO_APPROVE_DYNAMIC_REGISTRATION, App, OperatorSetting, get_operator_flag
from db.grants import Grant
from db.passwords import make_hasher, verify_password
from db.seed.demo import GRANT_SCOPES
from db.seed.progress import ProgressBar
from db.tables import LabResult, Patient, metadata
from sharing.scopes import split_scope_string
from tests.db.seed_helpers import counts, seed

HASHER = make_hasher()
ALL_TABLES = [table.name for table in metadata.sorted_tables]


async def test_demo_logins_exist_once_and_their_passwords_work(
    database_url: str, session: AsyncSession
) -> None:
    await seed(database_url, patients=4)
    accounts = (await session.exec(select(Account).order_by(col(Account.username)))).all()
    assert [(a.username, a.role) for a in accounts] == [
        ("alice", "patient"), ("bob", "patient"), ("devon", "developer"), ("olivia", "operator"),
    ]  # fmt: skip
    assert accounts[0].email == "alice@example.com"
    for account in accounts:
        assert account.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert verify_password(HASHER, account.password_hash, "chartshare-demo")
        assert not verify_password(HASHER, account.password_hash, "wrong password")


async def test_alice_acts_for_herself_and_her_child(
    database_url: str, session: AsyncSession
) -> None:
    await seed(database_url, patients=4)
    statement = (
        select(Account.username, AccountPatient.relationship, Patient)
        .join(AccountPatient, col(AccountPatient.account_id) == col(Account.id))
        .join(Patient, col(Patient.id) == col(AccountPatient.patient_id))
        .order_by(col(Account.username), col(Patient.id))
    )
    links = (await session.exec(statement)).all()
    assert [(user, relation, p.given_name) for user, relation, p in links] == [
        ("alice", "self", "Alice"), ("alice", "child", "Lily"), ("bob", "self", "Bob"),
    ]  # fmt: skip
    alice, child = links[0][2], links[1][2]
    assert child.family_name == alice.family_name
    assert (child.birth_date - alice.birth_date).days > 18 * 365
    assert (date.today() - child.birth_date).days < 18 * 365  # a minor


async def test_demo_apps_setting_and_grant(database_url: str, session: AsyncSession) -> None:
    await seed(database_url, patients=4)
    devon = (await session.exec(select(Account).where(col(Account.username) == "devon"))).one()
    apps = {a.client_id: a for a in (await session.exec(select(App))).all()}
    public = apps["chartshare-demo-app"]
    assert public.name == "Demo Health Tracker"
    assert public.description
    assert not public.is_confidential
    assert public.client_secret_hash is None
    assert json.loads(public.redirect_uris) == [
        "http://127.0.0.1:8765/callback", "http://localhost:8765/callback",
    ]  # fmt: skip
    assert (public.status, public.registered_via) == ("approved", "seed")
    assert public.developer_account_id == devon.id
    for url in (public.homepage_url, public.privacy_policy_url, public.terms_url):
        assert url is not None
        assert url.startswith("https://example.com/")
    portal = apps["chartshare-demo-confidential"]
    assert portal.name == "Demo Clinic Portal"
    assert portal.is_confidential
    assert portal.status == "approved"
    assert portal.client_secret_hash is not None
    assert verify_password(HASHER, portal.client_secret_hash, "demo-confidential-secret")
    setting = await session.get(OperatorSetting, "auto_approve_dynamic_registration")
    assert setting is not None
    assert setting.value == "true"
    grant = (await session.exec(select(Grant))).one()
    alice = (await session.exec(select(Account).where(col(Account.username) == "alice"))).one()
    alice_patient = (
        await session.exec(select(Patient).where(col(Patient.given_name) == "Alice"))
    ).one()
    assert (grant.account_id, grant.patient_id, grant.app_id) == (
        alice.id,
        alice_patient.id,
        public.id,
    )
    assert grant.scopes == " ".join(GRANT_SCOPES)
    assert grant.expires_at is None
    assert grant.revoked_at is None
    accepted, rejected = split_scope_string(grant.scopes)
    assert rejected == []
    assert accepted == GRANT_SCOPES
    consent = (
        await session.exec(select(ActivityEvent).where(col(ActivityEvent.kind) == "consent"))
    ).one()
    assert consent.grant_id == grant.id
    assert consent.patient_id == alice_patient.id


async def test_demo_apps_are_registered_through_the_registration_rules(
    database_url: str, session: AsyncSession
) -> None:
    await seed(database_url, patients=4)
    events = (
        await session.exec(select(ActivityEvent).where(col(ActivityEvent.kind) == "registration"))
    ).all()
    details = sorted((json.loads(e.details) for e in events), key=lambda d: d["confidential"])
    assert details == [
        {"via": "seed", "status": "approved", "confidential": False},
        {"via": "seed", "status": "approved", "confidential": True},
    ]
    apps = (await session.exec(select(App))).all()
    assert {a.allowed_scopes for a in apps} == {""}
    assert all(a.registration_token_hash is None for a in apps)


async def test_rerun_without_force_changes_nothing(database_url: str, engine: AsyncEngine) -> None:
    await seed(database_url, patients=4)
    before = await counts(engine, ALL_TABLES)
    report = await seed(database_url, patients=10)
    assert "already holds patients" in report
    assert "nothing was changed" in report
    assert "alice" in report
    assert "chartshare-demo" in report
    assert await counts(engine, ALL_TABLES) == before


async def test_force_adds_patients_but_never_repeats_demo_identities(
    database_url: str, engine: AsyncEngine, session: AsyncSession
) -> None:
    await seed(database_url, patients=3)
    report = await seed(database_url, patients=2, seed=5, force=True)
    assert "Seeded 2 patients" in report
    after = await counts(engine, ["patient", "account", "app", "grant", "account_patient"])
    assert after == {"patient": 5, "account": 4, "app": 2, "grant": 1, "account_patient": 3}
    newest = max(p for p in (await session.exec(select(Patient.id))).all() if p is not None)
    labs = await session.exec(select(LabResult).where(col(LabResult.patient_id) == newest))
    assert labs.all()
    # Ids were chosen by the seed: the database's own id sequences must have moved past them.
    lab = LabResult(
        patient_id=newest, code_system="http://loinc.org", code="2345-7", code_display="Glucose",
        status="final", effective_at=datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
    )  # fmt: skip
    session.add(lab)
    await session.commit()
    assert lab.id is not None
    assert lab.id > 1


def test_progress_bar_draws_on_its_stream() -> None:
    stream = io.StringIO()
    bar = ProgressBar(4, enabled=True, stream=stream)
    bar.advance(4, 1200)
    bar.close()
    assert "4/4 patients" in stream.getvalue()
    assert "1,200 rows" in stream.getvalue()
    quiet = io.StringIO()
    ProgressBar(4, enabled=False, stream=quiet).advance(4, 10)
    assert quiet.getvalue() == ""


async def test_cli_seed_prints_the_demo_logins(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["seed", "--patients", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Seeded 3 patients" in out
    assert "lab_result" in out
    for expected in ("alice", "bob", "devon", "olivia", "chartshare-demo", "Lily Carter (child)",
                     "chartshare-demo-app", "http://127.0.0.1:8765/callback"):  # fmt: skip
        assert expected in out
    assert await asyncio.to_thread(main, ["seed", "--quiet"]) == 0
    again = capsys.readouterr().out
    assert "already holds patients" in again
    assert "alice" in again


@pytest.mark.parametrize(
    ("value", "message"), [("0", "expected 1 or more"), ("abc", "expected a whole number")]
)
def test_cli_rejects_a_bad_patient_count(
    value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["seed", "--patients", value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


async def test_auto_approval_is_off_until_the_demo_seed_turns_it_on_and_says_so(
    database_url: str,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert not await get_operator_flag(session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION)
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["seed", "--patients", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Auto-approval of dynamically registered apps is ON" in out
    assert "/operator" in out
    session.expire_all()
    assert await get_operator_flag(session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION)

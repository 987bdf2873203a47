"""The demo data generator: deterministic, complete, standard codes, links within a patient."""

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Date, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.code_systems import CPT, CVX, LOINC, NUCC, RXNORM, SNOMED
from db.columns import UTCDateTime
from db.seed.generator import generate_demo_patients, generate_patient
from db.seed.person import RECORDS_END, build_clinicians
from db.seed.rows import COLUMNS, Batch, Ids
from db.seed.terminology import LABS, SMOKING_ANSWERS, VITALS
from db.tables import CLINICAL_TABLES, LabResult, Patient, VitalSign, metadata
from migrations import upgrade
from tests import databases
from tests.db.seed_helpers import seed, table_rows

SEEDED_TABLES = ["patient", *(str(model.__tablename__) for model in CLINICAL_TABLES)]
ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
UCUM_UNITS = {m.unit for m in (*LABS.values(), *VITALS.values())} | {"{score}"}
FUTURE_DATES = {"expires_on", "target_date"}  # a device's shelf life and a goal may run ahead


@pytest.fixture
async def other_database_url(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """A second empty database on the same backend as `database_url`."""
    if database_url.startswith("sqlite"):
        directory = tmp_path / "other"
        directory.mkdir()
        yield databases.copy_sqlite(request.getfixturevalue("sqlite_template"), directory)
        return
    url = databases.create_postgres_database()
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await asyncio.to_thread(databases.drop_postgres_database, url)


async def _snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    return {table: await table_rows(url, table) for table in SEEDED_TABLES}


async def test_same_seed_writes_identical_rows(database_url: str, other_database_url: str) -> None:
    await seed(database_url, patients=4, seed=7)
    await seed(other_database_url, patients=4, seed=7)
    first, second = await _snapshot(database_url), await _snapshot(other_database_url)
    assert first == second
    assert all(first[table] for table in SEEDED_TABLES)
    logins = "username, email, role, display_name"
    assert await table_rows(database_url, "account", logins) == await table_rows(
        other_database_url, "account", logins
    )


async def test_another_seed_writes_other_patients(
    database_url: str, other_database_url: str
) -> None:
    await seed(database_url, patients=5, seed=1)
    await seed(other_database_url, patients=5, seed=2)
    first, second = await _snapshot(database_url), await _snapshot(other_database_url)
    # The three demo patients keep their names; the bulk ones and every record differ.
    assert first["patient"][3:] != second["patient"][3:]
    assert first["lab_result"] != second["lab_result"]


def test_generated_columns_are_the_model_columns() -> None:
    for table, columns in COLUMNS.items():
        assert set(columns) == {c.name for c in metadata.tables[table].columns}, table
        assert len(columns) == len(set(columns)), table


async def _patient_ids(session: AsyncSession) -> list[int]:
    return [p for p in (await session.exec(select(Patient.id))).all() if p is not None]


async def test_every_patient_has_rows_in_every_category(
    database_url: str, session: AsyncSession
) -> None:
    await seed(database_url, patients=5)
    patient_ids = await _patient_ids(session)
    assert len(patient_ids) == 5
    for patient_id in patient_ids:
        patient = await session.get(Patient, patient_id)
        assert patient is not None
        for model in CLINICAL_TABLES:
            statement = select(model).where(col(model.patient_id) == patient_id)
            rows = (await session.exec(statement)).all()
            assert rows, f"patient {patient_id} has no {model.__tablename__}"
            assert all(row.patient_id == patient_id for row in rows)
            _assert_dates_fit(rows, patient)


def _assert_dates_fit(rows: Sequence[SQLModel], patient: Patient) -> None:
    """Every date and timestamp is in the past, not before birth, and timestamps are UTC."""
    now, today = datetime.now(UTC), date.today()
    for row in rows:
        table = metadata.tables[type(row).__tablename__]  # type: ignore[index]
        for column in table.columns:
            value = getattr(row, column.name)
            if value is None or column.name in ("created_at",):
                continue
            if isinstance(column.type, UTCDateTime):
                assert value.tzinfo is not None
                assert value.utcoffset().total_seconds() == 0
                assert patient.birth_date <= value.date(), (column, value)
                assert value < now, (column, value)
            elif isinstance(column.type, Date) and column.name not in FUTURE_DATES:
                assert patient.birth_date <= value <= today, (column, value)


async def test_codes_come_from_the_standard_systems(
    database_url: str, session: AsyncSession
) -> None:
    await seed(database_url, patients=5)
    for model in (LabResult, VitalSign):
        for obs in (await session.exec(select(model))).all():
            assert obs.code_system == LOINC
            assert re.fullmatch(r"\d{1,5}-\d", obs.code)
            assert obs.value_unit in UCUM_UNITS
            assert obs.value_quantity is not None
            if obs.reference_low is not None and obs.value_quantity < obs.reference_low:
                assert obs.interpretation == "L"
            elif obs.reference_high is not None and obs.value_quantity > obs.reference_high:
                assert obs.interpretation == "H"
            elif obs.reference_low is not None or obs.reference_high is not None:
                assert obs.interpretation == "N"
    checks = {
        "immunization": "SELECT DISTINCT code_system FROM immunization",
        "medication_request": "SELECT DISTINCT code_system FROM medication_request",
        "procedure": "SELECT DISTINCT code_system FROM procedure",
        "problem": "SELECT DISTINCT code_system FROM problem",
        "health_concern": "SELECT DISTINCT code_system FROM health_concern",
        "encounter_diagnosis": "SELECT DISTINCT code_system FROM encounter_diagnosis",
        "implantable_device": "SELECT DISTINCT code_system FROM implantable_device",
        "care_team_member": "SELECT DISTINCT role_system FROM care_team_member",
        "encounter": "SELECT DISTINCT code_system FROM encounter",
        "smoking_status": "SELECT DISTINCT value_code_system FROM smoking_status",
    }
    expected = {
        "immunization": {CVX}, "medication_request": {RXNORM}, "procedure": {CPT, SNOMED},
        "problem": {SNOMED}, "health_concern": {SNOMED}, "encounter_diagnosis": {SNOMED},
        "implantable_device": {SNOMED}, "care_team_member": {NUCC, SNOMED},
        "encounter": {CPT, SNOMED}, "smoking_status": {SNOMED},
    }  # fmt: skip
    connection = await session.connection()
    for table, query in checks.items():
        found = {row[0] for row in (await connection.execute(text(query))).all()}
        assert found, table
        assert found <= expected[table], (table, found)
    icd = await connection.execute(
        text("SELECT icd10_code FROM problem UNION SELECT icd10_code FROM encounter_diagnosis")
    )
    assert all(ICD10.match(code) for (code,) in icd.all())
    answers = {code for code, _ in SMOKING_ANSWERS.values()}
    smoking = await connection.execute(text("SELECT code, value_code FROM smoking_status"))
    assert all(code == "72166-2" and value in answers for code, value in smoking.all())
    demographics = await connection.execute(
        text("SELECT race_code, ethnicity_code, preferred_language FROM patient")
    )
    for race, ethnicity, language in demographics.all():
        assert race in {"2106-3", "2054-5", "2028-9", "1002-5", "2076-8", "2131-1"}
        assert ethnicity in {"2135-2", "2186-5"}
        assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", language)


def _gtin_is_valid(gtin: str) -> bool:
    digits = [int(d) for d in gtin]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return len(gtin) == 14 and (10 - total % 10) % 10 == digits[-1]


async def test_devices_carry_gs1_udi_carriers(database_url: str, engine: AsyncEngine) -> None:
    await seed(database_url, patients=4)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT udi_carrier, udi_device_identifier, serial_number FROM implantable_device")
        )
        devices = rows.all()
    assert devices
    for carrier, identifier, serial in devices:
        assert carrier.startswith(f"(01){identifier}(11)")
        assert carrier.endswith(f"(21){serial}")
        assert _gtin_is_valid(identifier)


LINKS = [
    (table, "encounter_id", "encounter")
    for table in ("lab_result", "vital_sign", "smoking_status", "functional_status",
                  "mental_status", "procedure", "care_plan", "encounter_diagnosis",
                  "medication_request", "referral")
] + [
    ("medication_request", "prescriber_id", "care_team_member"),
    ("encounter", "provider_id", "care_team_member"),
    ("referral", "requester_id", "care_team_member"),
]  # fmt: skip


async def test_links_point_to_the_same_patient(database_url: str, engine: AsyncEngine) -> None:
    await seed(database_url, patients=5)
    async with engine.connect() as connection:
        for table, column, target in LINKS:
            linked = await connection.execute(
                text(
                    "SELECT COUNT(*), SUM(CASE WHEN t.patient_id = r.patient_id THEN 1 ELSE 0 END) "  # noqa: S608
                    f'FROM "{table}" r JOIN "{target}" t ON t.id = r.{column}'
                )
            )
            total, same = linked.one()
            assert total > 0, (table, column)
            assert total == same, (table, column)


async def test_alice_has_a_long_history(database_url: str, session: AsyncSession) -> None:
    await seed(database_url, patients=3)
    alice = (await session.exec(select(Patient).where(col(Patient.given_name) == "Alice"))).one()
    labs = (
        await session.exec(select(LabResult).where(col(LabResult.patient_id) == alice.id))
    ).all()
    vitals = (
        await session.exec(select(VitalSign).where(col(VitalSign.patient_id) == alice.id))
    ).all()
    assert len(labs) >= 300
    assert len(vitals) >= 300
    span = max(lab.effective_at for lab in labs) - min(lab.effective_at for lab in labs)
    assert span.days > 10 * 365
    a1c = [lab for lab in labs if lab.code == "4548-4"]
    assert any(lab.interpretation == "H" for lab in a1c)
    assert len(a1c) >= 20


@pytest.mark.parametrize("seed_value", [1, 2, 3])
def test_generator_keeps_its_invariants_over_many_patients(seed_value: int) -> None:
    """Without a database: 300 patients per seed, every rule that spans rows holds."""
    batch, ids = Batch(), Ids({})
    pool = build_clinicians(seed_value)
    generate_demo_patients(seed=seed_value, batch=batch, ids=ids, pool=pool)
    for _ in range(297):
        generate_patient(seed=seed_value, batch=batch, ids=ids, pool=pool)
    position = {t: {c: i for i, c in enumerate(cols)} for t, cols in COLUMNS.items()}
    births = {row[0]: row[5] for row in batch.rows["patient"]}
    owner = {
        target: {row[0]: row[1] for row in batch.rows[target]}
        for target in ("encounter", "care_team_member")
    }
    for table, rows in batch.rows.items():
        if table == "patient":
            continue
        assert {row[1] for row in rows} == set(births), f"a patient has no {table}"
        for _, column, target in [link for link in LINKS if link[0] == table]:
            index = position[table][column]
            assert all(owner[target][r[index]] == r[1] for r in rows if r[index] is not None)
        for column, index in position[table].items():
            if column in FUTURE_DATES:
                continue
            for row in rows:
                value = row[index]
                if isinstance(value, datetime):
                    assert births[row[1]] <= value.date() < RECORDS_END, (table, column)
                elif isinstance(value, date):
                    assert births[row[1]] <= value <= RECORDS_END, (table, column)

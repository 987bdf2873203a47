"""Importing FHIR R4: every US Core category, the export round trip, idempotency, updates."""

import copy
import json
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import create_engine
from migrations import upgrade
from sharing.fhir import reader
from tests import databases
from tests.builders.fhir_inputs import (
    resources_of,
    synthea_record,
    us_core_transaction,
    write_json,
    write_ndjson,
)
from tests.builders.fhir_rows import make_every_category
from tests.builders.imports import (
    comparable,
    count,
    export_all,
    run_import,
    table_rows,
    write_bundles,
)
from tests.builders.people import make_patient
from tests.db.seed_helpers import seed


@pytest.fixture
def empty_database_url(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A second migrated, empty database on the same backend."""
    if database_url.startswith("sqlite"):
        folder = tmp_path / "empty"
        folder.mkdir()
        yield databases.copy_sqlite(request.getfixturevalue("sqlite_template"), folder)
        return
    url = databases.create_postgres_database()
    try:
        upgrade(url)
        yield url
    finally:
        databases.drop_postgres_database(url)


@pytest.fixture
async def empty_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_database_url)
    yield engine
    await engine.dispose()


async def _one(engine: AsyncEngine, sql: str) -> dict[str, object]:
    async with engine.connect() as connection:
        row = (await connection.execute(text(sql))).mappings().one()
        return dict(row)


def _same_records(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> bool:
    """Same patients with the same resources, in any order of patient ids.

    On PostgreSQL patients are written two at a time, so which one got the lower id may differ.
    """

    def key(bundle: dict[str, Any]) -> str:
        return json.dumps(comparable(bundle), sort_keys=True)

    return sorted(map(key, first)) == sorted(map(key, second))


async def test_a_us_core_transaction_fills_every_category(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "record.json", us_core_transaction())
    report, problems = await run_import(engine, path)
    assert problems == []
    imported = {kind: counter["imported"] for kind, counter in report.counts.items()}
    assert imported == {
        "Patient": 1,
        "CareTeam": 1,
        "Encounter": 1,
        "Observation": 3,
        "Condition": 3,
        "AllergyIntolerance": 1,
        "Immunization": 1,
        "MedicationRequest": 1,
        "Procedure": 1,
        "Device": 1,
        "Goal": 1,
        "CarePlan": 1,
        "ServiceRequest": 1,
        "Practitioner": 0,
        "Organization": 0,
        "DiagnosticReport": 0,
    }
    assert report.counts["Practitioner"]["merged"] == 1
    assert report.counts["Organization"]["skipped"] == 1
    assert report.counts["DiagnosticReport"]["skipped"] == 1

    patient = await _one(engine, "SELECT * FROM patient")
    assert (patient["given_name"], patient["middle_name"], patient["family_name"]) == (
        "Amy",
        "V.",
        "Shaw",
    )
    assert (patient["name_suffix"], patient["sex"], patient["birth_date"]) in (
        ("PhD", "F", date(1987, 2, 20)),
        ("PhD", "F", "1987-02-20"),
    )
    assert (patient["race_code"], patient["ethnicity_code"]) == ("2106-3", "2186-5")
    assert (patient["preferred_language"], patient["medical_record_number"]) == ("en-US", "1032702")

    member = await _one(engine, "SELECT * FROM care_team_member")
    assert (member["name"], member["npi"], member["phone"]) == (
        "Dr Ronald Bone",
        "9941339108",
        "555-0142",
    )
    assert (member["role_code"], member["organization"]) == ("207Q00000X", "Acme Clinic")
    visit = await _one(engine, "SELECT * FROM encounter")
    assert visit["provider_id"] == member["id"]
    assert (visit["code"], visit["class_code"], visit["location"]) == (
        "99201",
        "AMB",
        "Acme Clinic, Room 2",
    )

    lab = await _one(engine, "SELECT * FROM lab_result")
    assert (lab["code"], lab["value_quantity"], lab["value_unit"]) == ("4548-4", 7.4, "%")
    assert (lab["reference_low"], lab["reference_high"], lab["interpretation"]) == (4, 5.6, "H")
    assert lab["encounter_id"] == visit["id"]
    async with engine.connect() as connection:
        vitals = (
            await connection.execute(
                text("SELECT code, value_quantity, value_unit FROM vital_sign ORDER BY code")
            )
        ).all()
    assert [tuple(v) for v in vitals] == [("8462-4", 44, "mm[Hg]"), ("8480-6", 109, "mm[Hg]")]
    smoking = await _one(engine, "SELECT * FROM smoking_status")
    assert (smoking["value_code"], smoking["value_code_system"]) == (
        "449868002",
        "http://snomed.info/sct",
    )
    problem = await _one(engine, "SELECT * FROM problem")
    assert (problem["code"], problem["icd10_code"]) == ("442311008", "Z38.00")
    diagnosis = await _one(engine, "SELECT * FROM encounter_diagnosis")
    assert diagnosis["encounter_id"] == visit["id"]
    assert (await _one(engine, "SELECT code FROM health_concern"))["code"] == "161888007"
    allergy = await _one(engine, "SELECT * FROM allergy_intolerance")
    assert (allergy["code"], allergy["reaction_code"], allergy["criticality"]) == (
        "1160593",
        "271807003",
        "high",
    )
    medication = await _one(engine, "SELECT * FROM medication_request")
    assert (medication["code"], medication["route"], medication["refills"]) == (
        "617314",
        "Oral route",
        2,
    )
    assert (medication["prescriber_id"], medication["encounter_id"]) == (member["id"], visit["id"])
    device = await _one(engine, "SELECT * FROM implantable_device")
    # No implant date on the Device: the Procedure that implanted it gives one (in UTC).
    assert str(device["implanted_on"]) == "2015-11-01"
    assert device["udi_device_identifier"] == "09504000059118"
    assert (await _one(engine, "SELECT code FROM immunization"))["code"] == "158"
    referral = await _one(engine, "SELECT * FROM referral")
    assert (referral["reason_code"], referral["requester_id"]) == ("49436004", member["id"])
    plan = await _one(engine, "SELECT * FROM care_plan")
    assert plan["plan"] == "Low sodium diet; walk 30 minutes daily."
    assert plan["assessment"] == "Assessment: weight gain. Plan: diet."
    goal = await _one(engine, "SELECT * FROM goal")
    assert str(goal["target_date"]) == "2016-04-05"


async def test_export_then_import_into_an_empty_database_gives_the_same_resources(
    engine: AsyncEngine,
    empty_engine: AsyncEngine,
    session: AsyncSession,
    database_url: str,
    tmp_path: Path,
) -> None:
    await seed(database_url, patients=3, seed=5)
    patient = await make_patient(session, race_code="2028-9", race_display="Asian")
    await make_every_category(session, patient)
    await session.commit()
    before = await export_all(engine)
    assert len(before) == 4
    paths = write_bundles(tmp_path / "export", before)
    report, problems = await run_import(empty_engine, *paths)
    assert problems == []
    assert report.total("rejected") == 0
    after = await export_all(empty_engine)
    assert _same_records(after, before)


async def test_importing_twice_changes_nothing(engine: AsyncEngine, tmp_path: Path) -> None:
    paths = [write_json(tmp_path / f"r{n}.json", synthea_record(n, encounters=8)) for n in range(2)]
    first, _ = await run_import(engine, *paths)
    assert first.total("imported") == 2 * (3 + 8 * 5 + 1) - 2  # Practitioners are merged
    rows = await table_rows(engine)
    again, problems = await run_import(engine, *paths)
    assert problems == []
    assert (again.total("imported"), again.total("updated")) == (0, 0)
    assert again.total("unchanged") == first.total("imported")
    assert await table_rows(engine) == rows


async def test_a_changed_resource_updates_its_row(engine: AsyncEngine, tmp_path: Path) -> None:
    record = synthea_record(1, encounters=3)
    path = write_json(tmp_path / "record.json", record)
    await run_import(engine, path)
    rows = await table_rows(engine)
    changed = copy.deepcopy(record)
    glucose = next(
        r
        for r in resources_of(changed)
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "2339-0"
    )
    glucose["valueQuantity"]["value"] = 250
    resources_of(changed)[0]["name"][1]["family"] = "Renamed"
    write_json(path, changed)
    report, _ = await run_import(engine, path)
    assert report.counts["Observation"]["updated"] == 1
    assert report.counts["Patient"]["updated"] == 1
    assert report.total("imported") == 0
    after = await table_rows(engine)
    assert [r[0] for r in after["lab_result"]] == [r[0] for r in rows["lab_result"]]
    async with engine.connect() as connection:
        value = (
            await connection.execute(
                text("SELECT value_quantity FROM lab_result WHERE source_id = :id"),
                {"id": glucose["id"]},
            )
        ).scalar_one()
    assert value == 250
    assert (await _one(engine, "SELECT family_name FROM patient"))["family_name"] == "Renamed"


async def test_a_resource_that_changes_category_moves_to_its_new_table(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    record = synthea_record(2, encounters=1)
    path = write_json(tmp_path / "record.json", record)
    await run_import(engine, path)
    assert (await count(engine, "lab_result"), await count(engine, "vital_sign")) == (1, 1)
    glucose = next(
        r
        for r in resources_of(record)
        if r["resourceType"] == "Observation"
        and r["category"][0]["coding"][0]["code"] == "laboratory"
    )
    glucose["category"][0]["coding"][0]["code"] = "vital-signs"
    write_json(path, record)
    report, _ = await run_import(engine, path)
    assert report.counts["Observation"]["updated"] == 1
    assert (await count(engine, "lab_result"), await count(engine, "vital_sign")) == (0, 2)


async def test_ndjson_spreads_a_patient_over_files_and_refers_forward(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    record = synthea_record(3, encounters=2)
    by_type: dict[str, list[dict[str, object]]] = {}
    for resource in _bulk_data(record):
        by_type.setdefault(str(resource["resourceType"]), []).append(resource)
    folder = tmp_path / "bulk"
    folder.mkdir()
    # Alphabetical order reads Encounter and Observation before the Patient they refer to.
    for kind, resources in by_type.items():
        write_ndjson(folder / f"{kind}.ndjson", resources)
    report, problems = await run_import(engine, folder)
    assert problems == []
    assert report.counts["Patient"]["imported"] == 1
    assert report.counts["Observation"]["imported"] == 4
    async with engine.connect() as connection:
        unlinked = (
            await connection.execute(
                text("SELECT COUNT(*) FROM lab_result WHERE encounter_id IS NULL")
            )
        ).scalar_one()
    assert unlinked == 0
    # A later file with more results of the same patient links to what is already stored.
    later = copy.deepcopy(by_type["Observation"][0])
    later["id"] = "later-result"
    extra = write_ndjson(tmp_path / "later.ndjson", [later])
    report, problems = await run_import(engine, extra)
    assert (report.counts["Observation"]["imported"], problems) == (1, [])
    row = await _one(engine, "SELECT encounter_id FROM vital_sign WHERE source_id = 'later-result'")
    assert row["encounter_id"] is not None


def _bulk_data(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The bundle's resources as a Bulk Data export has them: references by Type/id."""
    keys = {
        e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in record["entry"]
    }
    serialized = json.dumps(resources_of(record))
    for urn, key in keys.items():
        serialized = serialized.replace(f'"{urn}"', f'"{key}"')
    resources: list[dict[str, Any]] = json.loads(serialized)
    return resources


async def test_dry_run_keeps_nothing(engine: AsyncEngine, tmp_path: Path) -> None:
    path = write_json(tmp_path / "record.json", us_core_transaction())
    report, _ = await run_import(engine, path, dry_run=True)
    assert report.counts["Observation"]["imported"] == 3
    assert await count(engine, "patient") == 0
    assert await count(engine, "lab_result") == 0


async def test_worker_processes_import_the_same_rows(
    engine: AsyncEngine, empty_engine: AsyncEngine, tmp_path: Path
) -> None:
    paths = [
        write_json(tmp_path / f"r{n}.json", synthea_record(10 + n, encounters=4)) for n in range(3)
    ]
    await run_import(engine, *paths)
    alone = await table_rows(engine)
    report, _ = await run_import(empty_engine, *paths, jobs=2, parallel_min_bytes=0)
    assert report.total("imported") > 0
    parallel = await table_rows(empty_engine)
    assert {k: len(v) for k, v in parallel.items()} == {k: len(v) for k, v in alone.items()}
    assert _same_records(await export_all(empty_engine), await export_all(engine))


async def test_the_export_keeps_the_implant_date(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    patient = await make_patient(session)
    await make_every_category(session, patient)
    await session.commit()
    [bundle] = await export_all(engine)
    [device] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Device"]
    assert device["extension"] == [
        {
            "url": "https://chartshare.example/fhir/StructureDefinition/implant-date",
            "valueDate": "2022-09-12",
        }
    ]


async def test_a_bundle_larger_than_the_reading_window_imports_like_its_ndjson(
    engine: AsyncEngine,
    empty_engine: AsyncEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The Bundle is read a few KiB and a few entries at a time, as a large one would be.
    monkeypatch.setattr(reader, "READ_BYTES", 4096)
    monkeypatch.setattr(reader, "CHUNK_LINES", 7)
    record = synthea_record(21, encounters=12)
    bundle = write_json(tmp_path / "record.json", record)
    assert bundle.stat().st_size > 10 * reader.READ_BYTES
    assert len(record["entry"]) > 5 * reader.CHUNK_LINES
    folder = tmp_path / "bulk"
    folder.mkdir()
    write_ndjson(folder / "all.ndjson", _bulk_data(record))
    from_bundle, bundle_problems = await run_import(engine, bundle)
    from_ndjson, ndjson_problems = await run_import(empty_engine, folder)
    assert (bundle_problems, ndjson_problems) == ([], [])
    assert from_bundle.counts == from_ndjson.counts
    assert sum(sum(c.values()) for c in from_bundle.counts.values()) == len(record["entry"])
    assert _same_records(await export_all(engine), await export_all(empty_engine))


async def test_a_truncated_bundle_keeps_the_entries_before_the_cut(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "READ_BYTES", 4096)
    record = synthea_record(22, encounters=6)
    text = json.dumps(record)
    path = tmp_path / "record.json"
    path.write_text(text[: len(text) * 2 // 3], "utf-8")
    report, problems = await run_import(engine, path)
    [problem] = [p for p in problems if not p.kept]
    index = int(problem.where.rpartition(":entry ")[2])
    assert problem.reason == "not valid JSON (the file ends too early: truncated?)"
    assert 0 < index < len(record["entry"])
    # Every entry before the cut is counted (imported, merged or skipped), none after it.
    outcomes = sum(sum(c.values()) for c in report.counts.values())
    assert outcomes == index + 1  # the cut entry itself is counted as rejected
    assert await count(engine, "patient") == 1


async def test_a_new_patient_written_with_plain_inserts_matches_the_upsert_path(
    engine: AsyncEngine, empty_engine: AsyncEngine, tmp_path: Path
) -> None:
    record = synthea_record(23, encounters=5)
    path = write_json(tmp_path / "record.json", record)
    # Into `engine` the patient is new: its rows go in with plain INSERTs.
    first, _ = await run_import(engine, path)
    # Into `empty_engine` the patient exists already (imported alone): every row is upserted.
    patient_only = write_json(
        tmp_path / "patient.json",
        record
        | {"entry": [e for e in record["entry"] if e["resource"]["resourceType"] == "Patient"]},
    )
    await run_import(empty_engine, patient_only)
    second, _ = await run_import(empty_engine, path)
    assert first.total("imported") == second.total("imported") + 1  # the Patient, before
    assert second.counts["Patient"]["unchanged"] == 1
    fresh, upserted = await table_rows(engine), await table_rows(empty_engine)
    assert {k: len(v) for k, v in fresh.items()} == {k: len(v) for k, v in upserted.items()}
    assert _same_records(await export_all(engine), await export_all(empty_engine))

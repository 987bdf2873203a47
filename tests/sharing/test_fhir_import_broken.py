"""Broken input: each bad piece is reported with where and why, stored never; the rest is."""

import copy
import json
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.builders.fhir_inputs import (
    CVX,
    HL7,
    LOINC,
    SNOMED,
    category,
    concept,
    ref,
    us_core_patient,
    write_json,
    write_ndjson,
)
from tests.builders.imports import count, run_import, table_rows
from tests.builders.people import make_patient


def _patient(pid: str, mrn: str) -> dict[str, Any]:
    return us_core_patient(mrn=mrn) | {"id": pid}


def _lab(oid: str, pid: str, **changes: Any) -> dict[str, Any]:
    lab = {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": category(HL7 + "observation-category", "laboratory"),
        "code": concept(LOINC, "2093-3", "Cholesterol"),
        "subject": ref(f"Patient/{pid}"),
        "effectiveDateTime": "2020-01-01T10:00:00Z",
        "valueQuantity": {"value": 180, "unit": "mg/dL"},
    }
    return lab | changes


def _reasons(problems: list[Any]) -> dict[str, str]:
    return {p.where: p.reason for p in problems}


async def test_each_broken_piece_is_reported_and_the_rest_is_stored(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "a-bad.json").write_text(
        '{"resourceType": "Bundle", "type": "collection", "entry": [', "utf-8"
    )
    good = _lab("good", "p1")
    no_status = {k: v for k, v in _lab("no-status", "p1").items() if k != "status"}
    wrong_system = _lab(
        "wrong-system", "p1", code=concept("http://example.org/local", "CHOL", "Cholesterol")
    )
    bad_loinc = _lab("bad-loinc", "p1", code=concept(LOINC, "20933", "Cholesterol"))
    dangling_patient = _lab("orphan", "nobody")
    dangling_encounter = _lab("lost-visit", "p1", encounter=ref("Encounter/never-sent"))
    snomed_vaccine = {
        "resourceType": "Immunization",
        "id": "vaccine",
        "status": "completed",
        "vaccineCode": concept(SNOMED, "86198006", "Influenza vaccine"),
        "patient": ref("Patient/p1"),
        "occurrenceDateTime": "2020-10-01",
    }
    lines = [
        json.dumps(r)
        for r in (
            good,
            no_status,
            wrong_system,
            bad_loinc,
            dangling_patient,
            dangling_encounter,
            snomed_vaccine,
        )
    ]
    lines.append(json.dumps({"resourceType": "Spaceship", "id": "x"}))
    lines.append(json.dumps({"resourceType": "Observation", "status": "final"})[:-8])  # truncated
    (folder / "b-results.ndjson").write_text("\n".join(lines) + "\n", "utf-8")
    no_birth_date = {k: v for k, v in _patient("p2", "MRN-2").items() if k != "birthDate"}
    write_ndjson(folder / "c-patients.ndjson", [_patient("p1", "MRN-1"), no_birth_date])

    report, problems = await run_import(engine, folder)

    reasons = _reasons(problems)
    results = f"{folder}/b-results.ndjson"
    assert reasons[f"{folder}/a-bad.json:entry 0"].startswith("not valid JSON")
    assert reasons[f"{results}:line 2"].startswith("not valid FHIR R4: status")
    assert (
        "coded in http://example.org/local, expected http://loinc.org"
        in reasons[f"{results}:line 3 Observation/wrong-system"]
    )
    assert (
        "'20933' is not a valid code of http://loinc.org"
        in reasons[f"{results}:line 4 Observation/bad-loinc"]
    )
    assert reasons[f"{results}:line 5 Observation/orphan"] == (
        "Patient/nobody is neither in the input nor imported before"
    )
    assert reasons[f"{results}:line 6 Observation/lost-visit"] == (
        "encounter Encounter/never-sent is not imported; stored without it"
    )
    assert (
        "expected http://hl7.org/fhir/sid/cvx" in reasons[f"{results}:line 7 Immunization/vaccine"]
    )
    assert reasons[f"{results}:line 8"] == "'Spaceship' is not a FHIR R4 resource type"
    assert reasons[f"{results}:line 9"].startswith("not valid JSON")
    assert (
        reasons[f"{folder}/c-patients.ndjson:line 2 Patient/p2"] == "Patient.birthDate is missing"
    )
    assert len(problems) == 10

    assert report.counts["Observation"]["imported"] == 2  # good, and lost-visit without its link
    assert report.counts["Observation"]["rejected"] == 4
    assert report.counts["Immunization"]["rejected"] == 1
    assert report.counts["Patient"]["imported"] == 1
    assert await count(engine, "patient") == 1
    async with engine.connect() as connection:
        stored = (
            await connection.execute(
                text("SELECT source_id, encounter_id FROM lab_result ORDER BY source_id")
            )
        ).all()
    assert [tuple(r) for r in stored] == [("good", None), ("lost-visit", None)]
    assert await count(engine, "immunization") == 0


async def test_a_bundle_of_an_unsupported_type_is_rejected_whole(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    history = {
        "resourceType": "Bundle",
        "type": "history",
        "entry": [{"resource": _patient("p1", "MRN-1")}],
    }
    report, problems = await run_import(engine, write_json(tmp_path / "history.json", history))
    assert [p.reason for p in problems] == ["a Bundle of type 'history' is not imported"]
    assert await count(engine, "patient") == 0
    assert report.total("imported") == 0


async def test_a_patient_the_database_refuses_is_not_half_written(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    await make_patient(session, medical_record_number="TAKEN-1")
    await session.commit()
    before = await table_rows(engine)
    clash = [_patient("p1", "TAKEN-1"), _lab("l1", "p1"), _lab("l2", "p1")]
    fine = [_patient("p2", "FREE-2"), _lab("l3", "p2")]
    report, problems = await run_import(engine, write_ndjson(tmp_path / "all.ndjson", clash + fine))
    assert {p.reason for p in problems} == {
        "medical record number TAKEN-1 already belongs to another patient"
    }
    assert len(problems) == 3
    assert report.counts["Patient"]["imported"] == 1
    after = await table_rows(engine)
    assert len(after["patient"]) == len(before["patient"]) + 1
    assert len(after["lab_result"]) == 1


async def test_a_text_longer_than_its_column_rejects_only_that_resource(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    long_lot = {
        "resourceType": "Immunization",
        "id": "long-lot",
        "status": "completed",
        "vaccineCode": concept(CVX, "140", "Influenza"),
        "patient": ref("Patient/p1"),
        "occurrenceDateTime": "2020-10-01",
        "lotNumber": "L" * 41,
    }
    fine = copy.deepcopy(long_lot) | {"id": "fine", "lotNumber": "L1"}
    path = write_ndjson(tmp_path / "in.ndjson", [_patient("p1", "MRN-9"), long_lot, fine])
    report, problems = await run_import(engine, path)
    assert [p.reason for p in problems] == ["Immunization: lot number is longer than 40"]
    assert report.counts["Immunization"]["imported"] == 1
    assert await count(engine, "immunization") == 1


def _nested_extension(depth: int) -> dict[str, Any]:
    extension: dict[str, Any] = {"url": "https://example.test/leaf", "valueString": "x"}
    for _ in range(depth):
        extension = {"url": "https://example.test/branch", "extension": [extension]}
    return extension


async def test_undecodable_and_too_deep_input_is_rejected_and_the_rest_is_stored(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    # Not UTF-8 in the very first bytes, which tell a .json file's encoding.
    (folder / "a-binary.json").write_bytes(b"\xff\xd8\xff\xe0 not json at all")
    deep = "[" * 100_000 + "]" * 100_000
    (folder / "b-deep.ndjson").write_text(f'{{"resourceType": "Patient", "x": {deep}}}\n', "utf-8")
    (folder / "c-deep-entry.json").write_text(
        '{"resourceType": "Bundle", "type": "collection", "entry": '
        f'[{{"resource": {{"resourceType": "Patient", "x": {deep}}}}}]}}',
        "utf-8",
    )
    too_deep = _patient("p9", "MRN-9")
    too_deep["extension"] = [_nested_extension(400)]
    write_ndjson(folder / "d-patients.ndjson", [_patient("p1", "MRN-1"), too_deep])

    report, problems = await run_import(engine, folder)

    reasons = _reasons(problems)
    assert reasons[f"{folder}/a-binary.json"] == "not UTF-8 text"
    assert reasons[f"{folder}/b-deep.ndjson:line 1"] == "not valid JSON (nested too deeply)"
    assert reasons[f"{folder}/c-deep-entry.json:entry 0"].startswith(
        "not valid JSON (nested too deeply"
    )
    assert "nest too deeply" in reasons[f"{folder}/d-patients.ndjson:line 2"]
    assert len(problems) == 4
    assert report.counts["Patient"]["imported"] == 1
    assert await count(engine, "patient") == 1


async def test_a_resource_with_a_nul_character_is_rejected_and_the_rest_is_stored(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    nul_name = _patient("p2", "MRN-2")
    nul_name["name"][0]["family"] = "Sh\x00aw"
    nul_lab = _lab("l2", "p1", valueString="a\x00b")
    del nul_lab["valueQuantity"]
    path = write_ndjson(
        tmp_path / "in.ndjson", [_patient("p1", "MRN-1"), nul_name, _lab("l1", "p1")]
    )
    bundle = tmp_path / "bundle.json"
    bundle.write_text(
        json.dumps(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": nul_lab}]}
        ),
        "utf-8",
    )

    # PostgreSQL refused the NUL when the patient was written, and the whole run stopped.
    report, problems = await run_import(engine, path, bundle)

    assert _reasons(problems) == {
        f"{path}:line 2": "a text holds a NUL character (\\u0000)",
        f"{bundle}:entry 0": "a text holds a NUL character (\\u0000)",
    }
    assert report.counts["Patient"]["imported"] == 1
    assert report.counts["Observation"]["imported"] == 1
    assert await count(engine, "patient") == 1


async def test_a_moment_outside_the_years_in_utc_rejects_only_that_resource(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    early = _lab("early", "p1", effectiveDateTime="0001-01-01T00:00:00+14:00")
    late = _lab("late", "p1", effectiveDateTime="9999-12-31T23:59:59-14:00")
    path = write_ndjson(
        tmp_path / "in.ndjson", [_patient("p1", "MRN-1"), early, late, _lab("ok", "p1")]
    )

    # Converting to UTC overflowed and the whole run stopped with an OverflowError.
    report, problems = await run_import(engine, path)

    assert [p.reason for p in problems] == [
        "Observation.effective 0001-01-01T00:00:00+14:00 lies outside the years 1 to 9999 in UTC",
        "Observation.effective 9999-12-31T23:59:59-14:00 lies outside the years 1 to 9999 in UTC",
    ]
    assert report.counts["Observation"]["imported"] == 1
    assert await count(engine, "lab_result") == 1

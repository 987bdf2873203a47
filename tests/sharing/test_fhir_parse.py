"""The reverse mapping's building blocks and the input reader, without a database."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sharing.fhir import reader
from sharing.fhir.parse import Unmappable, coded, reference_key, to_date, to_datetime
from sharing.fhir.parse_observations import NotHeld, condition, observation
from sharing.fhir.reader import InputError, entries, input_files, read_chunks
from tests.builders.fhir_inputs import HL7, LOINC, SNOMED, category, concept, ref


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Patient/123", "Patient/123"),
        ("https://ehr.example/fhir/R4/Patient/123", "Patient/123"),
        ("http://ehr.example/fhir/Encounter/e-1/_history/7", "Encounter/e-1"),
        (
            "urn:uuid:9b3c2f4e-0000-4000-8000-000000000001",
            "urn:uuid:9b3c2f4e-0000-4000-8000-000000000001",
        ),
        ("#med1", "#med1"),
    ],
)
def test_references_become_type_and_id(raw: str, key: str) -> None:
    assert reference_key(raw) == key


def test_dates_and_times_are_read_as_fhir_writes_them() -> None:
    assert to_datetime("2015-11-01T17:00:14-05:00", "x") == datetime(
        2015, 11, 1, 22, 0, 14, tzinfo=UTC
    )
    assert to_datetime("2016-04-06", "x") == datetime(2016, 4, 6, tzinfo=UTC)
    assert to_date("2012-04", "x") == date(2012, 4, 1)
    assert to_date("2012", "x") == date(2012, 1, 1)
    with pytest.raises(Unmappable, match=r"Goal\.startDate is missing"):
        to_date(None, "Goal.startDate")


def test_codes_must_be_in_the_categorys_system_and_well_formed() -> None:
    found = coded(concept("LOINC", "4548-4", "A1c"), (LOINC,), "Observation.code")
    assert found == {"code_system": LOINC, "code": "4548-4", "code_display": "A1c"}
    with pytest.raises(
        Unmappable, match=r"coded in http://example\.org, expected http://loinc\.org"
    ):
        coded(concept("http://example.org", "x"), (LOINC,), "Observation.code")
    with pytest.raises(Unmappable, match="'4548' is not a valid code"):
        coded(concept(LOINC, "4548"), (LOINC,), "Observation.code")
    with pytest.raises(Unmappable, match="has no coding"):
        coded({"text": "A1c"}, (LOINC,), "Observation.code")


def _observation(kind: str, code: str) -> dict[str, object]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": category(HL7 + "observation-category", kind),
        "code": concept(LOINC, code, "x"),
        "subject": ref("Patient/p"),
        "effectiveDateTime": "2020-01-01T00:00:00Z",
        "valueString": "ok",
    }


def test_observations_go_to_the_registry_categorys_table() -> None:
    assert observation(_observation("laboratory", "2093-3"), "o")[0].table == "lab_result"
    assert observation(_observation("vital-signs", "8867-4"), "o")[0].table == "vital_sign"
    assert observation(_observation("social-history", "72166-2"), "o")[0].table == "smoking_status"
    with pytest.raises(NotHeld, match="not a smoking status"):
        observation(_observation("social-history", "74013-4"), "o")
    with pytest.raises(NotHeld, match="category survey is not held"):
        observation(_observation("survey", "44249-1"), "o")


def test_an_encounter_diagnosis_needs_its_encounter() -> None:
    diagnosis = {
        "resourceType": "Condition",
        "clinicalStatus": concept(HL7 + "condition-clinical", "active"),
        "verificationStatus": concept(HL7 + "condition-ver-status", "confirmed"),
        "category": category(HL7 + "condition-category", "encounter-diagnosis"),
        "code": concept(SNOMED, "10509002", "Acute bronchitis"),
        "subject": ref("Patient/p"),
        "recordedDate": "2020-01-01",
    }
    with pytest.raises(Unmappable, match=r"needs its Condition\.encounter"):
        condition(diagnosis, "c")
    [row] = condition(diagnosis | {"encounter": ref("Encounter/e")}, "c")
    assert (row.table, row.links) == ("encounter_diagnosis", {"encounter_id": "Encounter/e"})


def test_ndjson_is_read_in_chunks_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson"
    path.write_text('{"resourceType": "Patient"}\n\n{"resourceType": "Goal"}\n[1]\n', "utf-8")
    chunks = list(read_chunks([path], chunk_lines=2))
    assert [(c.first_line, len(c.lines)) for c in chunks] == [(1, 2), (3, 2)]
    found = [
        (e.where, e.error or (e.resource and e.resource["resourceType"]))
        for c in chunks
        for e in entries(c)
    ]
    assert found == [
        (f"{path}:line 1", "Patient"),
        (f"{path}:line 3", "Goal"),
        (f"{path}:line 4", "not a FHIR resource (expected a JSON object)"),
    ]


def test_directories_are_searched_for_fhir_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/2.ndjson", "a.json", "notes.txt", "b/1.jsonl"):
        (tmp_path / name).write_text("{}", "utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in input_files([str(tmp_path)])] == [
        "a.json",
        "b/1.jsonl",
        "b/2.ndjson",
    ]
    with pytest.raises(InputError, match="no such file or directory"):
        input_files([str(tmp_path / "missing.json")])


def test_a_file_that_vanishes_after_listing_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.ndjson"
    path.write_text("{}\n", "utf-8")
    [listed] = input_files([str(path)])
    path.unlink()
    with pytest.raises(InputError, match=r"gone\.ndjson: cannot be read \(No such file"):
        list(read_chunks([listed]))


def _found(path: Path, **sizes: int) -> list[tuple[str, str | None]]:
    return [
        (e.where.removeprefix(f"{path}"), e.error or str((e.resource or {}).get("id")))
        for c in read_chunks([path], **sizes)
        for e in entries(c)
    ]


def test_a_bundle_is_read_entry_by_entry_in_any_property_order(tmp_path: Path) -> None:
    items = [
        {"fullUrl": f"urn:uuid:{n}", "resource": {"resourceType": "Goal", "id": f"g{n}"}}
        for n in range(30)
    ]
    expected = [(f":entry {n}", f"g{n}") for n in range(30)]
    first = tmp_path / "first.json"
    first.write_text(
        json.dumps({"resourceType": "Bundle", "type": "collection", "entry": items}, indent=2)
    )
    chunks = list(read_chunks([first], chunk_lines=4, read_bytes=64))
    assert [c.first_entry for c in chunks if c.lines] == list(range(0, 30, 4))
    assert sum(c.size for c in chunks) == first.stat().st_size
    assert _found(first, chunk_lines=4, read_bytes=64) == expected
    # `entry` before `type`: passed over, then read again once the Bundle's type is known.
    last = tmp_path / "last.json"
    last.write_text(json.dumps({"entry": items, "type": "batch", "resourceType": "Bundle"}))
    assert _found(last, chunk_lines=4, read_bytes=64) == expected
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"entry": items, "type": "history", "resourceType": "Bundle"}))
    assert _found(history, read_bytes=64) == [("", "a Bundle of type 'history' is not imported")]
    # A List has an `entry` too; a resource that is not a Bundle is one resource.
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps({"entry": [{"item": {}}], "resourceType": "List", "id": "l"}))
    assert _found(listed, read_bytes=8) == [("", "l")]


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        ("", "", "not valid JSON (the file is empty)"),
        ("[1, 2]", "", "not a FHIR resource (expected a JSON object)"),
        ("hello", "", "not valid JSON (expected a JSON object on line 1)"),
        ('{"resourceType": "Patient", "id": "p"} {}', "", "not valid JSON (extra data"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": {}}', "", "Bundle.entry is"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": [{}, {', ":entry 1", "not "),
        ('{"resourceType": "Bundle", "type": "collection",\n"entry": [{}, x]}', ":entry 1", "not"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": [{}, {}', ":entry 2", "not "),
        ('{"resourceType": "Bundle", "type": "batch", "entry": [{"id": "\\u00', ":entry 0", "not"),
    ],
)
def test_a_broken_json_file_is_one_problem(
    text: str, where: str, reason: str, tmp_path: Path
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text, "utf-8")
    [(found_where, found_reason)] = _found(path, read_bytes=16)
    assert found_where == where
    assert str(found_reason).startswith(reason)


def test_an_entry_too_long_to_hold_is_reported_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_ENTRY_CHARS", 1000)
    small = {"resource": {"resourceType": "Goal", "id": "small"}}
    large = {"resource": {"resourceType": "Goal", "id": "large", "note": [{"text": "x" * 5000}]}}
    path = tmp_path / "large.json"
    path.write_text(
        json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [small, large]})
    )
    assert _found(path, read_bytes=64) == [
        (":entry 0", "small"),
        (":entry 1", "a value longer than 1,000 characters"),
    ]

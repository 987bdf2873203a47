"""`chartshare import` and `chartshare export`: summaries, clear errors, never a traceback."""

import json
import os
from pathlib import Path

import pytest

from api.cli import main
from tests.builders.fhir_inputs import us_core_transaction, write_json, write_ndjson


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", database_url)
    monkeypatch.setenv("CHARTSHARE_BASE_URL", "https://chartshare.example")
    return database_url


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _summary_row(out: str, resource_type: str) -> list[str]:
    [line] = [line for line in out.splitlines() if line.startswith(resource_type + " ")]
    return line.split()[1:]


def test_import_then_export_a_record(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_json(tmp_path / "record.json", us_core_transaction())
    code, out, err = _run(["import", str(path)], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[0].split() == [
        "resource", "type", "imported", "updated", "unchanged", "merged", "skipped", "rejected",
    ]  # fmt: skip
    assert _summary_row(out, "Observation") == ["3", "0", "0", "0", "0", "0"]
    assert _summary_row(out, "Organization") == ["0", "0", "0", "0", "1", "0"]
    assert "1 patients written" in out

    code, out, _ = _run(["import", str(path)], capsys)
    assert _summary_row(out, "Observation") == ["0", "0", "3", "0", "0", "0"]

    output = tmp_path / "out.json"
    code, out, err = _run(["export", "--patient", "1", "--output", str(output)], capsys)
    assert (code, err) == (0, "")
    bundle = json.loads(output.read_text("utf-8"))
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Observation") == 4  # the blood pressure panel became two vital signs
    assert bundle["type"] == "collection"
    code, out, _ = _run(["export", "--patient", "1"], capsys)
    assert json.loads(out)["entry"] == bundle["entry"]


def test_dry_run_says_so_and_keeps_nothing(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_json(tmp_path / "record.json", us_core_transaction())
    code, out, _ = _run(["import", "--dry-run", str(path)], capsys)
    assert code == 0
    assert out.rstrip().endswith("Dry run: nothing was kept.")
    code, _, err = _run(["export", "--patient", "1"], capsys)
    assert (code, err) == (2, "chartshare: no patient with id 1\n")


def test_rejections_are_listed_and_set_the_exit_status(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text('{"resourceType": "Patient", "id": "p1"\n', "utf-8")
    code, out, err = _run(["import", str(path)], capsys)
    assert code == 1
    assert err.startswith(f"rejected: {path}:line 1: not valid JSON")
    assert _summary_row(out, "(unreadable)") == ["0", "0", "0", "0", "0", "1"]
    assert "Traceback" not in err


def test_progress_bar_only_when_asked_off_a_terminal(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_json(tmp_path / "record.json", us_core_transaction())
    _, _, quiet = _run(["import", "--dry-run", str(path)], capsys)
    assert quiet == ""
    _, _, drawn = _run(["import", "--dry-run", "--progress", str(path)], capsys)
    assert "\rreading [" in drawn
    assert "writing [##############################] 1/1 patients" in drawn


@pytest.mark.parametrize("kind", ["missing", "empty directory", "no FHIR files", "not a file"])
def test_unusable_paths_are_one_line_errors(
    kind: str, cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "input"
    if kind == "empty directory":
        target.mkdir()
    elif kind == "no FHIR files":
        target.mkdir()
        (target / "notes.txt").write_text("hello", "utf-8")
    elif kind == "not a file":
        target = Path(os.devnull)
    code, out, err = _run(["import", str(target)], capsys)
    assert code == 2
    assert out == ""
    expected = {
        "missing": "no such file or directory",
        "empty directory": "no FHIR files (*.json, *.ndjson, *.jsonl) in this directory",
        "no FHIR files": "no FHIR files (*.json, *.ndjson, *.jsonl) in this directory",
        "not a file": "not a regular file",
    }[kind]
    assert err == f"chartshare: {target}: {expected}\n"


def test_an_unreadable_file_is_a_one_line_error(
    cli_database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_ndjson(tmp_path / "locked.ndjson", [])
    readable = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == path else readable(p, mode)
    )
    code, _, err = _run(["import", str(path)], capsys)
    assert (code, err) == (2, f"chartshare: {path}: cannot be read (permission denied)\n")


def test_export_to_a_place_that_cannot_be_written_is_a_one_line_error(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(["import", str(write_json(tmp_path / "r.json", us_core_transaction()))], capsys)
    code, _, err = _run(["export", "--patient", "1", "--output", str(tmp_path)], capsys)
    assert code == 2
    assert err.startswith(f"chartshare: {tmp_path}: cannot be written (")
    code, _, err = _run(["export", "--patient", "x"], capsys)
    assert code == 2
    assert "expected a whole number" in err
    # Past PostgreSQL's INTEGER ids: it said the database could not be reached.
    code, _, err = _run(["export", "--patient", "99999999999"], capsys)
    assert code == 2
    assert "no id is larger than 2147483647" in err


@pytest.mark.parametrize("damage", ["truncated", "garbled"])
def test_a_broken_bundle_file_is_one_problem_line(
    damage: str, cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(us_core_transaction())
    # Cut inside the third entry, or break the third entry's JSON where it starts.
    third = [i for i in range(len(text)) if text.startswith('{"fullUrl"', i)][2]
    broken = text[: third + 30] if damage == "truncated" else text[:third] + "{,," + text[third:]
    path = tmp_path / "record.json"
    path.write_text(broken, "utf-8")
    code, _, err = _run(["import", str(path)], capsys)
    assert code == 1
    assert err.startswith(f"rejected: {path}:entry 2: not valid JSON")
    assert "Traceback" not in err

"""The chartshare command: clear one-line errors, never a traceback."""

import argparse
import re
from pathlib import Path

import pytest

from api.cli import build_parser, main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", "nonsense")
    code, _, err = _run(["migrate"], capsys)
    assert code == 2
    assert err.startswith("chartshare: CHARTSHARE_DATABASE_URL: not a database URL")
    assert "Traceback" not in err


def test_unreachable_database_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nothing")
    code, _, err = _run(["migrate"], capsys)
    assert code == 1
    assert "database cannot be reached" in err
    assert "Traceback" not in err


def test_migrate_then_serve_refuses_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    code, _, err = _run(["serve", "--port", "8123"], capsys)
    assert code == 2
    assert "run `chartshare migrate` first" in err
    code, out, _ = _run(["migrate"], capsys)
    assert code == 0
    assert "up to date" in out
    code, out, _ = _run(["migrate"], capsys)
    assert code == 0


def test_a_downgrade_to_no_known_revision_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    assert _run(["migrate"], capsys)[0] == 0
    code, _, err = _run(["migrate", "--downgrade", "nosuch"], capsys)
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        "chartshare: cannot downgrade to 'nosuch': Can't locate revision identified by 'nosuch'"
    )
    assert _run(["migrate"], capsys)[1].strip().endswith("database is up to date")


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "http"],
        ["serve", "--port", "70000"],
        ["serve", "--workers", "0"],
        ["x"],
        # An empty revision ran an upgrade instead of refusing.
        ["migrate", "--downgrade", ""],
        ["export", "--patient", "2147483648"],
    ],
)
def test_bad_arguments_are_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(argv, capsys)
    assert code == 2
    assert "usage: chartshare" in err
    assert "Traceback" not in err


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def test_the_readme_command_table_names_real_commands_and_flags() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("## The `chartshare` command", 1)[1].split("\n\n", 2)[1]
    rows = re.findall(r"^\| `chartshare ([^`]+)` \|", table, re.M)
    assert len(rows) >= 10
    for row in rows:
        words = [w for w in row.split()[:2] if re.fullmatch(r"[a-z][a-z-]*", w)]
        parser = _subcommands(build_parser())[words[0]]
        if len(words) == 2:  # `audit verify`
            parser = _subcommands(parser)[words[1]]
        known = {flag for action in parser._actions for flag in action.option_strings}
        for flag in re.findall(r"--[a-z-]+", row):
            assert flag in known, f"chartshare {' '.join(words)}: no {flag}"

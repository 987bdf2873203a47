"""The chartshare command: clear one-line errors, never a traceback."""

from pathlib import Path

import pytest

from api.cli import main


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

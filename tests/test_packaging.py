"""A non-editable install carries every package, template, static asset and migration file."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = ("api", "schema", "sharing", "db", "migrations")
SKIP = {"__pycache__", "node_modules"}


def _config() -> dict[str, object]:
    setuptools: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
        "setuptools"
    ]
    return setuptools


def _files(top: str) -> list[Path]:
    return [
        p
        for p in (ROOT / top).rglob("*")
        if p.is_file() and not SKIP & set(p.relative_to(ROOT).parts)
    ]


def test_every_package_directory_is_listed() -> None:
    listed = set(_config()["packages"])  # type: ignore[call-overload]
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in APPLICATION
        for p in _files(top)
        if p.name == "__init__.py"
    }
    assert found == listed


def test_every_data_file_is_matched_by_package_data() -> None:
    package_data: dict[str, list[str]] = _config()["package-data"]  # type: ignore[assignment]
    shipped = {
        match
        for package, patterns in package_data.items()
        for pattern in patterns
        for match in (ROOT / package.replace(".", "/")).glob(pattern)
        if match.is_file()
    }
    data = {p for top in APPLICATION for p in _files(top) if p.suffix not in (".py", ".pyc")}
    assert sorted(str(p.relative_to(ROOT)) for p in data - shipped) == []
    needed = {"api/templates/login.html", "migrations/alembic.ini", "migrations/script.py.mako"}
    assert needed <= {str(p.relative_to(ROOT)) for p in shipped}

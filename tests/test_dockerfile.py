"""The Dockerfile keeps its promises (read, not built: no Docker engine runs the suite)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTRUCTIONS = [
    line.strip()
    for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


def _all(keyword: str) -> list[str]:
    return [i for i in INSTRUCTIONS if i.split()[0].upper() == keyword]


def test_it_is_multi_stage_and_ships_only_the_built_venv() -> None:
    stages = _all("FROM")
    assert len(stages) >= 2
    assert any("--from=build" in copy for copy in _all("COPY"))


def test_it_installs_the_locked_dependencies_like_the_dev_script() -> None:
    installs = [run for run in _all("RUN") if "pip install" in run]
    assert any("-c requirements.lock" in run for run in installs)
    dev_script = (ROOT / "scripts" / "dev.py").read_text()
    assert '"-c", lock' in dev_script
    for package in ("api", "schema", "sharing", "db", "migrations"):
        assert any(copy.split()[1] == package for copy in _all("COPY")), package


def test_it_runs_as_a_non_root_user_with_a_health_check() -> None:
    [user] = _all("USER")
    assert user.split()[1] not in ("root", "0")
    [health] = _all("HEALTHCHECK")
    assert "/healthz" in health


def test_migrations_are_their_own_command_not_part_of_start_up() -> None:
    [command] = _all("CMD")
    assert "serve" in command
    assert "migrate" not in command
    assert not _all("ENTRYPOINT")

"""Imports point one way: api -> schema -> sharing -> db (a layer may skip down, never up)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = {"strawberry", "graphql", "starlette", "authlib", "uvicorn"}
FORBIDDEN = {
    "db": {"api", "schema", "sharing"} | FRAMEWORKS,
    "sharing": {"api", "schema"} | FRAMEWORKS,
    "schema": {"api", "starlette", "authlib", "uvicorn"},
}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) & FORBIDDEN[layer])
        for path in (ROOT / layer).rglob("*.py")
    }
    assert {path: bad for path, bad in offenders.items() if bad} == {}


def test_the_guard_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from api.app import create_app\nimport strawberry\n")
    assert _imported_packages(module) & FORBIDDEN["db"] == {"api", "strawberry"}

"""docs/contract.md's category table says what the registry and the schema serve."""

from pathlib import Path

from schema.graph import SCHEMA
from sharing.categories import CATEGORIES

CONTRACT = Path(__file__).resolve().parent.parent.parent / "docs" / "contract.md"


def _category_rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `") and line.count(" | ") == 3:
            cells = [c.strip() for c in line.strip("|").replace("\\|", "\x00").split(" | ")]
            rows[cells[0].strip("`")] = [c.replace("\x00", "|") for c in cells[1:]]
    return rows


def test_the_contract_lists_every_category_with_its_label_field_and_scope() -> None:
    rows = _category_rows()
    assert list(rows) == [c.key.value for c in CATEGORIES]
    patient = SCHEMA._schema.get_type("Patient")
    for category in CATEGORIES:
        label, fields, scope = rows[category.key.value]
        assert label == category.label
        assert scope == f"`{category.scope}`"
        if category.field is not None:
            assert fields == f"`{category.field}`"
        for name in fields.replace("`", "").split(", "):
            type_name, _, field = name.rpartition(".")
            owner = SCHEMA._schema.get_type(type_name) if type_name else patient
            assert field in owner.fields, name  # type: ignore[union-attr]

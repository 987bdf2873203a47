"""The committed schema.graphql is the schema the code serves, and shows each field's scope."""

from pathlib import Path

from api.cli import main
from schema.permissions import scope_note
from schema.sdl import schema_sdl
from sharing.scopes import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent.parent


def test_committed_sdl_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), "run `chartshare export-schema` and commit schema.graphql"


def test_every_category_field_documents_its_scope() -> None:
    sdl = schema_sdl()
    for category in CATEGORIES:
        assert scope_note(category.key) in sdl, category.key


def test_export_schema_command_writes_the_sdl(tmp_path: Path) -> None:
    target = tmp_path / "out.graphql"
    assert main(["export-schema", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == schema_sdl()

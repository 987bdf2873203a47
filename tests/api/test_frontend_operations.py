"""Every GraphQL operation of the account page and every GraphiQL example fits the schema.

`npm run build` writes the page's operations to frontend/operations.json together with the
bundle; the GraphiQL examples are read from their own files in frontend/src/examples/. Neither
needs Node.
"""

import functools
import json
import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql.utilities import strip_ignored_characters

from api.pages.account import BUNDLE_DIR
from schema.graph import SCHEMA

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
OPERATIONS_FILE = FRONTEND / "operations.json"
DOCUMENTS: list[dict[str, str]] = json.loads(OPERATIONS_FILE.read_text())["documents"]
EXAMPLES_TS = FRONTEND / "src" / "examples.ts"
EXAMPLES_DIR = FRONTEND / "src" / "examples"
EXAMPLE_FILES = sorted(EXAMPLES_DIR.glob("*.graphql"))
VARIABLES_FILES = sorted(EXAMPLES_DIR.glob("*.json"))
EXAMPLE_IMPORT = re.compile(r'^import \w+ from "\./examples/([^"/]+)";$', re.MULTILINE)


def _operations(query: str) -> list[OperationDefinitionNode]:
    return [d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode)]


def _operation_names(query: str) -> list[str]:
    return [o.name.value for o in _operations(query) if o.name is not None]


@functools.cache
def _bundle() -> str:
    return "".join(p.read_text() for p in BUNDLE_DIR.rglob("*.js"))


def _bundled(query: str) -> list[str]:
    """How esbuild may print build.mjs's `JSON.parse(<query as JSON>)`: in ', " or ` quotes."""
    text = json.dumps(query, ensure_ascii=False).replace("\\", "\\\\")
    single = text.replace("'", "\\'")
    double = text.replace('"', '\\"')
    backtick = text.replace("`", "\\`").replace("${", "\\${")
    return [f"JSON.parse('{single}')", f'JSON.parse("{double}")', f"JSON.parse(`{backtick}`)"]


def test_the_page_operations_are_all_extracted() -> None:
    sources = {d["source"] for d in DOCUMENTS}
    assert {"operations.ts AUTHORIZED_APPS", "operations.ts RECORD_BUNDLE"} <= sources
    assert all(s.startswith("operations.ts ") for s in sources)


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d["source"] for d in DOCUMENTS])
def test_operation_is_valid_against_the_schema(document: dict[str, str]) -> None:
    errors = validate(SCHEMA._schema, parse(document["query"]))
    assert [e.message for e in errors] == []
    assert len(_operation_names(document["query"])) == 1  # one named operation per document


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_example_is_valid_against_the_schema(path: Path) -> None:
    query = path.read_text()
    errors = validate(SCHEMA._schema, parse(query))
    assert [e.message for e in errors] == []
    assert len(_operations(query)) == 1
    assert len(_operation_names(query)) == 1  # GraphiQL's tab shows the operation's name
    assert query.startswith("# ")  # a comment line says what the example does


@pytest.mark.parametrize("path", VARIABLES_FILES, ids=[p.name for p in VARIABLES_FILES])
def test_example_variables_are_the_operations_variables(path: Path) -> None:
    query = path.with_suffix(".graphql").read_text()
    (operation,) = _operations(query)
    declared = {v.variable.name.value for v in operation.variable_definitions or ()}
    assert set(json.loads(path.read_text())) == declared


def test_examples_ts_imports_every_example_file_and_nothing_else() -> None:
    imported = EXAMPLE_IMPORT.findall(EXAMPLES_TS.read_text())
    on_disk = [p.name for p in EXAMPLES_DIR.iterdir()]
    assert EXAMPLE_FILES
    assert sorted(imported) == sorted(on_disk)


def test_the_committed_bundle_was_built_from_these_operations() -> None:
    for document in DOCUMENTS:
        # The page sends its operations without the source's indentation and line breaks.
        assert strip_ignored_characters(document["query"]) in _bundle(), document["source"]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_the_committed_bundle_was_built_from_this_example(path: Path) -> None:
    # GraphiQL shows the examples as written; build.mjs inlines each one as JSON text.
    assert any(form in _bundle() for form in _bundled(path.read_text()))

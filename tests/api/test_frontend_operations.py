"""Every GraphQL operation of the account page and every GraphiQL example fits the schema.

`npm run build` writes them to frontend/operations.json together with the bundle; these tests
read that file, so they need no Node.
"""

import json
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql.utilities import strip_ignored_characters

from api.pages.account import BUNDLE_DIR
from schema.graph import SCHEMA

OPERATIONS_FILE = Path(__file__).resolve().parents[2] / "frontend" / "operations.json"
DOCUMENTS: list[dict[str, str]] = json.loads(OPERATIONS_FILE.read_text())["documents"]


def _operation_names(query: str) -> list[str]:
    return [
        d.name.value
        for d in parse(query).definitions
        if isinstance(d, OperationDefinitionNode) and d.name is not None
    ]


def test_the_page_and_the_examples_are_all_extracted() -> None:
    sources = {d["source"] for d in DOCUMENTS}
    assert {"operations.ts AUTHORIZED_APPS", "operations.ts RECORD_BUNDLE"} <= sources
    assert sum(s.startswith("examples.ts") for s in sources) == 4


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d["source"] for d in DOCUMENTS])
def test_operation_is_valid_against_the_schema(document: dict[str, str]) -> None:
    errors = validate(SCHEMA._schema, parse(document["query"]))
    assert [e.message for e in errors] == []
    assert len(_operation_names(document["query"])) == 1  # one named operation per document


def test_the_committed_bundle_was_built_from_these_operations() -> None:
    bundle = "".join(p.read_text() for p in BUNDLE_DIR.rglob("*.js"))
    for document in DOCUMENTS:
        query = document["query"]
        if document["source"].startswith("examples.ts"):
            # GraphiQL shows the examples as written.
            assert query in bundle, document["source"]
        else:
            # The page sends its operations without the source's indentation and line breaks.
            assert strip_ignored_characters(query) in bundle, document["source"]

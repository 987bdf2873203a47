"""The docs' example queries work with a token of exactly the scopes they state."""

import json
import re
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.builders.graphql import grant_app, post_graphql
from tests.builders.people import make_patient
from tests.builders.records import seed_record

ROOT = Path(__file__).resolve().parents[2]
GRAPHQL_DOC = (ROOT / "docs" / "graphql.md").read_text()
EXAMPLES = re.findall(r"```graphql\n(# Scopes: ([^\n]+)\n.*?)```", GRAPHQL_DOC, re.S)
README_CURL = re.search(r"-d '(\{\"query\": .*?\})'", (ROOT / "README.md").read_text())


def _docs_token_scopes(path: Path) -> set[str]:
    match = re.search(r"scope=([^&\s\"]+)", path.read_text())
    assert match, f"no authorization URL in {path.name}"
    return set(unquote(match.group(1)).split())


def test_there_are_examples_and_the_docs_token_covers_them() -> None:
    assert len(EXAMPLES) >= 2
    needed = {scope for _, scopes in EXAMPLES for scope in scopes.split()}
    for doc in (ROOT / "README.md", ROOT / "docs" / "oauth.md"):
        assert needed <= _docs_token_scopes(doc), doc.name


@pytest.mark.parametrize(
    ("query", "scopes"), EXAMPLES, ids=[q.split("\n")[1].strip()[:40] for q, _ in EXAMPLES]
)
async def test_each_example_runs_without_errors_under_its_scopes(
    session: AsyncSession, client: httpx.AsyncClient, query: str, scopes: str
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=2)
    access = await grant_app(session, patient, scopes.split())
    response = await post_graphql(client, query, token=access.token)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["data"]["patient"] is not None


async def test_the_readme_query_runs_with_the_readme_token(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    assert README_CURL is not None
    query = json.loads(README_CURL.group(1))["query"]
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=2)
    access = await grant_app(session, patient, sorted(_docs_token_scopes(ROOT / "README.md")))
    body = (await post_graphql(client, query, token=access.token)).json()
    assert "errors" not in body, body
    assert len(body["data"]["patient"]["labResults"]["edges"]) == 2

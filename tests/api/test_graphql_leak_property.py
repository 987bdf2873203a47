"""Property: for random grants and random queries, an app sees exactly its granted categories.

The response for a narrowed grant must equal the full-access response with every
subtree under a denied guard replaced by null (one INSUFFICIENT_SCOPE error each):
nothing outside the grant leaks, nothing inside it goes missing. Runs on every
backend of the suite (SQLite and PostgreSQL; CI requires PostgreSQL), 300 examples
each, on one seeded database per backend.
"""

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from api.settings import Settings
from db.accounts import Account, Relationship
from db.patients import Patient
from schema.records import BY_CATEGORY
from schema.types.relay import from_global_id, to_global_id
from sharing.scopes import CATEGORIES, CategoryKey, granted_categories, scopes_for
from tests import databases
from tests.api.query_generator import GeneratedQuery, generate
from tests.builders.people import issue_token, make_account, make_app, make_grant, make_patient
from tests.builders.records import seed_record
from tests.conftest import BACKENDS

EXAMPLES = 300
MARKER = re.compile(r"\b([a-z_]+)#(mine|other)-\d+")
TYPE_CATEGORY = {kind.type_name: kind.key for kind in BY_CATEGORY.values()}


@dataclass
class World:
    """One seeded database, an app client, and tokens per granted set of scopes."""

    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    account: Account
    patient_id: int
    node_ids: list[str]
    tokens: dict[tuple[str, ...], str] = field(default_factory=dict)

    async def token_for(self, scopes: list[str]) -> str:
        key = tuple(sorted(scopes))
        if key not in self.tokens:
            async with self.sessions() as session:
                me = await session.get(Patient, self.patient_id)
                assert me is not None
                app = await make_app(session)
                grant = await make_grant(
                    session, account=self.account, patient=me, app=app, scopes=scopes
                )
                self.tokens[key] = await issue_token(session, grant=grant)
                await session.commit()
        return self.tokens[key]


@pytest.fixture(scope="module", params=BACKENDS)
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    url = await databases.fresh_database(request.param, request, tmp_path_factory.mktemp("leaks"))
    app_settings = Settings(
        database_url=url, base_url="http://testserver", max_query_aliases=500,
        max_query_depth=30, max_query_tokens=20_000, max_query_cost=1_000_000,
    )  # fmt: skip
    app = create_app(app_settings)
    async with app.state.session_factory() as session:
        mine = await make_patient(session, given_name="demographics#mine-0")
        other = await make_patient(session, given_name="demographics#other-0")
        account = await make_account(session, patients=[(mine, Relationship.SELF)])
        mine_record = await seed_record(session, mine, per_category=2, tag="mine")
        other_record = await seed_record(session, other, per_category=1, tag="other")
        await session.commit()
    node_ids = [to_global_id("Patient", mine.id), to_global_id("Patient", other.id)]
    for record in (mine_record, other_record):
        for key, ids in record.ids.items():
            if key in BY_CATEGORY:
                node_ids.append(to_global_id(BY_CATEGORY[key].type_name, ids[0]))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield World(client, app.state.session_factory, account, mine.id or 0, node_ids)
    await app.state.engine.dispose()


def _expected(full: Any, query: GeneratedQuery, granted: frozenset[CategoryKey], path: list[Any],
              denied: set[tuple[Any, ...]]) -> Any:  # fmt: skip
    """The full-access data with every subtree under a denied guard replaced by null."""
    if isinstance(full, list):
        return [_expected(v, query, granted, [*path, i], denied) for i, v in enumerate(full)]
    if not isinstance(full, dict):
        return full
    result: dict[str, Any] = {}
    for name, value in full.items():
        guard = query.aliases.get(name)
        if guard is not None and guard not in granted:
            result[name] = None
            denied.add((*path, name))
            continue
        if name in query.node_aliases:
            type_name, _ = from_global_id(query.node_aliases[name])
            category = TYPE_CATEGORY.get(type_name)
            if category is not None and category not in granted:
                result[name] = None
                denied.add((*path, name))
                continue
        result[name] = _expected(value, query, granted, [*path, name], denied)
    return result


def _leaks(data: Any, granted: frozenset[CategoryKey]) -> list[str]:
    """Values in a response that belong to a category outside the grant or to another patient."""
    found = []
    text_form = json.dumps(data)
    for category, owner in MARKER.findall(text_form):
        if owner != "mine" or CategoryKey(category) not in granted:
            found.append(f"{category}#{owner}")
    for value in re.findall(r'"([A-Za-z0-9+/=]{8,})"', text_form):
        try:
            type_name, _ = from_global_id(value)
        except Exception:  # noqa: S112 - not every string is an ID
            continue
        category = TYPE_CATEGORY.get(type_name)
        if category is not None and category not in granted:
            found.append(f"id of {type_name}")
    return found


scope_choices = st.sets(st.sampled_from([c.key for c in CATEGORIES]))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(categories=scope_choices, read_alias=st.booleans(), data=st.data())
async def test_responses_hold_exactly_the_granted_categories(
    world: World, categories: set[CategoryKey], read_alias: bool, data: st.DataObject
) -> None:
    scopes = scopes_for(categories, ["launch/patient"])
    if read_alias:
        scopes = [s.replace(".rs", ".read") for s in scopes]
    granted = granted_categories(scopes)
    assert granted == frozenset(categories)
    query = generate(data, world.node_ids)
    full_token = await world.token_for(["patient/*.rs"])
    token = await world.token_for(scopes)

    full = (await _post(world, query, full_token)).json()
    narrowed = (await _post(world, query, token)).json()

    assert "data" in full, (query.text, full)
    denied: set[tuple[Any, ...]] = set()
    assert narrowed["data"] == _expected(full["data"], query, granted, [], denied), query.text
    assert _leaks(narrowed["data"], granted) == []
    insufficient = {
        tuple(e["path"])
        for e in narrowed.get("errors", [])
        if e["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    }
    assert insufficient == denied
    other_codes = {e["extensions"]["code"] for e in narrowed.get("errors", [])} - {
        "INSUFFICIENT_SCOPE"
    }
    assert other_codes <= {"NOT_FOUND"}


async def _post(world: World, query: GeneratedQuery, token: str) -> httpx.Response:
    return await world.client.post(
        "/graphql",
        json={"query": query.text, "variables": query.variables},
        headers={"Authorization": f"Bearer {token}"},
    )

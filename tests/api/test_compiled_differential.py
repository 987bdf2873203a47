"""Differential test: the compiled read path answers exactly as the Strawberry executor.

Hypothesis draws app queries over `patient` (random fields, links, aliases, fragments,
`first`/`after`/filters as literals or variables) and random grants for random seeded
patients; each runs on two apps over one database, one with the compiled path and one
without. Status, body (data and errors: messages, codes, paths, locations, order) and
the DATA_READ event each writes (outcome, categories and counts, denied) must be equal,
and queries the compiler supports must really have run compiled. The errors are compared
as a set: GraphQL does not define their order, and Strawberry's follows the scheduling of
its resolver tasks (docs/performance.md).

Runs on every backend of the suite. CHARTSHARE_DIFFERENTIAL_EXAMPLES sets the number of
examples per backend (default 100; e.g. 3000 for a long run before a release).
"""

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from api.settings import Settings
from db.accounts import Relationship
from db.activity import ActivityEvent, EventKind
from db.passwords import make_hasher
from db.patients import Patient
from db.seed.runner import SeedOptions, run_seed
from schema.compiled.catalog import PATIENT, TYPES
from schema.compiled.planner import PATIENT_CONNECTIONS
from schema.compiled.runner import EXECUTORS, FALLBACKS
from schema.graph import SCHEMA
from sharing.apps import demo_app_registrar
from sharing.scopes import CATEGORIES, CategoryKey, scopes_for
from tests import databases
from tests.api.differential_queries import generate_app_query
from tests.builders.people import issue_token, make_account, make_app, make_grant
from tests.builders.records import make_record
from tests.conftest import BACKENDS

EXAMPLES = int(os.environ.get("CHARTSHARE_DIFFERENTIAL_EXAMPLES", "100"))
K = CategoryKey


@dataclass
class World:
    """One seeded database, a client per executor, and tokens per (patient, scopes)."""

    compiled: httpx.AsyncClient
    strawberry: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    patient_ids: list[int]
    cursors: list[str]
    tokens: dict[tuple[int, tuple[str, ...]], str] = field(default_factory=dict)

    async def token_for(self, patient_id: int, scopes: list[str]) -> str:
        key = (patient_id, tuple(sorted(scopes)))
        if key not in self.tokens:
            async with self.sessions() as session:
                patient = await session.get(Patient, patient_id)
                assert patient is not None
                account = await make_account(session, patients=[(patient, Relationship.SELF)])
                app = await make_app(session)
                grant = await make_grant(
                    session, account=account, patient=patient, app=app, scopes=scopes
                )
                self.tokens[key] = await issue_token(session, grant=grant)
                await session.commit()
        return self.tokens[key]


async def _odd_rows(session: AsyncSession, patient: Patient) -> None:
    """Rows whose values are easy to print differently.

    Microseconds, whole and tiny floats, quotes, backslashes, non-ASCII, empty codes,
    ties on the ordering date.
    """
    tie = datetime(2021, 3, 4, 5, 6, 7, 891000, tzinfo=UTC)
    odd_text = 'Zoë "quoted" \\ back\tslash 雪 \u2028'
    for n, (value, low) in enumerate([(5.0, 1e-05), (0.1 + 0.2, None), (123456.789, 0.0)]):
        await make_record(session, K.LAB_RESULTS, patient, tag=f"odd-{n}", n=n,
                          effective_at=tie, value_quantity=value, reference_low=low,
                          reference_high=None, value_text=odd_text, interpretation="",
                          value_code_system="", value_code="x", value_unit="")  # fmt: skip
    await make_record(session, K.ALLERGIES, patient, tag="odd", n=1, reaction_code=None,
                      reaction_severity="", recorded_at=tie, criticality="é \"x\" \\")  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    url = await databases.fresh_database(
        request.param, request, tmp_path_factory.mktemp("differential")
    )
    hasher = make_hasher()
    await run_seed(
        url, SeedOptions(6, 11, False, False, hasher, register_app=demo_app_registrar(hasher))
    )
    base = Settings(database_url=url, base_url="http://testserver")
    apps = [create_app(base), create_app(base.with_overrides(compiled_reads=False))]
    async with apps[0].state.session_factory() as session:
        ids = list((await session.exec(select(Patient.id).order_by(col(Patient.id)))).all())
        patient = await session.get(Patient, ids[0])
        assert patient is not None
        await _odd_rows(session, patient)
        await session.commit()
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://testserver")
        for a in apps
    ]
    world = World(clients[0], clients[1], apps[0].state.session_factory,
                  [i for i in ids if i is not None], [])  # fmt: skip
    token = await world.token_for(world.patient_ids[0], ["patient/*.rs"])
    world.cursors = await _some_cursors(world.strawberry, token)
    yield world
    for client in clients:
        await client.aclose()
    for app in apps:
        await app.state.engine.dispose()


async def _some_cursors(client: httpx.AsyncClient, token: str) -> list[str]:
    """Real cursors of a few lists (a date-ordered and time-ordered one among them)."""
    lists = ["labResults", "goals", "allergies", "careTeam", "medications"]
    query = "{ patient { " + " ".join(f"{n}(first: 4) {{ edges {{ cursor }} }}" for n in lists)
    response = await client.post("/graphql", json={"query": query + " } }"},
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    patient = response.json()["data"]["patient"]
    return [edge["cursor"] for name in lists for edge in patient[name]["edges"]]


async def _last_read(world: World) -> tuple[str, dict[str, Any]]:
    async with world.sessions() as session:
        event = (
            await session.exec(
                select(ActivityEvent)
                .where(col(ActivityEvent.kind) == EventKind.DATA_READ)
                .order_by(col(ActivityEvent.id).desc())
            )
        ).first()
        assert event is not None
        return event.outcome, json.loads(event.details)


def _canonical(body: dict[str, Any]) -> dict[str, Any]:
    """The body with its errors in a fixed order (GraphQL leaves their order open)."""
    errors = sorted(body.get("errors", []), key=lambda e: json.dumps(e, sort_keys=True))
    return {**body, "errors": errors} if "errors" in body else body


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    categories=st.sets(st.sampled_from([c.key for c in CATEGORIES])),
    read_alias=st.booleans(),
    patient=st.integers(0, 5),
    data=st.data(),
)
async def test_compiled_and_strawberry_answer_alike(
    world: World, categories: set[CategoryKey], read_alias: bool, patient: int,
    data: st.DataObject,
) -> None:  # fmt: skip
    scopes = scopes_for(categories, ["launch/patient"])
    if read_alias:
        scopes = [s.replace(".rs", ".read") for s in scopes]
    token = await world.token_for(world.patient_ids[patient], scopes)
    query, compilable = generate_app_query(data, world.cursors)
    body = {"query": query.text, "variables": query.variables}
    headers = {"Authorization": f"Bearer {token}"}

    before = EXECUTORS["compiled"]
    compiled = await world.compiled.post("/graphql", json=body, headers=headers)
    ran_compiled = EXECUTORS["compiled"] > before
    compiled_event = await _last_read(world)
    expected = await world.strawberry.post("/graphql", json=body, headers=headers)
    expected_event = await _last_read(world)

    assert compiled.status_code == expected.status_code, query.text
    assert _canonical(compiled.json()) == _canonical(expected.json()), query.text
    assert compiled_event == expected_event, query.text
    # A query the generator can build may still be invalid (two selections of one field
    # with different arguments): Strawberry refuses it, and so the compiler leaves it alone.
    if compilable and expected.status_code == 200:
        assert ran_compiled, (query.text, FALLBACKS)


def test_the_compiler_covers_the_whole_patient_type() -> None:
    """Every field of Patient and of the record types is in the catalog (or is a connection)."""
    patient = SCHEMA._schema.get_type("Patient")
    assert isinstance(patient, GraphQLObjectType)
    assert set(patient.fields) == set(PATIENT) | set(PATIENT_CONNECTIONS)
    for type_name, specs in TYPES.items():
        found = SCHEMA._schema.get_type(type_name)
        assert isinstance(found, GraphQLObjectType)
        assert set(found.fields) == set(specs), type_name

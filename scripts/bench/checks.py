"""What the benchmark checks around the load, and the compiled SQL the floor server runs.

Same records from every server; which executor chartshare picks per workload.
"""

import base64
import re
from functools import partial
from typing import Any

import httpx
from graphql import parse

from api.app import create_app
from api.settings import Settings
from schema.compiled.dialects import POSTGRES
from schema.compiled.planner import build_plan
from schema.compiled.runner import EXECUTORS, FALLBACKS
from schema.compiled.statement import Shape, build_statement
from schema.graph import SCHEMA
from scripts.bench import postgraphile
from sharing.scopes import CATEGORIES

NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def _number(order: list[str], match: re.Match[str]) -> str:
    if match.group(1) not in order:
        order.append(match.group(1))
    return f"${order.index(match.group(1)) + 1}"


def floor_statements(queries: dict[str, str]) -> dict[str, Any]:
    """Each query's compiled statement for a full grant, `$1` the patient.

    The whole statement, meta column included, as chartshare sends it; the floor answers
    the first column only.
    """
    found: dict[str, Any] = {}
    everything = frozenset(c.key for c in CATEGORIES)
    for name, query in queries.items():
        plan = build_plan(SCHEMA._schema, parse(query), None, everything)
        shapes = [Shape(False, False, False, False)] * len(plan.connections)
        sql = build_statement(POSTGRES, plan, shapes)
        order = ["pid"]
        sql = NAMED.sub(partial(_number, order), sql)
        # As SQLAlchemy sends it for chartshare: the patient bound as an INTEGER.
        sql = re.sub(r"\$1(?!\d)", "$1::INTEGER", sql)
        values = {}
        for connection in plan.connections:
            argument = (connection.node.arguments or ())[0]
            first = int(getattr(argument.value, "value", 0))
            values[f"f{connection.site}"], values[f"l{connection.site}"] = first, first + 1
        found[name] = {"sql": sql, "params": [values[n] for n in order[1:]]}
    return found


def _lab_rows_chartshare(body: dict[str, Any]) -> list[tuple[int, str]]:
    edges = body["data"]["patient"]["labResults"]["edges"]
    return [(int(base64.b64decode(e["node"]["id"]).decode().split(":")[1]),
             e["node"]["effectiveAt"][:19]) for e in edges]  # fmt: skip


def _lab_rows_postgraphile(body: dict[str, Any]) -> list[tuple[int, str]]:
    edges = body["data"]["patientByRowId"]["labResultsByPatientId"]["edges"]
    return [(e["node"]["rowId"], e["node"]["effectiveAt"].replace(" ", "T")[:19]) for e in edges]


def same_records(base: dict[str, str], tokens: dict[str, list[tuple[int, str]]]) -> dict[str, Any]:
    """W2 through the three servers returns the same lab results (ids, times) for a patient."""
    patient, token = tokens["W2"][0]
    from scripts.bench.queries import W2

    ours = httpx.post(f"{base['chartshare']}/graphql", json={"query": W2},
                      headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
    floor = httpx.post(f"{base['floor']}/W2", json={"patient": patient}).json()
    question = {"query": postgraphile.w2(), "variables": {"id": patient}}
    theirs = httpx.post(f"{base['postgraphile']}/graphql", json=question).json()
    if "data" not in ours or "data" not in theirs:
        raise SystemExit(f"a server refused the W2 query: {ours} {theirs}")
    rows = _lab_rows_chartshare(ours)
    if rows != _lab_rows_chartshare(floor) or rows != _lab_rows_postgraphile(theirs):
        raise SystemExit(f"the servers disagree on patient {patient}'s lab results")
    return {"patient": patient, "lab_results": len(rows), "equal": True}


async def executors(url: str, workloads: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    """Which executor chartshare uses for each workload (one request each, in this process)."""
    app = create_app(Settings(database_url=url, base_url="http://127.0.0.1"))
    transport = httpx.ASGITransport(app=app)
    chosen: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for name, (query, _) in workloads.items():
            before = dict(EXECUTORS)
            token = tokens[name][0][1]
            await client.post("/graphql", json={"query": query},
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            chosen[name] = (
                "compiled" if EXECUTORS["compiled"] > before.get("compiled", 0) else "strawberry"
            )
    await app.state.engine.dispose()
    return {"by_workload": chosen, "fallback_reasons": dict(FALLBACKS)}

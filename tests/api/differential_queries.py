"""Random app queries over `patient` for the differential test of the compiled read path.

Builds on the leak test's generator (random fields, aliases on guarded fields, inline
and named fragments) and adds what the compiled path must get exactly right: every
connection argument as a literal or a variable (`first`, `after`, `status`, `since`,
`until`), repeated selections that must merge, `__typename`, several `patient` aliases,
and now and then something only Strawberry runs (a bad page size or cursor, `viewer`).
"""

import json
from datetime import date, timedelta
from typing import Any

from graphql import GraphQLField, GraphQLInterfaceType, GraphQLObjectType
from hypothesis import strategies as st

from schema.graph import SCHEMA
from tests.api.query_generator import GeneratedQuery, _Builder

Composite = GraphQLObjectType | GraphQLInterfaceType
STATUSES = ["active", "final", "completed", "resolved", "stopped", "finished", "amended", "none"]
FIRST_DAY = date(2008, 1, 1)


class _DifferentialBuilder(_Builder):
    def __init__(self, data: st.DataObject, cursors: list[str]) -> None:
        super().__init__(data)
        self.cursors = cursors
        # False once the query holds something the compiled path hands to Strawberry.
        self.compilable = True

    def selection(self, parent: Composite, depth: int) -> str:
        body = super().selection(parent, depth)
        draw = self.data.draw
        if draw(st.integers(0, 4)) == 0:
            body = f"__typename {body}"
        if draw(st.integers(0, 5)) == 0:
            body = f"{body} {body}"  # the same fields again: they merge
        return body

    def _value(self, type_name: str, value: Any, literal: str) -> str:
        if self.data.draw(st.booleans()):
            variable = self._next("v")
            self.definitions.append(f"${variable}: {type_name}")
            self.variables[variable] = value
            return f"${variable}"
        return literal

    def arguments(self, f: GraphQLField) -> str:
        draw = self.data.draw
        parts = []
        if "first" in f.args and draw(st.integers(0, 5)) > 0:
            size = draw(st.sampled_from([1, 1, 2, 3, 5, 0, 101]))
            if not 1 <= size <= 100:
                self.compilable = False
            parts.append(f"first: {self._value('Int!', size, str(size))}")
        if "after" in f.args and draw(st.integers(0, 3)) == 0:
            if self.cursors and draw(st.integers(0, 4)) > 0:
                cursor = draw(st.sampled_from(self.cursors))
            else:
                cursor = draw(st.sampled_from(["bm90IGEgY3Vyc29y", "", "WyJ0IiwgMSwgMl0="]))
            self.compilable = False  # a cursor of another list may be refused: either path
            quoted = json.dumps(cursor)
            parts.append(f"after: {self._value('String', cursor, quoted)}")
        if "status" in f.args and draw(st.integers(0, 3)) == 0:
            chosen = draw(st.lists(st.sampled_from(STATUSES), max_size=3))
            literal = "[" + ", ".join(f'"{s}"' for s in chosen) + "]"
            parts.append(f"status: {self._value('[String!]', chosen, literal)}")
        for name in ("since", "until"):
            if name in f.args and draw(st.integers(0, 3)) == 0:
                day = FIRST_DAY + timedelta(days=draw(st.integers(0, 6600)))
                value = None if draw(st.integers(0, 5)) == 0 else day.isoformat()
                literal = "null" if value is None else f'"{value}"'
                parts.append(f"{name}: {self._value('Date', value, literal)}")
        return f"({', '.join(parts)})" if parts else ""


def generate_app_query(data: st.DataObject, cursors: list[str]) -> tuple[GeneratedQuery, bool]:
    """A query over `patient` (sometimes twice, sometimes with `viewer`).

    Also whether the compiled path must run it rather than hand it to Strawberry.
    """
    builder = _DifferentialBuilder(data, cursors)
    patient = SCHEMA._schema.get_type("Patient")
    assert isinstance(patient, GraphQLObjectType)
    parts = [f"patient {{ {builder.selection(patient, 2)} }}"]
    if data.draw(st.integers(0, 5)) == 0:
        parts.append(f"again: patient {{ {builder.selection(patient, 2)} }}")
    if data.draw(st.integers(0, 9)) == 0:
        parts.append("viewer { kind grantedScopes }")
        builder.compilable = False
    if data.draw(st.integers(0, 6)) == 0:
        parts.insert(0, "__typename")
    definitions = f"({', '.join(builder.definitions)})" if builder.definitions else ""
    text = f"query App{definitions} {{ {' '.join(parts)} }} " + " ".join(builder.fragments)
    query = GeneratedQuery(text, builder.variables, builder.aliases)
    return query, builder.compilable

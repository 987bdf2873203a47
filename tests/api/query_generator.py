"""Random GraphQL queries over the schema for the leak property test.

Every guarded field gets a unique alias, recorded with the category that guards it,
so the expected response for any grant can be derived from a full-access response.
"""

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from hypothesis import strategies as st

from schema.graph import SCHEMA
from schema.permissions import RequireCategory
from schema.records import BY_TYPE_NAME
from sharing.scopes import CategoryKey

MAX_DEPTH = 7
RECORD_TYPES = frozenset(BY_TYPE_NAME) | {"Patient"}
Composite = GraphQLObjectType | GraphQLInterfaceType


def _guards() -> dict[tuple[str, str], CategoryKey]:
    guards: dict[tuple[str, str], CategoryKey] = {}
    for type_name in SCHEMA._schema.type_map:
        definition = SCHEMA.get_type_by_name(type_name)
        for f in getattr(definition, "fields", None) or ():
            for extension in getattr(f, "extensions", ()):
                if isinstance(extension, RequireCategory):
                    name = SCHEMA.config.name_converter.from_field(f)
                    guards[(type_name, name)] = extension.key
    return guards


GUARDS = _guards()


@dataclass
class GeneratedQuery:
    """A query, its variables, and the category guarding each aliased field."""

    text: str
    variables: dict[str, Any]
    aliases: dict[str, CategoryKey] = field(default_factory=dict)
    node_aliases: dict[str, str] = field(default_factory=dict)


class _Builder:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.counter = 0
        self.aliases: dict[str, CategoryKey] = {}
        self.fragments: list[str] = []
        self.variables: dict[str, Any] = {}
        self.definitions: list[str] = []

    def _next(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def _is_leaf(self, f: GraphQLField) -> bool:
        return isinstance(get_named_type(f.type), GraphQLScalarType | GraphQLEnumType)

    def selection(self, parent: Composite, depth: int) -> str:
        names = sorted(parent.fields)
        if depth >= MAX_DEPTH:
            names = [n for n in names if self._is_leaf(parent.fields[n])]
        chosen = self.data.draw(
            st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)
        )
        parts = [self.field(parent, name, depth) for name in chosen]
        if isinstance(parent, GraphQLInterfaceType) and depth < MAX_DEPTH:
            # The record types: account-side nodes (AuthorizedApp, ActivityEvent, AppInfo)
            # hold no category and are covered by tests/api/test_graphql_account_nodes.py.
            possible = sorted(
                t.name for t in SCHEMA._schema.get_possible_types(parent) if t.name in RECORD_TYPES
            )
            for type_name in self.data.draw(
                st.lists(st.sampled_from(possible), max_size=3, unique=True)
            ):
                target = SCHEMA._schema.get_type(type_name)
                assert isinstance(target, GraphQLObjectType)
                parts.append(f"... on {type_name} {{ {self.selection(target, depth)} }}")
        body = " ".join(parts)
        if depth < MAX_DEPTH and self.data.draw(st.integers(0, 5)) == 0:
            name = self._next("F")
            self.fragments.append(f"fragment {name} on {parent.name} {{ {body} }}")
            return f"...{name}"
        return body

    def field(self, parent: Composite, name: str, depth: int) -> str:
        f = parent.fields[name]
        alias = ""
        if (parent.name, name) in GUARDS:
            alias_name = self._next(f"g_{name}_")
            self.aliases[alias_name] = GUARDS[(parent.name, name)]
            alias = f"{alias_name}: "
        args = self.arguments(f)
        target = get_named_type(f.type)
        if isinstance(target, GraphQLObjectType | GraphQLInterfaceType):
            return f"{alias}{name}{args} {{ {self.selection(target, depth + 1)} }}"
        return f"{alias}{name}{args}"

    def arguments(self, f: GraphQLField) -> str:
        parts = []
        if "first" in f.args:
            size = self.data.draw(st.integers(1, 3))
            if self.data.draw(st.booleans()):
                variable = self._next("v")
                self.definitions.append(f"${variable}: Int!")
                self.variables[variable] = size
                parts.append(f"first: ${variable}")
            else:
                parts.append(f"first: {size}")
        if "status" in f.args and self.data.draw(st.integers(0, 4)) == 0:
            parts.append('status: ["active", "final", "completed"]')
        return f"({', '.join(parts)})" if parts else ""


def generate(data: st.DataObject, node_ids: list[str]) -> GeneratedQuery:
    """Draw a query over `patient` and a few `node(id:)` lookups from the given IDs."""
    builder = _Builder(data)
    patient = SCHEMA._schema.get_type("Patient")
    node = SCHEMA._schema.get_type("Node")
    assert isinstance(patient, GraphQLObjectType) and isinstance(node, GraphQLInterfaceType)
    parts = [f"patient {{ {builder.selection(patient, 2)} }}"]
    node_aliases: dict[str, str] = {}
    for global_id in data.draw(st.lists(st.sampled_from(node_ids), max_size=3)):
        alias = builder._next("n")
        variable = builder._next("id")
        builder.definitions.append(f"${variable}: ID!")
        builder.variables[variable] = global_id
        node_aliases[alias] = global_id
        parts.append(f"{alias}: node(id: ${variable}) {{ {builder.selection(node, 2)} }}")
    definitions = f"({', '.join(builder.definitions)})" if builder.definitions else ""
    text = f"query Random{definitions} {{ {' '.join(parts)} }} " + " ".join(builder.fragments)
    return GeneratedQuery(text, builder.variables, builder.aliases, node_aliases)

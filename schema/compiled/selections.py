"""Field collection for the compiler: response keys, their field nodes, fragments applied."""

from collections.abc import Iterable

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    is_abstract_type,
)
from graphql.language import get_location

Fragments = dict[str, FragmentDefinitionNode]


class Unsupported(Exception):
    """The operation uses something the compiler does not handle; Strawberry runs it."""


def _applies(schema: GraphQLSchema, condition: str | None, runtime: GraphQLObjectType) -> bool:
    if condition is None or condition == runtime.name:
        return True
    found: GraphQLNamedType | None = schema.get_type(condition)
    return found is not None and is_abstract_type(found) and schema.is_sub_type(found, runtime)


def collect(
    schema: GraphQLSchema,
    fragments: Fragments,
    runtime: GraphQLObjectType,
    selection_sets: Iterable[SelectionSetNode],
) -> dict[str, list[FieldNode]]:
    """Response key -> its field nodes, in the order keys first appear (GraphQL CollectFields)."""
    fields: dict[str, list[FieldNode]] = {}
    visited: set[str] = set()  # each fragment is spread once per collection, as graphql-core does

    def visit(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unsupported("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if _applies(schema, condition.name.value if condition else None, runtime):
                    visit(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in visited:
                    continue
                visited.add(name)
                if fragment.directives:
                    raise Unsupported("directives")
                if _applies(schema, fragment.type_condition.name.value, runtime):
                    visit(fragment.selection_set)

    for selection_set in selection_sets:
        visit(selection_set)
    return fields


def subselections(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    """The selection sets of all the nodes merged under one response key."""
    return [node.selection_set for node in nodes if node.selection_set is not None]


def locations(nodes: list[FieldNode]) -> list[dict[str, int]]:
    """Where the nodes are in the document, as GraphQL errors report it."""
    found = []
    for node in nodes:
        if node.loc is not None:
            where = get_location(node.loc.source, node.loc.start)
            found.append({"line": where.line, "column": where.column})
    return found

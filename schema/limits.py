"""Query limits as graphql-core validation rules: depth, aliases, cost; tokens counted by the lexer.

All run before any resolver. Introspection fields (`__schema`, `__type`) do not count
towards depth or cost, so the account's GraphiQL can load its docs.
"""

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    TokenKind,
    get_named_type,
)
from graphql.language import Lexer
from graphql.validation import ASTValidationRule, ValidationContext, ValidationRule

from schema.context import Limits
from schema.errors import QUERY_TOO_COMPLEX
from schema.types.relay import DEFAULT_PAGE_SIZE

PAGE_ARGUMENT = "first"
# `last` pages backward with the same sizes; without either a connection gives
# DEFAULT_PAGE_SIZE items.
PAGE_ARGUMENTS = (PAGE_ARGUMENT, "last")


def too_complex(message: str) -> GraphQLError:
    """A limit error with its code."""
    return GraphQLError(message, extensions={"code": QUERY_TOO_COMPLEX})


def count_tokens(query: str, stop_after: int) -> int:
    """Tokens in a document (comments excluded), counting no further than `stop_after` + 1."""
    lexer = Lexer(Source(query))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
        if count > stop_after:
            break
    return count


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def _page_size(field: FieldNode, default: int, maximum: int) -> int:
    for argument in field.arguments or ():
        if argument.name.value in PAGE_ARGUMENTS:
            if isinstance(argument.value, IntValueNode):
                return max(0, int(argument.value.value))
            return maximum  # a variable: assume the largest page
    return default


class _Walker:
    """Walks an operation through its fragments, measuring depth and cost."""

    def __init__(self, context: ValidationContext, limits: Limits) -> None:
        self.context = context
        self.limits = limits
        self.fragments = _fragments(context)
        self.max_depth = 0
        self.cost = 0

    def walk(
        self,
        selections: SelectionSetNode | None,
        parent: GraphQLObjectType | GraphQLInterfaceType | None,
        depth: int,
        multiplier: int,
        seen: frozenset[str],
    ) -> None:
        if selections is None or depth > self.limits.max_depth + 1:
            return
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, parent, depth, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    found = self.context.schema.get_type(selection.type_condition.name.value)
                    if isinstance(found, GraphQLObjectType | GraphQLInterfaceType):
                        target = found
                self.walk(selection.selection_set, target, depth, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                found = self.context.schema.get_type(fragment.type_condition.name.value)
                target = (
                    found if isinstance(found, GraphQLObjectType | GraphQLInterfaceType) else None
                )
                self.walk(fragment.selection_set, target, depth, multiplier, seen | {name})

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLObjectType | GraphQLInterfaceType | None,
        depth: int,
        multiplier: int,
        seen: frozenset[str],
    ) -> None:
        name = node.name.value
        if name.startswith("__"):
            return
        self.max_depth = max(self.max_depth, depth)
        definition = parent.fields.get(name) if parent is not None else None
        child: GraphQLObjectType | GraphQLInterfaceType | None = None
        if definition is not None:
            named = get_named_type(definition.type)
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                child = named
            if PAGE_ARGUMENT in definition.args:
                default = definition.args[PAGE_ARGUMENT].default_value
                size = _page_size(
                    node,
                    default if isinstance(default, int) else DEFAULT_PAGE_SIZE,
                    self.limits.max_page_size,
                )
                multiplier *= max(size, 1)
                self.cost += multiplier
        self.walk(node.selection_set, child, depth + 1, multiplier, seen)


def limit_rules(limits: Limits) -> tuple[type[ASTValidationRule], ...]:
    """Validation rules enforcing depth, aliases and cost for one request."""

    class DepthAndCost(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            root = self.context.schema.get_root_type(node.operation)
            walker = _Walker(self.context, limits)
            walker.walk(node.selection_set, root, 1, 1, frozenset())
            if walker.max_depth > limits.max_depth:
                self.report_error(
                    too_complex(f"The query is nested deeper than {limits.max_depth} levels.")
                )
            if walker.cost > limits.max_cost:
                self.report_error(
                    too_complex(
                        f"The query may return {walker.cost} items, more than {limits.max_cost}."
                    )
                )

    class Aliases(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *_: object) -> None:
            if node.alias is not None:
                self.count += 1

        def leave_document(self, *_: object) -> None:
            if self.count > limits.max_aliases:
                self.report_error(
                    too_complex(
                        f"The query uses {self.count} aliases, more than {limits.max_aliases}."
                    )
                )

    return (DepthAndCost, Aliases)

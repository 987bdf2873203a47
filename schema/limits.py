"""Query limits as one graphql-core validation rule: depth, aliases and cost of what executes.

The operation is measured as it would execute: every fragment spread counts as often
as it is used (`{a: patient {...F} b: patient {...F}}` counts F's aliases and cost
twice). Each fragment is measured once per page size and the result reused, so
nested fragments cannot make the measuring itself exponential, and numbers saturate
at `CAP`. A spread of a fragment that is being measured (a cycle) counts nothing
here; graphql-core's NoFragmentCycles rule refuses the document.

Cost is the number of list items the query may read: a connection reads its `first`
items whatever is selected in it (a `first` given as a variable counts as the largest
page), a list without a page size (`Encounter.diagnoses`) counts as `assumed_list_size`
items, and both multiply whatever is nested inside them. Introspection fields (`__schema`,
`__type`) count towards neither depth nor cost, so the account's GraphiQL can load its docs.
"""

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.validation import ASTValidationRule, ValidationContext, ValidationRule

from schema.context import Limits
from schema.errors import QUERY_TOO_COMPLEX
from schema.types.relay import DEFAULT_PAGE_SIZE

PAGE_ARGUMENT = "first"
# Measures stop growing here; anything this large is far beyond every limit.
CAP = 10**12
# A page size literal longer than this is treated as the largest page.
_MAX_PAGE_DIGITS = 9

Composite = GraphQLObjectType | GraphQLInterfaceType
# `last` pages backward with the same sizes; without either a connection gives
# DEFAULT_PAGE_SIZE items.
PAGE_ARGUMENTS = (PAGE_ARGUMENT, "last")


def too_complex(message: str) -> GraphQLError:
    """A limit error with its code."""
    return GraphQLError(message, extensions={"code": QUERY_TOO_COMPLEX})


@dataclass(frozen=True)
class Measure:
    """Depth (field levels), aliases and cost of a selection, executed once."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0

    def beside(self, other: "Measure") -> "Measure":
        """Two selections side by side."""
        return Measure(
            max(self.depth, other.depth),
            min(CAP, self.aliases + other.aliases),
            min(CAP, self.cost + other.cost),
        )


def _page_size(field: FieldNode, definition: GraphQLField, limits: Limits) -> int:
    for argument in field.arguments or ():
        if argument.name.value in PAGE_ARGUMENTS:
            value = argument.value
            if isinstance(value, IntValueNode) and len(value.value) <= _MAX_PAGE_DIGITS:
                return max(1, int(value.value))
            return limits.max_page_size  # a variable or an absurd literal: the largest page
    default = definition.args[PAGE_ARGUMENT].default_value
    return default if isinstance(default, int) and default > 0 else DEFAULT_PAGE_SIZE


class _Measurer:
    """Measures selections of one document, remembering each fragment's measure."""

    def __init__(self, context: ValidationContext, limits: Limits) -> None:
        self.context = context
        self.limits = limits
        self.fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.known: dict[tuple[str, bool], Measure] = {}
        self.active: set[str] = set()

    def _type(self, name: str) -> Composite | None:
        found = self.context.schema.get_type(name)
        return found if isinstance(found, Composite) else None

    def selections(
        self, node: SelectionSetNode | None, parent: Composite | None, paged: bool
    ) -> Measure:
        """The measure of a selection set on `parent` (`paged`: a connection's own selection)."""
        total = Measure()
        for selection in node.selections if node is not None else ():
            if isinstance(selection, FieldNode):
                total = total.beside(self.field(selection, parent, paged))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = parent if condition is None else self._type(condition.name.value)
                total = total.beside(self.selections(selection.selection_set, target, paged))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.beside(self.fragment(selection.name.value, paged))
        return total

    def fragment(self, name: str, paged: bool) -> Measure:
        key = (name, paged)
        if key in self.known:
            return self.known[key]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return Measure()
        self.active.add(name)
        try:
            target = self._type(definition.type_condition.name.value)
            measure = self.selections(definition.selection_set, target, paged)
        finally:
            self.active.discard(name)
        self.known[key] = measure
        return measure

    def field(self, node: FieldNode, parent: Composite | None, paged: bool) -> Measure:
        alias = 1 if node.alias is not None else 0
        name = node.name.value
        if name.startswith("__"):
            return Measure(aliases=alias)
        definition = parent.fields.get(name) if parent is not None else None
        if definition is None:
            # Unknown here (another rule reports it): still count what is written inside.
            inner = self.selections(node.selection_set, None, False)
            return Measure(1 + inner.depth, min(CAP, alias + inner.aliases), inner.cost)
        named = get_named_type(definition.type)
        child = named if isinstance(named, Composite) else None
        if PAGE_ARGUMENT in definition.args:
            # A connection reads one page of rows whatever is selected inside it.
            items = _page_size(node, definition, self.limits)
            own_cost = items
            inner = self.selections(node.selection_set, child, True)
        else:
            items = own_cost = 0
            if child is not None and is_list_type(get_nullable_type(definition.type)):
                # A connection's `edges` hold the page already counted; other lists are guessed.
                items = 1 if paged else self.limits.assumed_list_size
                own_cost = 0 if paged else items
            inner = self.selections(node.selection_set, child, False)
            items = max(items, 1)
        return Measure(
            1 + inner.depth,
            min(CAP, alias + inner.aliases),
            min(CAP, own_cost + items * inner.cost),
        )


def measure_operation(
    context: ValidationContext, operation: OperationDefinitionNode, limits: Limits
) -> Measure:
    """Depth, aliases and cost of an operation as it would execute."""
    root = context.schema.get_root_type(operation.operation)
    return _Measurer(context, limits).selections(operation.selection_set, root, False)


def limit_rules(limits: Limits) -> tuple[type[ASTValidationRule], ...]:
    """The validation rule enforcing depth, aliases and cost for one request.

    It reports the first limit an operation exceeds, checked in that order.
    """

    class ExecutedSize(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            measure = measure_operation(self.context, node, limits)
            if measure.depth > limits.max_depth:
                message = f"The query is nested deeper than {limits.max_depth} levels."
            elif measure.aliases > limits.max_aliases:
                message = (
                    f"The query uses {_shown(measure.aliases)} aliases as executed "
                    f"(fragments expanded), more than {limits.max_aliases}."
                )
            elif measure.cost > limits.max_cost:
                message = (
                    f"The query may return {_shown(measure.cost)} items, "
                    f"more than {limits.max_cost}."
                )
            else:
                return
            self.report_error(too_complex(message))

    return (ExecutedSize,)


def _shown(number: int) -> str:
    return f"{number}" if number < CAP else "countless"

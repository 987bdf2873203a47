"""The plan of an app's query: what each response key is, which fields the grant refuses.

Built once per (document, operation, variables, grant's categories, limits) by `planner`;
turned into SQL by `statement` and run by `runner`.
"""

from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode, GraphQLField, OperationDefinitionNode

from schema.errors import InsufficientScope
from sharing.scopes import CategoryKey


@dataclass(frozen=True)
class Scalar:
    """A scalar (or `__typename`) of the row: kind text, int, float, bool, day, moment, id, name."""

    key: str
    kind: str
    template: str


@dataclass(frozen=True)
class ValueObject:
    """A value object built from the same row; null unless `present` holds."""

    key: str
    present: str | None
    fields: "list[Node]"


@dataclass
class Denied:
    """A guarded field outside the grant: null, and one INSUFFICIENT_SCOPE error per parent."""

    key: str
    category: CategoryKey
    error: dict[str, Any]

    @classmethod
    def of(cls, key: str, category: CategoryKey, where: list[dict[str, int]]) -> "Denied":
        problem = InsufficientScope(category)
        error: dict[str, Any] = {"message": problem.message, "extensions": problem.extensions}
        if where:
            error["locations"] = where
        return cls(key, category, error)


@dataclass
class Record:
    """One record object of a table: its fields (some links, lists or denied)."""

    type_name: str
    table: str
    category: CategoryKey
    fields: "list[Node]"

    def children(self) -> "list[Link | Diagnoses]":
        """The fields that carry records of their own (and so a meta entry)."""
        return [f for f in self.fields if isinstance(f, Link | Diagnoses)]

    def denied(self) -> list[Denied]:
        return [f for f in self.fields if isinstance(f, Denied)]


@dataclass
class Link:
    """A granted link to one record by a foreign key."""

    key: str
    foreign_key: str
    target: Record


@dataclass
class Diagnoses:
    """A granted list of an encounter's diagnoses."""

    key: str
    target: Record


@dataclass
class PageInfoPart:
    """pageInfo: (response key, field name) pairs."""

    key: str
    fields: list[tuple[str, str]]


@dataclass
class EdgesPart:
    """edges: (response key, field name, record plan of `node` or None) triples."""

    key: str
    fields: list[tuple[str, str, Record | None]]


@dataclass
class Connection:
    """A granted connection on Patient: one site with its own SQL parameters."""

    key: str
    site: int
    record_type: str
    table: str
    category: CategoryKey
    date_column: str
    status_column: str
    timestamp: bool
    definition: GraphQLField
    node: FieldNode
    parts: "list[Scalar | PageInfoPart | EdgesPart | TotalCount]"

    def records(self) -> list[Record]:
        """The node plans of every (edges, node) pair, in order."""
        return [
            record
            for part in self.parts
            if isinstance(part, EdgesPart)
            for _, _, record in part.fields
            if record is not None
        ]


@dataclass(frozen=True)
class TotalCount:
    """totalCount of a connection."""

    key: str


@dataclass
class PatientPlan:
    """`patient` at the root: demographics, connections, denied fields."""

    key: str
    fields: "list[Node]"
    reads_demographics: bool

    def connections(self) -> list[Connection]:
        return [f for f in self.fields if isinstance(f, Connection)]


Node = Scalar | ValueObject | Denied | Link | Diagnoses | Connection


@dataclass
class Plan:
    """A compiled operation: the root fields and everything needed to run it."""

    operation: OperationDefinitionNode
    root: list[Scalar | PatientPlan]
    connections: list[Connection]
    # The SQL statements built for it, per dialect and filter combination (runner.py).
    statements: dict[Any, Any] = field(default_factory=dict)

    def patients(self) -> list[PatientPlan]:
        return [f for f in self.root if isinstance(f, PatientPlan)]

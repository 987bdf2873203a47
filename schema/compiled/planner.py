"""Build the plan of an app's operation: validate it as Strawberry would, then walk it.

Anything outside the catalog (account-only fields, `node`, `viewer`, mutations,
introspection, directives, arguments the compiler does not know) raises Unsupported,
and the operation runs on Strawberry instead.
"""

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationType,
    get_named_type,
    get_operation_ast,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from db.records_query import record_date_of, record_status_of, sorts_by_timestamp
from schema.compiled import catalog
from schema.compiled.plan import (
    Connection,
    Denied,
    Diagnoses,
    EdgesPart,
    Link,
    Node,
    PageInfoPart,
    PatientPlan,
    Plan,
    Record,
    Scalar,
    TotalCount,
    ValueObject,
)
from schema.compiled.selections import Fragments, Unsupported, collect, locations, subselections
from schema.context import Limits
from schema.limits import limit_rules
from schema.records import BY_TYPE_NAME
from sharing.categories import REGISTRY, CategoryKey
from sharing.categories import Link as CategoryLink

CONNECTION_ARGUMENTS = frozenset({"first", "after", "status", "since", "until"})
PAGE_INFO = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})
# PostgreSQL functions take at most 100 arguments: 50 keys per JSON object.
MAX_KEYS = 45


def validation_errors(schema: GraphQLSchema, document: DocumentNode, limits: Limits) -> bool:
    """Whether the document fails any rule an app's request is validated with."""
    rules = (*specified_rules, *limit_rules(limits), NoSchemaIntrospectionCustomRule)
    return bool(validate(schema, document, rules))


class _Planner:
    def __init__(
        self, schema: GraphQLSchema, fragments: Fragments, categories: frozenset[CategoryKey]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.categories = categories
        self.connections: list[Connection] = []

    def _object(self, name: str) -> GraphQLObjectType:
        found = self.schema.get_type(name)
        assert isinstance(found, GraphQLObjectType)
        return found

    def _fields(self, type_name: str, nodes: list[FieldNode]) -> dict[str, list[FieldNode]]:
        fields = collect(self.schema, self.fragments, self._object(type_name), subselections(nodes))
        if len(fields) > MAX_KEYS:
            raise Unsupported("too many keys in one object")
        for field_nodes in fields.values():
            for node in field_nodes:
                if node.arguments and field_nodes[0].name.value not in PATIENT_CONNECTIONS:
                    raise Unsupported("arguments")
        return fields

    def _child_type(self, parent: str, name: str) -> str:
        named: str = get_named_type(self._object(parent).fields[name].type).name
        return named

    def specs(
        self, type_name: str, specs: dict[str, catalog.Spec], nodes: list[FieldNode]
    ) -> list[Node]:
        result: list[Node] = []
        for key, field_nodes in self._fields(type_name, nodes).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                result.append(Scalar(key, "name", type_name))
                continue
            spec = specs.get(name)
            if spec is None:
                raise Unsupported(f"{type_name}.{name}")
            result.append(self.field(type_name, key, name, spec, field_nodes))
        return result

    def field(
        self, parent: str, key: str, name: str, spec: catalog.Spec, nodes: list[FieldNode]
    ) -> Node:
        if isinstance(spec, catalog.Leaf):
            return Scalar(key, spec.kind, spec.template)
        if isinstance(spec, catalog.Value):
            child = self._child_type(parent, name)
            return ValueObject(key, spec.present, self.specs(child, spec.fields, nodes))
        if isinstance(spec, CategoryLink):
            if spec.target not in self.categories:
                return Denied.of(key, spec.target, locations(nodes))
            target = self.record(REGISTRY.by_key[spec.target].node_type, nodes)
            if spec.foreign_key is None:
                return Diagnoses(key, target)
            return Link(key, spec.foreign_key, target)
        raise Unsupported(f"{parent}.{name}")

    def record(self, type_name: str, nodes: list[FieldNode]) -> Record:
        kind = BY_TYPE_NAME[type_name]
        table = kind.model.__tablename__
        assert isinstance(table, str)
        return Record(
            type_name, table, kind.key, self.specs(type_name, catalog.TYPES[type_name], nodes)
        )

    def patient(self, key: str, nodes: list[FieldNode]) -> PatientPlan:
        fields: list[Node] = []
        demographics = False
        for field_key, field_nodes in self._fields("Patient", nodes).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                fields.append(Scalar(field_key, "name", "Patient"))
            elif name in PATIENT_CONNECTIONS:
                category, record_type = PATIENT_CONNECTIONS[name]
                if category not in self.categories:
                    fields.append(Denied.of(field_key, category, locations(field_nodes)))
                else:
                    fields.append(self.connection(field_key, name, record_type, field_nodes))
            elif isinstance(spec := catalog.PATIENT.get(name), catalog.Demographic):
                if CategoryKey.DEMOGRAPHICS not in self.categories:
                    fields.append(
                        Denied.of(field_key, CategoryKey.DEMOGRAPHICS, locations(field_nodes))
                    )
                else:
                    demographics = True
                    fields.append(self.field("Patient", field_key, name, spec.spec, field_nodes))
            elif spec is not None:
                fields.append(self.field("Patient", field_key, name, spec, field_nodes))
            else:
                raise Unsupported(f"Patient.{name}")
        return PatientPlan(key, fields, demographics)

    def connection(
        self, key: str, name: str, record_type: str, nodes: list[FieldNode]
    ) -> Connection:
        for argument in nodes[0].arguments or ():
            if argument.name.value not in CONNECTION_ARGUMENTS:
                raise Unsupported(f"argument {argument.name.value}")
        connection_type = self._child_type("Patient", name)
        edge_type = self._child_type(connection_type, "edges")
        parts: list[Scalar | PageInfoPart | EdgesPart | TotalCount] = []
        for part_key, part_nodes in self._fields(connection_type, nodes).items():
            part = part_nodes[0].name.value
            if part == "__typename":
                parts.append(Scalar(part_key, "name", connection_type))
            elif part == "totalCount":
                parts.append(TotalCount(part_key))
            elif part == "pageInfo":
                chosen = self._fields("PageInfo", part_nodes)
                pairs = [(k, n[0].name.value) for k, n in chosen.items()]
                if any(n not in PAGE_INFO | {"__typename"} for _, n in pairs):
                    raise Unsupported("pageInfo field")
                parts.append(PageInfoPart(part_key, pairs))
            elif part == "edges":
                triples: list[tuple[str, str, Record | None]] = []
                for edge_key, edge_nodes in self._fields(edge_type, part_nodes).items():
                    edge_field = edge_nodes[0].name.value
                    node = self.record(record_type, edge_nodes) if edge_field == "node" else None
                    triples.append((edge_key, edge_field, node))
                parts.append(EdgesPart(part_key, triples))
            else:
                raise Unsupported(f"{connection_type}.{part}")
        model = BY_TYPE_NAME[record_type].model
        table = model.__tablename__
        assert isinstance(table, str)
        plan = Connection(
            key=key,
            site=len(self.connections),
            record_type=record_type,
            table=table,
            category=PATIENT_CONNECTIONS[name][0],
            date_column=record_date_of(model),
            status_column=record_status_of(model),
            timestamp=sorts_by_timestamp(model),
            definition=self._object("Patient").fields[name],
            node=nodes[0],
            parts=parts,
        )
        self.connections.append(plan)
        return plan


def _patient_connections() -> dict[str, tuple[CategoryKey, str]]:
    """`Patient` connection field -> (its category, the node type of its rows)."""
    return {
        field: (category.key, category.node_type)
        for field, category in REGISTRY.by_field.items()
        if not category.is_patient
    }


PATIENT_CONNECTIONS = _patient_connections()


def build_plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    categories: frozenset[CategoryKey],
) -> Plan:
    """The plan of a validated document's operation; Unsupported if the compiler cannot run it."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        raise Unsupported("operation")
    if operation.directives or any(v.directives for v in operation.variable_definitions or ()):
        raise Unsupported("directives")
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    planner = _Planner(schema, fragments, categories)
    root: list[Scalar | PatientPlan] = []
    query_type = schema.query_type
    assert query_type is not None
    fields = collect(schema, fragments, query_type, [operation.selection_set])
    for key, nodes in fields.items():
        name = nodes[0].name.value
        if name == "__typename":
            root.append(Scalar(key, "name", query_type.name))
        elif name == "patient" and not nodes[0].arguments:
            root.append(planner.patient(key, nodes))
        else:
            raise Unsupported(f"Query.{name}")
    return Plan(operation, root, planner.connections)

"""The Strawberry schema: root types, per-request validation rules, error logging without data."""

import logging
from collections import OrderedDict
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from graphql.validation import (
    ASTValidationRule,
    KnownDirectivesRule,
    NoSchemaIntrospectionCustomRule,
    UniqueDirectivesPerLocationRule,
    ValidationContext,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.context import AccountCaller, GraphQLContext, Limits
from schema.descriptions import describe_schema
from schema.document import PARSED_CACHE_SIZE, parse_document
from schema.errors import ExpectedError
from schema.limits import limit_rules
from schema.mutations import Mutation
from schema.query import Query
from schema.types import care, clinical, conditions, observations

logger = logging.getLogger("chartshare.graphql")


VALID_QUERY_CACHE_SIZE = PARSED_CACHE_SIZE


class _ReportOnce(ASTValidationRule):
    """Reports each distinct message once (a directive repeated 300 times is one error)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self._reported: set[str] = set()

    def report_error(self, error: GraphQLError) -> None:
        if error.message not in self._reported:
            self._reported.add(error.message)
            super().report_error(error)


class KnownDirectivesOnce(_ReportOnce, KnownDirectivesRule):
    """graphql-core's KnownDirectivesRule, one error per unknown or misplaced directive."""


class UniqueDirectivesOnce(_ReportOnce, UniqueDirectivesPerLocationRule):
    """graphql-core's UniqueDirectivesPerLocationRule, one error per repeated directive."""


ONCE: dict[type[ASTValidationRule], type[ASTValidationRule]] = {
    KnownDirectivesRule: KnownDirectivesOnce,
    UniqueDirectivesPerLocationRule: UniqueDirectivesOnce,
}


class _ValidQueries:
    """Query texts that passed validation, per caller kind and limits (bounded, LRU).

    Apps send the same few queries again and again; validating a full-record query
    costs more than running it. Only successes are kept, so every refusal is
    computed afresh.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._keys: OrderedDict[tuple[str, bool, Limits], None] = OrderedDict()

    def __contains__(self, key: tuple[str, bool, Limits]) -> bool:
        if key not in self._keys:
            return False
        self._keys.move_to_end(key)
        return True

    def add(self, key: tuple[str, bool, Limits]) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)


VALID_QUERIES = _ValidQueries(VALID_QUERY_CACHE_SIZE)


class RequestRules(SchemaExtension):
    """Adds the limit rules, and refuses introspection to apps, for each request.

    Documents come from the shared parse cache (the HTTP layer parsed this text already
    to pick the operation).
    """

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.query:
            execution.graphql_document = parse_document(execution.query)
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        assert isinstance(context, GraphQLContext)
        is_account = isinstance(context.caller, AccountCaller)
        key = (execution.query or "", is_account, context.limits)
        if key in VALID_QUERIES:
            execution.pre_execution_errors = []
            yield
            return
        rules = limit_rules(context.limits)
        if not is_account:
            rules = (*rules, NoSchemaIntrospectionCustomRule)
        standard = tuple(ONCE.get(rule, rule) for rule in execution.validation_rules)
        execution.validation_rules = (*standard, *rules)
        yield
        if execution.query and execution.pre_execution_errors == []:
            VALID_QUERIES.add(key)

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        assert isinstance(context, GraphQLContext)
        context.executed = True
        yield


class ChartshareSchema(strawberry.Schema):
    """Logs unexpected errors by type and path only: messages may carry health data."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            # Expected errors and graphql-core's own (bad variables) are the client's doing.
            if original is None or isinstance(original, ExpectedError | GraphQLError):
                continue
            logger.error(
                "unexpected %s at %s",
                type(original).__name__,
                ".".join(str(p) for p in error.path or ()),
            )


def build_schema() -> ChartshareSchema:
    """The one schema of the API."""
    schema = ChartshareSchema(
        query=Query,
        mutation=Mutation,
        types=[
            care.EncounterDiagnosis,
            conditions.Problem,
            conditions.HealthConcern,
            observations.LabResult,
            clinical.Procedure,
        ],
        extensions=[RequestRules],
        config=StrawberryConfig(disable_field_suggestions=True),
    )
    describe_schema(schema._schema)
    return schema


SCHEMA = build_schema()

"""The Strawberry schema: root types, per-request validation rules, error logging without data."""

import logging
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.context import AccountCaller, GraphQLContext
from schema.errors import ExpectedError
from schema.limits import limit_rules
from schema.mutations import Mutation
from schema.query import Query
from schema.records import RECORD_KINDS
from schema.types import care, clinical, conditions, observations

logger = logging.getLogger("chartshare.graphql")


class RequestRules(SchemaExtension):
    """Adds the limit rules, and refuses introspection to apps, for each request."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        assert isinstance(context, GraphQLContext)
        rules = limit_rules(context.limits)
        if not isinstance(context.caller, AccountCaller):
            rules = (*rules, NoSchemaIntrospectionCustomRule)
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, *rules)
        yield

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
            if original is None or isinstance(original, ExpectedError):
                continue
            logger.error(
                "unexpected %s at %s",
                type(original).__name__,
                ".".join(str(p) for p in error.path or ()),
            )


def build_schema() -> ChartshareSchema:
    """The one schema of the API."""
    return ChartshareSchema(
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


SCHEMA = build_schema()
assert len(RECORD_KINDS) == 18

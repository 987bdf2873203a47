"""Which GraphQL type serves each category of the registry; one page of a category."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import ModuleType
from typing import Any

from sqlmodel import SQLModel
from strawberry.types import Info, get_object_definition

from db.records_query import RecordFilter, RecordPage, sort_value, sorts_by_timestamp
from schema.context import GraphQLContext
from schema.errors import BadUserInput
from schema.loaders import CountKey
from schema.types import care, clinical, conditions, observations
from schema.types.relay import (
    Connection,
    Edge,
    PageWindow,
    decode_cursor,
    encode_cursor,
    page_info,
)
from sharing.categories import REGISTRY, Category, CategoryKey, Registry

NODE_MODULES = (care, clinical, conditions, observations)


@dataclass(frozen=True)
class RecordKind:
    """A category of the registry with the GraphQL type that serves one of its rows."""

    category: Category
    node: type

    @property
    def key(self) -> CategoryKey:
        return self.category.key

    @property
    def type_name(self) -> str:
        return self.category.node_type

    @property
    def model(self) -> type[SQLModel]:
        return self.category.model

    def build(self, row: Any) -> Any:
        """The GraphQL object of one row."""
        return self.node.from_row(row)  # type: ignore[attr-defined]


def node_types(modules: Iterable[ModuleType]) -> dict[str, type]:
    """The GraphQL object types that build from a row (`from_row`), by GraphQL name."""
    found: dict[str, type] = {}
    for module in modules:
        for value in vars(module).values():
            definition = get_object_definition(value)
            if (
                definition is not None
                and not definition.is_interface
                and hasattr(value, "from_row")
            ):
                found[definition.name] = value
    return found


def record_kinds(registry: Registry, types: Mapping[str, type]) -> tuple[RecordKind, ...]:
    """One kind per category of clinical rows; KeyError names a category without its type."""
    return tuple(RecordKind(c, types[c.node_type]) for c in registry.categories if not c.is_patient)


RECORD_KINDS = record_kinds(REGISTRY, node_types(NODE_MODULES))
BY_CATEGORY: dict[CategoryKey, RecordKind] = {kind.key: kind for kind in RECORD_KINDS}
BY_TYPE_NAME: dict[str, RecordKind] = {kind.type_name: kind for kind in RECORD_KINDS}


async def record_page(
    info: Info[GraphQLContext, Any],
    key: CategoryKey,
    *,
    window: PageWindow,
    status: list[str] | None,
    since: date | None,
    until: date | None,
) -> Connection[Any]:
    """One page of the caller's patient's records of a category (the guard already ran)."""
    context = info.context
    kind = BY_CATEGORY[key]
    limit = window.size
    start: tuple[Any, int] | None = None
    if window.cursor is not None:
        value, row_id = decode_cursor(window.cursor)
        # A cursor of another list (a day where this one sorts by time) is not ours either.
        if not isinstance(value, date) or isinstance(value, datetime) != sorts_by_timestamp(
            kind.model
        ):
            raise BadUserInput("Not a valid cursor.")
        start = (value, row_id)
    where = RecordFilter(
        statuses=tuple(sorted(set(status))) if status is not None else None,
        since=since,
        until=until,
    )
    if window.backward:
        page_key = RecordPage(kind.model, where, None, limit + 1, before=start, oldest_first=True)
    else:
        page_key = RecordPage(kind.model, where, start, limit + 1)
    rows = await context.loaders.pages.load(page_key)
    more = len(rows) > limit
    page = list(reversed(rows[:limit])) if window.backward else rows[:limit]
    context.tally.saw(key, [row.id for row in page])
    edges = [Edge(cursor=encode_cursor(sort_value(r), r.id), node=kind.build(r)) for r in page]

    async def count() -> int:
        return await context.loaders.counts.load(CountKey(kind.model, where))

    return Connection(
        edges=edges,
        page_info=page_info(edges, window, more),
        count=count,
    )

"""Fields that lead from one record to another: guarded by the category of the row they reach."""

from typing import Any

import strawberry
from strawberry.types import Info

from schema.context import GraphQLContext
from schema.permissions import RequireCategory, describe
from sharing.categories import REGISTRY, CategoryKey


def link_category(node_type: str) -> CategoryKey:
    """The category that guards a link to a row of `node_type`."""
    return REGISTRY.link_target(node_type).key


def link(node_type: str, text: str) -> Any:
    """A field leading to rows of `node_type`, guarded by that type's category in the registry."""
    key = link_category(node_type)
    return strawberry.field(description=describe(text, key), extensions=[RequireCategory(key)])


async def load_linked(info: Info[GraphQLContext, Any], node_type: str, db_id: int | None) -> Any:
    """A linked row of the caller's patient by id (its field's guard checked the category)."""
    if db_id is None:
        return None
    category = REGISTRY.link_target(node_type)
    row = await info.context.loaders.by_id(category.model).load(db_id)
    if row is not None:
        info.context.tally.saw(category.key, [db_id])
    return row

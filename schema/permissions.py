"""Field-level authorization driven by the scope registry.

A guarded field outside the caller's grant resolves to null with one
INSUFFICIENT_SCOPE error at its path; the rest of the query still runs.
"""

from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from schema.context import AccountCaller, GraphQLContext
from schema.errors import Forbidden, InsufficientScope
from sharing.categories import BY_KEY, Category, CategoryKey


def scope_note(category: Category | CategoryKey) -> str:
    """The sentence every guarded field's description ends with (shown in GraphiQL's docs)."""
    if isinstance(category, CategoryKey):
        category = BY_KEY[category]
    return "Requires scope: " + " or ".join(category.required_scopes) + "."


def describe(text: str, key: CategoryKey) -> str:
    """A field description followed by the scope it needs."""
    return f"{text} {scope_note(key)}"


def check_category(info: Info[GraphQLContext, Any], key: CategoryKey) -> None:
    """Raise InsufficientScope (and note the denial) unless the caller's grant covers `key`."""
    context = info.context
    if key not in context.caller.categories:
        context.tally.denied.add(key)
        raise InsufficientScope(key)


class RequireCategory(FieldExtension):
    """Resolve the field only if the caller's grant covers its category."""

    def __init__(self, key: CategoryKey) -> None:
        self.key = key

    def resolve(
        self, next_: Any, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> Any:
        check_category(info, self.key)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Any, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> Any:
        check_category(info, self.key)
        return await next_(source, info, **kwargs)


def account_only(info: Info[GraphQLContext, Any]) -> AccountCaller:
    """The calling account; Forbidden for app tokens."""
    caller = info.context.caller
    if not isinstance(caller, AccountCaller):
        raise Forbidden("Only the account's own session may do this.")
    return caller

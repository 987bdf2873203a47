"""What every mutation module shares: the resolver info type and userErrors."""

from typing import Any

from strawberry.types import Info

from schema.context import GraphQLContext
from schema.types.account import UserError

Ctx = Info[GraphQLContext, Any]


def user_error(code: str, field: str | None, message: str) -> list[UserError]:
    """A payload's userErrors holding one error."""
    return [UserError(code=code, field=field, message=message)]

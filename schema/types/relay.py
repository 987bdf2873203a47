"""Relay plumbing: global IDs, cursors, the Node interface, PageInfo and generic connections."""

import base64
import binascii
import dataclasses
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types import get_object_definition

from db.columns import MAX_ROW_ID
from db.records_query import cursor_sort_value
from schema.context import Limits
from schema.errors import BadUserInput

NodeType = TypeVar("NodeType")

# Our longest cursor (a timestamp with its zone and a 10-digit id) is about 90 characters.
MAX_CURSOR_LENGTH = 200
MAX_ID_LENGTH = 200


def node_values(cls: type, row: Any, **computed: Any) -> dict[str, Any]:
    """A node's values: its global id, the plain fields read from same-named columns, the rest.

    Only the fields the GraphQL type declares are read, so a column is exposed on purpose.
    """
    definition = get_object_definition(cls, strict=True)
    # The dataclass fields set at construction: GraphQL fields without a resolver and
    # strawberry.Private ones (ids of linked rows).
    plain = [
        f.name
        for f in dataclasses.fields(cls)
        if f.init and f.name not in computed and f.name != "id"
    ]
    assert isinstance(row.id, int)
    values = {name: getattr(row, name) for name in plain}
    return {"id": to_global_id(definition.name, row.id), **values, **computed}


def implementation(interface: type[NodeType], name: str, description: str) -> type[NodeType]:
    """A GraphQL object type that adds only its name and description to an interface.

    Tables of rows of the same shape (the observation tables, the condition tables) each
    get one such type, so a category's type names its rows while the fields stay shared.
    """
    cls = type(name, (interface,), {"__module__": interface.__module__})
    implemented: type[NodeType] = strawberry.type(cls, description=description)
    return implemented


def to_global_id(type_name: str, db_id: int) -> strawberry.ID:
    """Base64 of "TypeName:dbid"."""
    return strawberry.ID(base64.b64encode(f"{type_name}:{db_id}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, int]:
    """(type name, database id); BadUserInput if the ID is not one of ours."""
    if len(global_id) > MAX_ID_LENGTH:
        raise BadUserInput("Not a valid ID.")
    try:
        type_name, _, raw = base64.b64decode(global_id, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput("Not a valid ID.") from None
    # Only the canonical form: ASCII digits, no sign, spaces or leading zeros, in range.
    if not type_name.isidentifier() or not _is_db_id(raw):
        raise BadUserInput("Not a valid ID.")
    return type_name, int(raw)


def _is_db_id(raw: str) -> bool:
    return (
        raw.isascii()
        and raw.isdigit()
        and not raw.startswith("0")
        and len(raw) <= 10
        and int(raw) <= MAX_ROW_ID
    )


def expect_global_id(global_id: str, type_name: str) -> int:
    """The database id of an ID that must name a `type_name`."""
    found, db_id = from_global_id(global_id)
    if found != type_name:
        raise BadUserInput(f"Expected the ID of a {type_name}.")
    return db_id


def global_id_or_none(global_id: str | None, type_name: str) -> int | None:
    """The database id of a `type_name` ID; None when missing, malformed or of another type."""
    if global_id is None:
        return None
    try:
        return expect_global_id(global_id, type_name)
    except BadUserInput:
        return None


def encode_cursor(value: date | datetime | int, row_id: int) -> str:
    """An opaque cursor of the row's sort value and id."""
    if isinstance(value, datetime):
        raw: list[object] = ["t", value.isoformat(), row_id]
    elif isinstance(value, date):
        raw = ["d", value.isoformat(), row_id]
    else:
        raw = ["i", value, row_id]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()


def decode_cursor(cursor: str) -> tuple[date | datetime | int, int]:
    """The sort value and id of a cursor; BadUserInput if it is not one of ours.

    Only a cursor exactly as `encode_cursor` writes it is accepted: short, and
    identical when encoded again.
    """
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadUserInput("Not a valid cursor.")
    try:
        kind, value, row_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        is_id = kind == "i" and _is_id_number(value)
        parsed: date | datetime | int = value if is_id else cursor_sort_value(kind, value)
        if not _is_id_number(row_id):
            raise ValueError(row_id)
    except (ValueError, TypeError, binascii.Error, UnicodeError, RecursionError):
        raise BadUserInput("Not a valid cursor.") from None
    if encode_cursor(parsed, row_id) != cursor:
        raise BadUserInput("Not a valid cursor.")
    return parsed, row_id


def _is_id_number(value: object) -> bool:
    return type(value) is int and 0 < value <= MAX_ROW_ID


def as_utc(moment: datetime | None) -> datetime | None:
    """A filter bound in UTC: one sent without an offset is read as UTC.

    BadUserInput if the moment in UTC falls outside the years 1 to 9999.
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise BadUserInput("The date and time is out of range.") from None


@strawberry.interface(description="An object with a global ID, readable again with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global ID (opaque).")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, cursors: list[str], *, has_next: bool, has_previous: bool) -> "PageInfo":
        """The page info of a page whose items have these cursors."""
        return cls(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


@strawberry.type(description="One item of a page and the cursor that points at it.")
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


@strawberry.type(description="A page of a list, newest first (Relay connection).")
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match the filters, across all pages.")
    async def total_count(self) -> int:
        return await self.count()


def check_page_size(first: int, maximum: int, argument: str = "first") -> int:
    """A page size between 1 and the maximum, else BadUserInput."""
    if not 1 <= first <= maximum:
        raise BadUserInput(f"`{argument}` must be between 1 and {maximum}.", maximum=maximum)
    return first


DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class PageWindow:
    """Which page a connection field was asked for: forward from `after`, or back from `before`."""

    backward: bool
    size: int
    cursor: str | None


def page_window(
    limits: Limits,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PageWindow:
    """Relay's arguments as one window: `first`/`after` or `last`/`before`, never a mix.

    A page holds at most the request's `max_page_size` items.
    """
    maximum = limits.max_page_size
    if (first is not None or after is not None) and (last is not None or before is not None):
        raise BadUserInput("Page forward with first/after or backward with last/before, not both.")
    if last is not None or before is not None:
        size = DEFAULT_PAGE_SIZE if last is None else check_page_size(last, maximum, "last")
        return PageWindow(backward=True, size=min(size, maximum), cursor=before)
    size = DEFAULT_PAGE_SIZE if first is None else check_page_size(first, maximum)
    return PageWindow(backward=False, size=min(size, maximum), cursor=after)


def page_info(edges: list[Any], window: PageWindow, more: bool) -> PageInfo:
    """Relay's PageInfo for a page read in the window's direction (`more`: a further row exists)."""
    return PageInfo.of(
        [e.cursor for e in edges],
        has_next=window.cursor is not None if window.backward else more,
        has_previous=more if window.backward else window.cursor is not None,
    )

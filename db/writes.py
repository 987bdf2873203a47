"""Writing one row in the caller's unit of work."""

from typing import TypeVar

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

Row = TypeVar("Row", bound=SQLModel)


async def save(session: AsyncSession, row: Row) -> Row:
    """Add a new or changed row and flush it now, so its id and column defaults are set.

    Committed, like every write, with the caller's unit of work.
    """
    session.add(row)
    await session.flush()
    return row

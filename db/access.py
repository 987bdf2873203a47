"""The per-request check of an app's access token, in one statement without the ORM.

Looked up on every request (never cached), so a revoked or narrowed grant, a suspended
app or an expired token takes effect on the very next request in every worker.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from db.apps import App, AppStatus
from db.grants import Grant, live_grant_clause
from db.tokens import Token, TokenKind


@dataclass(frozen=True)
class LiveAccess:
    """What a live access token may do: its grant, app and the two scope strings."""

    grant_id: int
    account_id: int
    patient_id: int
    app_id: int
    app_name: str
    client_id: str
    token_scopes: str
    grant_scopes: str
    last_used_at: datetime | None


def live_access_statement(*, token_hash: str, now: datetime) -> Select[*tuple[Any, ...]]:
    """The token check as one SELECT of `LiveAccess`'s columns (no row: not live)."""
    columns = (
        Grant.id, Grant.account_id, Grant.patient_id, App.id, App.name, App.client_id,
        Token.scopes, Grant.scopes, Grant.last_used_at,
    )  # fmt: skip
    return (
        select(*(col(c) for c in columns))
        .join(Grant, col(Grant.id) == col(Token.grant_id))
        .join(App, col(App.id) == col(Grant.app_id))
        .where(
            col(Token.token_hash) == token_hash,
            col(Token.kind) == TokenKind.ACCESS,
            col(Token.revoked_at).is_(None),
            col(Token.expires_at) > now,
            live_grant_clause(now),
            col(App.status) == AppStatus.APPROVED,
        )
    )


ACCESS_COLUMNS = len(fields(LiveAccess))


def access_of(row: Sequence[Any]) -> LiveAccess:
    """The `LiveAccess` in the first columns of a row of `live_access_statement`."""
    return LiveAccess(*row[:ACCESS_COLUMNS])


async def find_live_access(
    session: AsyncSession, *, token_hash: str, now: datetime
) -> LiveAccess | None:
    """The grant and app behind an access token, if it may be used right now."""
    statement = live_access_statement(token_hash=token_hash, now=now)
    connection = await session.connection()
    row: Any = (await connection.execute(statement)).first()
    return None if row is None else access_of(row)

"""The per-request check of an app's access token, in one statement without the ORM.

Looked up on every request (never cached), so a revoked or narrowed grant, a suspended
app or an expired token takes effect on the very next request in every worker.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from db.apps import App, AppStatus
from db.columns import UTCDateTime
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


def _live_access_statement() -> Select[*tuple[Any, ...]]:
    columns = (
        Grant.id, Grant.account_id, Grant.patient_id, App.id, App.name, App.client_id,
        Token.scopes, Grant.scopes, Grant.last_used_at,
    )  # fmt: skip
    now = bindparam("access_now", type_=UTCDateTime())
    return (
        select(*(col(c) for c in columns))
        .join(Grant, col(Grant.id) == col(Token.grant_id))
        .join(App, col(App.id) == col(Grant.app_id))
        .where(
            col(Token.token_hash) == bindparam("access_token_hash", type_=String()),
            col(Token.kind) == TokenKind.ACCESS,
            col(Token.revoked_at).is_(None),
            col(Token.expires_at) > now,
            live_grant_clause(now),
            col(App.status) == AppStatus.APPROVED,
        )
    )


# The token check as one SELECT of `LiveAccess`'s columns (no row: not live), built once:
# its parameters come from `live_access_parameters`.
LIVE_ACCESS = _live_access_statement()


def live_access_parameters(*, token_hash: str, now: datetime) -> dict[str, Any]:
    """The parameters of `LIVE_ACCESS` for one token at one moment."""
    return {"access_token_hash": token_hash, "access_now": now}


ACCESS_COLUMNS = len(fields(LiveAccess))


def access_of(row: Sequence[Any]) -> LiveAccess:
    """The `LiveAccess` in the first columns of a row of `LIVE_ACCESS`."""
    return LiveAccess(*row[:ACCESS_COLUMNS])


async def find_live_access(
    session: AsyncSession, *, token_hash: str, now: datetime
) -> LiveAccess | None:
    """The grant and app behind an access token, if it may be used right now."""
    connection = await session.connection()
    parameters = live_access_parameters(token_hash=token_hash, now=now)
    row: Any = (await connection.execute(LIVE_ACCESS, parameters)).first()
    return None if row is None else access_of(row)

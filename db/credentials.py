"""A presented credential (access or refresh token, authorization code) with its grant and app."""

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.apps import App, AppStatus
from db.grants import Grant, live_grant_clause
from db.tokens import AuthorizationCode, Token, TokenKind


async def find_live_access_token(
    session: AsyncSession, *, token_hash: str, now: datetime
) -> tuple[Token, Grant, App] | None:
    """Return the token, its grant and app if the access token may be used right now.

    Looked up on every request, so a revoked grant, a suspended app or an expired
    grant stops every token on the next request in every worker.
    """
    statement = (
        select(Token, Grant, App)
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
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1], row[2])


async def find_authorization_code(
    session: AsyncSession, *, code_hash: str
) -> tuple[AuthorizationCode, Grant] | None:
    """The code with this hash and its grant, used or not (the caller judges)."""
    statement = (
        select(AuthorizationCode, Grant)
        .join(Grant, col(Grant.id) == col(AuthorizationCode.grant_id))
        .where(col(AuthorizationCode.code_hash) == code_hash)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1])


async def find_token(
    session: AsyncSession, *, token_hash: str, kind: TokenKind | None = None
) -> tuple[Token, Grant, App] | None:
    """The token with this hash, with its grant and app, whatever their state."""
    statement = (
        select(Token, Grant, App)
        .join(Grant, col(Grant.id) == col(Token.grant_id))
        .join(App, col(App.id) == col(Grant.app_id))
        .where(col(Token.token_hash) == token_hash)
    )
    if kind is not None:
        statement = statement.where(col(Token.kind) == kind)
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1], row[2])

"""A used code or a rotated refresh token presented again: it was stolen or replayed."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import Actor, EventKind
from db.columns import utcnow
from db.grants import Grant, record_grant_event, revoke_live_grant
from db.tokens import AuthorizationCode, revoke_tokens_from_code


async def _refuse_reuse(
    session: AsyncSession,
    *,
    grant: Grant,
    reason: str,
    source_address: str | None,
    details: dict[str, Any],
) -> None:
    """Log the reuse, then end the grant (every token under it) unless it has ended already."""
    await record_grant_event(
        session,
        grant=grant,
        kind=EventKind.TOKEN_REUSE,
        outcome="refused",
        actor=Actor(grant.account_id, source_address),
        details={**details, "grant_revoked": grant.revoked_at is None},
    )
    await revoke_live_grant(session, grant=grant, reason=reason, source_address=source_address)


async def code_presented_again(
    session: AsyncSession, *, code: AuthorizationCode, grant: Grant, source_address: str | None
) -> None:
    """Revoke what the code issued, and log the reuse.

    A code belongs to one consent (grant), so the grant ends too: whoever redeemed a
    stolen code first may already have refreshed, and those tokens must stop as well.
    """
    assert code.id is not None
    revoked = await revoke_tokens_from_code(session, code_id=code.id, now=utcnow())
    details = {"credential": "authorization_code", "tokens_revoked": revoked}
    await _refuse_reuse(
        session, grant=grant, reason="code_reuse", source_address=source_address, details=details
    )


async def refresh_token_presented_again(
    session: AsyncSession, *, grant: Grant, source_address: str | None
) -> None:
    """End the whole grant (every token under it) and log the reuse."""
    await _refuse_reuse(
        session,
        grant=grant,
        reason="refresh_token_reuse",
        source_address=source_address,
        details={"credential": "refresh_token"},
    )

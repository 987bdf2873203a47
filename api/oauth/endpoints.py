"""RFC 7009 revocation and RFC 7662 introspection on Authlib's endpoints.

Who may call:
* revocation: any client for its own tokens; confidential clients authenticate with
  client_secret_basic or client_secret_post, public clients name their client_id.
  Revoking a refresh token ends that device's tokens (every token issued from the same
  authorization code, refreshes included); when no other device's token is left, it
  ends the grant too, so the app no longer shows as authorized.
* introspection: confidential clients only, authenticated, and only for tokens issued
  to them; every other token (unknown, expired, revoked, another client's) is
  exactly `{"active": false}`.
"""

from typing import Any

from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from api.oauth.models import AppClient, TokenRecord
from db.activity import Actor, EventKind
from db.columns import utcnow
from db.credentials import find_token
from db.grants import Grant, record_grant_event, revoke_live_grant
from db.tokens import TokenKind, count_live_tokens, hash_secret, revoke_tokens_from_code
from db.tokens import revoke_token as revoke_token_row

_HINTS = {"access_token": TokenKind.ACCESS, "refresh_token": TokenKind.REFRESH}


def _lookup(server: Any, token_string: str, hint: str | None) -> TokenRecord | None:
    context = server.context
    if not token_string or len(token_string) > 512:
        return None
    kinds = [_HINTS[hint], *[k for k in TokenKind if k != _HINTS[hint]]] if hint else [None]
    for kind in kinds:
        found = context.call(
            find_token, context.session, token_hash=hash_secret(token_string), kind=kind
        )
        if found is not None:
            return TokenRecord(*found)
    return None


async def _revoke(session: Any, *, record: TokenRecord, source_address: str | None) -> None:
    grant = record.grant
    if record.token.kind == TokenKind.REFRESH:
        device = record.token.issued_from_code_id
        if device is not None and grant.revoked_at is None and grant.id is not None:
            now = utcnow()
            ended = await revoke_tokens_from_code(session, code_id=device, now=now)
            if await count_live_tokens(session, grant_id=grant.id, now=now):
                details = {"token": "refresh_token", "device_tokens_revoked": ended}
                await _log_revocation(session, grant, source_address, details)
                return
        await revoke_live_grant(
            session, grant=grant, reason="revoked_by_app", source_address=source_address
        )
        return
    assert record.token.id is not None
    await revoke_token_row(session, token_id=record.token.id, now=utcnow())
    await _log_revocation(session, grant, source_address, {"token": "access_token"})


async def _log_revocation(
    session: Any, grant: Grant, source_address: str | None, details: dict[str, Any]
) -> None:
    """Log what the app revoked when its grant lives on (one token, or one device's tokens)."""
    await record_grant_event(
        session,
        grant=grant,
        kind=EventKind.REVOCATION,
        actor=Actor(None, source_address),
        details={"reason": "revoked_by_app", **details},
    )


class TokenRevocation(RevocationEndpoint):
    """POST /oauth/revoke."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenRecord | None:
        return _lookup(self.server, token_string, token_type_hint)

    def revoke_token(self, token: TokenRecord, request: Any) -> None:
        context = self.server.context
        context.call(_revoke, context.session, record=token, source_address=context.source_address)


class TokenIntrospection(IntrospectionEndpoint):
    """POST /oauth/introspect."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenRecord | None:
        return _lookup(self.server, token_string, token_type_hint)

    def check_permission(self, token: TokenRecord, client: AppClient, request: Any) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: TokenRecord) -> dict[str, Any]:
        grant = token.grant
        return {
            "active": True,
            "scope": token.get_scope(),
            "client_id": token.app.client_id,
            "token_type": "Bearer" if token.token.kind == TokenKind.ACCESS else "refresh_token",
            "exp": int(token.token.expires_at.timestamp()),
            "iat": int(token.token.created_at.timestamp()),
            "patient": str(grant.patient_id),
            "sub": str(grant.account_id),
            "iss": self.server.context.issuer,
        }

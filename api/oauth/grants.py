"""Our grant classes: Authlib's, with its weak defaults closed.

* PKCE is required for every client, confidential too, and only S256 (`plain` refused).
* Every bad `code_verifier` is `invalid_grant` and uses the code up: a code cannot be
  tried with one verifier after another.
* A code is claimed by one atomic UPDATE: of two parallel redemptions exactly one wins,
  and a code presented again ends its grant (every token under it, refreshed ones too).
* Refresh tokens rotate on every use; a rotated one presented again revokes the grant.
* `aud` must equal the issuer or the FHIR base (`{issuer}/fhir`); `state` is required:
  1 to 1024 printable ASCII characters (RFC 6749's VSCHAR), echoed back exactly; a state
  outside that is answered on an error page, never redirected.
"""

import re
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import (
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
)
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636.challenge import CODE_VERIFIER_PATTERN, compare_s256_code_challenge
from sqlmodel.ext.asyncio.session import AsyncSession

from api.oauth.bridge import OAuthContext
from api.oauth.models import AppClient, CodeRecord, Consent, TokenRecord
from api.oauth.reuse import code_presented_again, refresh_token_presented_again
from db.columns import utcnow
from db.credentials import find_authorization_code, find_token
from db.grants import Grant, grant_is_live
from db.tokens import (
    AuthorizationCode,
    TokenKind,
    claim_authorization_code,
    claim_refresh_token,
    hash_secret,
)
from db.writes import save
from sharing.scopes import Scopes, SpecialScope, phrase_granted, split_scope_string

AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
REFRESHABLE = frozenset({SpecialScope.OFFLINE_ACCESS, SpecialScope.ONLINE_ACCESS})
# RFC 6749 Appendix A: state is 1*VSCHAR; we also bound its length (it travels in URLs).
STATE_MAX_LENGTH = 1024
STATE_PATTERN = re.compile(rf"[\x20-\x7e]{{1,{STATE_MAX_LENGTH}}}")
STATE_RULE = f"state must be 1 to {STATE_MAX_LENGTH} printable ASCII characters (space to tilde)."
AUTHORIZE_AGAIN = "The authorization has ended; the patient must authorize the app again."


class S256CodeChallenge(CodeChallenge):
    """PKCE for every client, S256 only, and `invalid_grant` for every bad verifier."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    CODE_CHALLENGE_METHODS = {"S256": compare_s256_code_challenge}

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        verifier = grant.request.form.get("code_verifier") or ""
        challenge = grant.request.authorization_code.code_challenge
        if not challenge:
            raise InvalidGrantError("This code was issued without a code_challenge.")
        if (
            not CODE_VERIFIER_PATTERN.match(verifier)
            or verifier == challenge
            or not compare_s256_code_challenge(verifier, challenge)
        ):
            _burn(grant.server.context, grant.request.authorization_code)
            raise InvalidGrantError("The code_verifier does not match the code_challenge.")


def _burn(context: OAuthContext, record: CodeRecord) -> None:
    """Use up a code presented with a wrong verifier: it cannot be retried with another one."""
    assert record.code.id is not None
    context.call(claim_authorization_code, context.session, code_id=record.code.id, now=utcnow())


class _RedeemedOnce(grants.BaseGrant):
    """A grant whose credential (a code, a refresh token) is used up before tokens are made.

    `_claim` marks it used in one atomic UPDATE. If another request claimed it first, the
    credential was presented twice: `_presented_again` deals with that, then it is refused.
    """

    REFUSAL = "This credential was already used."

    def _claim(self, session: AsyncSession) -> Awaitable[bool]:
        raise NotImplementedError

    def _presented_again(self, session: AsyncSession) -> Awaitable[None]:
        raise NotImplementedError

    def create_token_response(self) -> Any:
        context: OAuthContext = self.server.context
        if not context.call(self._claim, context.session):
            context.call(self._presented_again, context.session)
            raise InvalidGrantError(self.REFUSAL)
        return super().create_token_response()


class AuthorizationCodeGrant(_RedeemedOnce, grants.AuthorizationCodeGrant):
    """The authorization code grant with SMART's checks and single, atomic redemption."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    REFUSAL = "Invalid 'code' in request."

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        data = self.request.payload.data
        state = data.get("state")
        if state and not STATE_PATTERN.fullmatch(state):
            # Not redirected: the app would get back a state other than the one it sent.
            raise InvalidRequestError(STATE_RULE)
        try:
            if not state:
                raise InvalidRequestError("state is required.")
            issuer = self.server.context.issuer
            if data.get("aud") not in (issuer, f"{issuer}/fhir"):
                raise InvalidRequestError(f"aud must be {issuer} or {issuer}/fhir.")
        except OAuth2Error as error:
            error.redirect_uri = redirect_uri
            raise
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        consent: Consent = request.user
        client: AppClient = request.client
        context = self.server.context
        data = request.payload.data
        assert client.app.id is not None and consent.grant.id is not None
        stored = AuthorizationCode(
            code_hash=hash_secret(code),
            app_id=client.app.id,
            grant_id=consent.grant.id,
            redirect_uri=data["redirect_uri"],
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            scopes=" ".join(_granted_for(data.get("scope", "").split(), consent.grant)),
            nonce=(data.get("nonce") or None),
            expires_at=utcnow() + timedelta(seconds=context.settings.authorization_code_ttl),
        )
        context.call(save, context.session, stored)

    def query_authorization_code(self, code: str, client: AppClient) -> CodeRecord | None:
        context = self.server.context
        found = context.call(find_authorization_code, context.session, code_hash=hash_secret(code))
        if found is None:
            return None
        stored, grant = found
        if stored.used_at is not None:
            context.call(
                code_presented_again,
                context.session,
                code=stored,
                grant=grant,
                source_address=context.source_address,
            )
            return None
        if stored.app_id != client.app.id or stored.expires_at <= utcnow():
            return None
        return CodeRecord(stored, grant)

    def _claim(self, session: AsyncSession) -> Awaitable[bool]:
        code_id = self.request.authorization_code.code.id
        assert code_id is not None
        return claim_authorization_code(session, code_id=code_id, now=utcnow())

    def _presented_again(self, session: AsyncSession) -> Awaitable[None]:
        record: CodeRecord = self.request.authorization_code
        source_address = self.server.context.source_address
        return code_presented_again(
            session, code=record.code, grant=record.grant, source_address=source_address
        )

    def delete_authorization_code(self, authorization_code: CodeRecord) -> None:
        """Nothing to do: the code was claimed (marked used) before tokens were issued."""

    def authenticate_user(self, authorization_code: CodeRecord) -> Consent:
        grant = authorization_code.grant
        if not grant_is_live(grant, utcnow()):
            raise InvalidGrantError(AUTHORIZE_AGAIN)
        return Consent(account_id=grant.account_id, patient_id=grant.patient_id, grant=grant)


def _granted_for(requested: list[str], grant: Grant) -> list[str]:
    """`requested` limited to what the grant allows, in the client's words where they fit."""
    allowed = Scopes.parse(requested) & Scopes.parse(grant.scopes)
    return phrase_granted(requested, allowed.categories, allowed.specials)


def _narrowed_scope(requested: list[str], grant: Grant) -> str:
    """`requested` limited to what the grant still allows (see `_granted_for`)."""
    return " ".join(_granted_for(requested, grant))


class RefreshTokenGrant(_RedeemedOnce, grants.RefreshTokenGrant):
    """Refresh with rotation on every use and reuse detection."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    REFUSAL = "This refresh token was already used."
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> TokenRecord | None:
        context = self.server.context
        found = context.call(
            find_token,
            context.session,
            token_hash=hash_secret(refresh_token),
            kind=TokenKind.REFRESH,
        )
        if found is None:
            return None
        record = TokenRecord(*found)
        if record.token.rotated_at is not None:
            context.call(
                refresh_token_presented_again,
                context.session,
                grant=record.grant,
                source_address=context.source_address,
            )
            raise InvalidGrantError(
                "This refresh token was already used; the authorization was revoked "
                "and the patient must authorize the app again."
            )
        if record.token.revoked_at is not None or not grant_is_live(record.grant, utcnow()):
            raise InvalidGrantError(AUTHORIZE_AGAIN)
        if record.is_expired():
            raise InvalidGrantError("The refresh token expired; the patient must authorize again.")
        if not REFRESHABLE.intersection(Scopes.parse(record.grant.scopes).specials):
            # A later consent (on another device) took away offline and online access.
            raise InvalidGrantError(
                "The patient's latest consent does not allow refreshing; authorize again."
            )
        return record

    def _validate_token_scope(self, token: TokenRecord) -> None:
        raw = self.request.payload.scope
        if not raw:
            return
        accepted, rejected = split_scope_string(raw)
        if rejected or not accepted:
            raise InvalidScopeError("Unsupported scope.")
        if not Scopes.parse(accepted).within(Scopes.parse(token.get_scope())):
            raise InvalidScopeError("A refresh may only narrow the scope.")

    def authenticate_user(self, refresh_token: TokenRecord) -> Consent:
        grant = refresh_token.grant
        return Consent(account_id=grant.account_id, patient_id=grant.patient_id, grant=grant)

    def issue_token(self, user: Consent, refresh_token: TokenRecord) -> dict[str, Any]:
        """The old refresh token is used up, so a new one always comes back.

        `offline_access` stays in the new tokens' scope while the grant holds it, even when
        a narrower `scope` leaves it out: a refresh never ends with no refresh token.
        """
        requested = (self.request.payload.scope or refresh_token.get_scope()).split()
        if SpecialScope.OFFLINE_ACCESS not in requested:
            requested.append(SpecialScope.OFFLINE_ACCESS)
        scope = _narrowed_scope(requested, user.grant)
        token: dict[str, Any] = self.generate_token(
            user=user, scope=scope, include_refresh_token=True
        )
        return token

    def _claim(self, session: AsyncSession) -> Awaitable[bool]:
        token_id = self.request.refresh_token.token.id
        assert token_id is not None
        return claim_refresh_token(session, token_id=token_id, now=utcnow())

    def _presented_again(self, session: AsyncSession) -> Awaitable[None]:
        grant = self.request.refresh_token.grant
        source_address = self.server.context.source_address
        return refresh_token_presented_again(session, grant=grant, source_address=source_address)

    def revoke_old_credential(self, refresh_token: TokenRecord) -> None:
        """Nothing to do: the old refresh token was rotated before the new one was made."""

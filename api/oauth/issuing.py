"""Issuing tokens: opaque random strings stored as hashes, plus `patient`, `id_token` and expiry.

`fhirUser` in the id_token names the person using the app, as a resource the FHIR API
serves: `{issuer}/fhir/Patient/{id}` when the account acts for its own record,
`{issuer}/fhir/RelatedPerson/{account id}` when it acts for someone else (a parent,
another representative).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.oauth.bridge import OAuthContext
from api.oauth.models import AppClient, CodeRecord, Consent, TokenRecord
from api.oauth.signing import current_signing_key, id_token_claims, sign_id_token
from api.oauth.userinfo import fhir_user_of
from db.accounts import AccountPatient
from db.activity import Actor, EventKind
from db.columns import utcnow
from db.grants import record_grant_event
from db.keys import SigningKey
from db.tokens import Token, TokenKind, hash_secret
from sharing.scopes import SpecialScope

TOKEN_BYTES = 32  # 256 bits
REFRESH_SCOPES = frozenset({SpecialScope.OFFLINE_ACCESS.value, SpecialScope.ONLINE_ACCESS.value})


def seconds_until(moment: datetime | None, now: datetime) -> int | None:
    """Whole seconds from now until a moment (None stays None)."""
    return None if moment is None else int((moment - now).total_seconds())


def make_token_generator(context: OAuthContext) -> Any:
    """Authlib's token generator: Bearer tokens that never outlive the grant."""

    def generate(
        grant_type: str,
        client: AppClient,
        user: Consent | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        assert user is not None
        lifetime = context.settings.access_token_ttl
        left = seconds_until(user.grant.expires_at, utcnow())
        if left is not None:
            lifetime = max(1, min(lifetime, left))
        scopes = (scope or "").split()
        token: dict[str, Any] = {
            "access_token": secrets.token_urlsafe(TOKEN_BYTES),
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": " ".join(scopes),
        }
        if include_refresh_token and REFRESH_SCOPES & set(scopes):
            token["refresh_token"] = secrets.token_urlsafe(TOKEN_BYTES)
        return token

    return generate


@dataclass
class _Stored:
    relationship: str | None
    key: SigningKey | None


async def _store(
    session: AsyncSession,
    *,
    token: dict[str, Any],
    consent: Consent,
    code: CodeRecord | None,
    device: int | None,
    settings_refresh_ttl: int,
    online_ttl: int,
    source_address: str | None,
    signing_secret: str,
) -> _Stored:
    grant = consent.grant
    assert grant.id is not None
    now = utcnow()
    issued = [
        (TokenKind.ACCESS, token["access_token"], now + timedelta(seconds=token["expires_in"]))
    ]
    if "refresh_token" in token:
        # online_access without offline_access: usable while the patient keeps using the
        # app, i.e. it lapses after a login session's idle time without a refresh.
        offline = SpecialScope.OFFLINE_ACCESS in token["scope"].split()
        refresh_end = now + timedelta(seconds=settings_refresh_ttl if offline else online_ttl)
        if grant.expires_at is not None:
            refresh_end = min(refresh_end, grant.expires_at)
        issued.append((TokenKind.REFRESH, token["refresh_token"], refresh_end))
    session.add_all(
        Token(
            token_hash=hash_secret(raw),
            kind=kind,
            grant_id=grant.id,
            scopes=token["scope"],
            expires_at=expires_at,
            issued_from_code_id=device,
        )
        for kind, raw, expires_at in issued
    )
    await session.flush()  # the access and refresh tokens in one round trip
    await record_grant_event(
        session,
        grant=grant,
        kind=EventKind.TOKEN_ISSUED if code else EventKind.TOKEN_REFRESHED,
        actor=Actor(consent.account_id, source_address),
        details={"scopes": token["scope"].split(), "refresh_token": "refresh_token" in token},
    )
    link = await session.get(AccountPatient, (consent.account_id, consent.patient_id))
    wants_id_token = SpecialScope.OPENID in token["scope"].split()
    key = await current_signing_key(session, secret=signing_secret) if wants_id_token else None
    return _Stored(relationship=link.relationship if link else None, key=key)


def save_token(context: OAuthContext, token: dict[str, Any], request: Any) -> None:
    """Store the token's hashes and add chartshare's fields to the response (worker thread)."""
    consent: Consent = request.user
    code: CodeRecord | None = request.authorization_code
    client: AppClient = request.client
    # One device's tokens share the code they began with, also across refreshes: revoking
    # that device's refresh token ends them and leaves the app's other devices alone.
    refreshed: TokenRecord | None = getattr(request, "refresh_token", None)
    device = code.code.id if code else (refreshed.token.issued_from_code_id if refreshed else None)
    stored = context.call(
        _store,
        context.session,
        token=token,
        consent=consent,
        code=code,
        device=device,
        settings_refresh_ttl=context.settings.refresh_token_ttl,
        online_ttl=context.settings.session_idle_seconds,
        source_address=context.source_address,
        signing_secret=context.settings.key_encryption_secret,
    )
    scopes = token["scope"].split()
    if SpecialScope.LAUNCH_PATIENT in scopes:
        token["patient"] = str(consent.patient_id)
    if stored.key is not None:
        fhir_user = fhir_user_of(
            context.issuer,
            relationship=stored.relationship,
            patient_id=consent.patient_id,
            account_id=consent.account_id,
        )
        claims = id_token_claims(
            issuer=context.issuer,
            subject=str(consent.account_id),
            audience=client.get_client_id(),
            fhir_user=fhir_user,
            lifetime=context.settings.access_token_ttl,
            nonce=code.get_nonce() if code else None,
        )
        secret = context.settings.key_encryption_secret
        token["id_token"] = sign_id_token(stored.key, claims, secret=secret)
    expires = consent.grant.expires_at
    token["grant_expires_at"] = int(expires.timestamp()) if expires else None

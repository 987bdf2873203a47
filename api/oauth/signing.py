"""The id_token signing keys: created on first use, rotated on demand, all unretired ones published.

Private keys are stored as encrypted PKCS#8 PEM under CHARTSHARE_SIGNING_KEY_SECRET;
keys stored before that are encrypted at the next start or rotation (kid and public
key unchanged, so id_tokens they signed still verify).

A rotation adds a new key that signs from then on and keeps the previous one in the
JWKS, so id_tokens signed before the rotation stay verifiable; keys two rotations
old are retired.
"""

import json
import secrets
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool

from db.keys import (
    SigningKey,
    add_signing_key,
    list_all_keys,
    list_published_keys,
    replace_private_key,
    retire_signing_keys,
)

KEY_BITS = 2048
KEYS_KEPT_AFTER_ROTATION = 2
ENCRYPTED_PEM = "-----BEGIN ENCRYPTED PRIVATE KEY-----"


class SigningKeyLocked(Exception):
    """A stored signing key cannot be decrypted with the configured secret."""

    def __init__(self, kid: str) -> None:
        super().__init__(
            f"the id_token signing key {kid} cannot be decrypted with CHARTSHARE_SIGNING_KEY_SECRET"
        )


def _encrypted(pem: str, secret: str) -> str:
    plain = RSAKey.import_key(pem)
    return plain.as_pem(private=True, password=secret).decode()


async def encrypt_plaintext_keys(session: AsyncSession, *, secret: str) -> int:
    """Encrypt keys stored before encryption at rest; their kids and public halves stay."""
    changed = 0
    for key in await list_all_keys(session):
        if not key.private_key_pem.lstrip().startswith(ENCRYPTED_PEM):
            pem = await run_in_threadpool(_encrypted, key.private_key_pem, secret)
            await replace_private_key(session, key=key, private_key_pem=pem)
            changed += 1
    return changed


async def unlock_signing_keys(session: AsyncSession, *, secret: str) -> None:
    """At start: encrypt plaintext keys, and refuse (SigningKeyLocked) a secret that cannot sign."""
    await encrypt_plaintext_keys(session, secret=secret)
    key = await current_signing_key(session, secret=secret)
    await run_in_threadpool(_private_key, key, secret)


def _generate(secret: str) -> tuple[str, str, str]:
    kid = secrets.token_urlsafe(12)
    key = RSAKey.generate_key(
        KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True
    )
    pem = key.as_pem(private=True, password=secret).decode()
    return kid, pem, json.dumps(key.as_dict(private=False))


async def create_signing_key(session: AsyncSession, *, secret: str) -> SigningKey:
    """Generate (in a worker thread) and store a new signing key, encrypted with `secret`."""
    kid, pem, public_jwk = await run_in_threadpool(_generate, secret)
    return await add_signing_key(session, kid=kid, private_key_pem=pem, public_jwk=public_jwk)


async def current_signing_key(session: AsyncSession, *, secret: str) -> SigningKey:
    """The newest published key, created if there is none yet."""
    keys = await list_published_keys(session)
    return keys[0] if keys else await create_signing_key(session, secret=secret)


async def rotate_signing_key(session: AsyncSession, *, secret: str) -> SigningKey:
    """Add a new signing key; the previous one stays published, older ones are retired."""
    await encrypt_plaintext_keys(session, secret=secret)
    key = await create_signing_key(session, secret=secret)
    kept = (await list_published_keys(session))[:KEYS_KEPT_AFTER_ROTATION]
    await retire_signing_keys(session, keep_ids=[k.id for k in kept if k.id is not None])
    return key


async def published_jwks(session: AsyncSession, *, secret: str) -> dict[str, Any]:
    """The JWKS document: every unretired public key."""
    keys = await list_published_keys(session)
    if not keys:
        keys = [await create_signing_key(session, secret=secret)]
    return {"keys": [json.loads(k.public_jwk) for k in keys]}


def _private_key(key: SigningKey, secret: str) -> RSAKey:
    try:
        return RSAKey.import_key(
            key.private_key_pem, parameters={"kid": key.kid}, password=secret.encode()
        )
    except (ValueError, TypeError) as exc:
        raise SigningKeyLocked(key.kid) from exc


def sign_id_token(key: SigningKey, claims: dict[str, Any], *, secret: str) -> str:
    """Sign claims as an RS256 JWT naming the key's kid (blocking: call from a thread)."""
    private = _private_key(key, secret)
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, private)


def id_token_claims(
    *,
    issuer: str,
    subject: str,
    audience: str,
    fhir_user: str,
    lifetime: int,
    nonce: str | None,
) -> dict[str, Any]:
    """The OpenID Connect claims chartshare puts in an id_token."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "fhirUser": fhir_user,
    }
    if nonce:
        claims["nonce"] = nonce
    return claims

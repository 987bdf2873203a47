"""The id_token signing keys: created on first use, rotated on demand, all unretired ones published.

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

from db.keys import SigningKey, add_signing_key, list_published_keys, retire_signing_keys

KEY_BITS = 2048
KEYS_KEPT_AFTER_ROTATION = 2


def _generate() -> tuple[str, str, str]:
    kid = secrets.token_urlsafe(12)
    key = RSAKey.generate_key(
        KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True
    )
    return kid, key.as_pem(private=True).decode(), json.dumps(key.as_dict(private=False))


async def create_signing_key(session: AsyncSession) -> SigningKey:
    """Generate (in a worker thread) and store a new signing key."""
    kid, pem, public_jwk = await run_in_threadpool(_generate)
    return await add_signing_key(session, kid=kid, private_key_pem=pem, public_jwk=public_jwk)


async def current_signing_key(session: AsyncSession) -> SigningKey:
    """The newest published key, created if there is none yet."""
    keys = await list_published_keys(session)
    return keys[0] if keys else await create_signing_key(session)


async def rotate_signing_key(session: AsyncSession) -> SigningKey:
    """Add a new signing key; the previous one stays published, older ones are retired."""
    key = await create_signing_key(session)
    kept = (await list_published_keys(session))[:KEYS_KEPT_AFTER_ROTATION]
    await retire_signing_keys(session, keep_ids=[k.id for k in kept if k.id is not None])
    return key


async def published_jwks(session: AsyncSession) -> dict[str, Any]:
    """The JWKS document: every unretired public key."""
    keys = await list_published_keys(session)
    if not keys:
        keys = [await create_signing_key(session)]
    return {"keys": [json.loads(k.public_jwk) for k in keys]}


def sign_id_token(key: SigningKey, claims: dict[str, Any]) -> str:
    """Sign claims as an RS256 JWT naming the key's kid (blocking: call from a thread)."""
    private = RSAKey.import_key(key.private_key_pem, parameters={"kid": key.kid})
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

"""Bearer access tokens of partner apps, checked against the database on every request.

Shared by the GraphQL and FHIR endpoints, so both see a revoked or narrowed grant at once.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from db.access import find_live_access
from db.columns import utcnow
from db.tokens import hash_secret
from schema.context import AppCaller
from sharing.scopes import Scopes

MAX_TOKEN_LENGTH = 512


async def app_caller(session: AsyncSession, header: str) -> AppCaller | None:
    """The app behind a `Bearer` header if its token is live right now, else None.

    Writes nothing (it runs in reading units of work): the caller notes the grant's
    last use with `db.grants.mark_grant_used` in its bookkeeping.
    """
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = utcnow()
    access = await find_live_access(session, token_hash=hash_secret(token), now=now)
    if access is None:
        return None
    # The grant may have been narrowed after the token was issued: both must allow a category.
    return AppCaller(
        grant_id=access.grant_id,
        app_id=access.app_id,
        app_name=access.app_name,
        client_id=access.client_id,
        account_id=access.account_id,
        patient_id=access.patient_id,
        scopes=Scopes.parse(access.token_scopes) & Scopes.parse(access.grant_scopes),
        last_used_at=access.last_used_at,
    )

"""Bearer access tokens of partner apps, checked against the database on every request.

Shared by the GraphQL and FHIR endpoints, so both see a revoked or narrowed grant at once.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import utcnow
from db.credentials import find_live_access_token
from db.tokens import hash_secret
from schema.context import AppCaller
from sharing.scopes import Scopes

MAX_TOKEN_LENGTH = 512


async def app_caller(session: AsyncSession, header: str) -> AppCaller | None:
    """The app behind a `Bearer` header if its token is live right now, else None."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = utcnow()
    found = await find_live_access_token(session, token_hash=hash_secret(token), now=now)
    if found is None:
        return None
    token_row, grant, app = found
    # The grant may have been narrowed after the token was issued: both must allow a category.
    scopes = Scopes.parse(token_row.scopes) & Scopes.parse(grant.scopes)
    grant.last_used_at = now
    session.add(grant)
    assert grant.id is not None and app.id is not None
    return AppCaller(
        grant_id=grant.id,
        app_id=app.id,
        app_name=app.name,
        client_id=app.client_id,
        account_id=grant.account_id,
        patient_id=grant.patient_id,
        scopes=tuple(scopes.canonical()),
        categories=scopes.categories,
    )

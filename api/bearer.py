"""Bearer access tokens of partner apps, checked against the database on every request.

Shared by the GraphQL and FHIR endpoints, so both see a revoked or narrowed grant at once.
"""

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from api.settings import Settings
from db.access import find_live_access, note_grant_used
from db.columns import utcnow
from db.tokens import hash_secret
from schema.context import AppCaller
from sharing.scopes import SpecialScope, granted_categories, scopes_for

MAX_TOKEN_LENGTH = 512


def source_address(request: Request, settings: Settings) -> str | None:
    """The client's address (from X-Forwarded-For only when the settings trust it)."""
    if settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded[:64]
    return request.client.host[:64] if request.client else None


async def app_caller(session: AsyncSession, header: str) -> AppCaller | None:
    """The app behind a `Bearer` header if its token is live right now, else None."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = utcnow()
    access = await find_live_access(session, token_hash=hash_secret(token), now=now)
    if access is None:
        return None
    # The grant may have been narrowed after the token was issued: both must allow a category.
    token_scopes, grant_scopes = access.token_scopes.split(), access.grant_scopes.split()
    categories = granted_categories(token_scopes) & granted_categories(grant_scopes)
    specials = [
        s for s in token_scopes if s in SpecialScope.__members__.values() and s in grant_scopes
    ]
    await note_grant_used(session, access=access, now=now)
    return AppCaller(
        grant_id=access.grant_id,
        app_id=access.app_id,
        app_name=access.app_name,
        client_id=access.client_id,
        account_id=access.account_id,
        patient_id=access.patient_id,
        scopes=tuple(scopes_for(categories, specials)),
        categories=categories,
    )

"""GET/POST /oauth/userinfo (OpenID Connect): who is using the app, under the token's scopes.

`sub` is the account id (as in the id_token), `fhirUser` the person's FHIR reference;
`profile` adds `name` and `preferred_username`, `email` adds `email`.
"""

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.bearer import bearer_token
from api.context import database, settings_of
from db.accounts import Account, AccountPatient, Relationship
from db.columns import utcnow
from db.credentials import find_live_access_token
from db.tokens import hash_secret
from sharing.scopes import Scopes, SpecialScope

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def fhir_user_of(issuer: str, *, relationship: str | None, patient_id: int, account_id: int) -> str:
    """`{issuer}/fhir/Patient/{id}` for one's own record, else `.../RelatedPerson/{account}`."""
    if relationship == Relationship.SELF:
        return f"{issuer}/fhir/Patient/{patient_id}"
    return f"{issuer}/fhir/RelatedPerson/{account_id}"


def _bearer_error(status: int, error: str, description: str) -> Response:
    challenge = f'Bearer error="{error}", error_description="{description}"'
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status, {**NO_STORE, "WWW-Authenticate": challenge})


async def _claims(session: AsyncSession, token: str, issuer: str) -> dict[str, str] | Response:
    found = await find_live_access_token(session, token_hash=hash_secret(token), now=utcnow())
    if found is None:
        return _bearer_error(
            401, "invalid_token", "The access token is missing, expired or revoked."
        )
    token_row, grant, _ = found
    # As for data: what the token was issued with, limited by the patient's latest consent.
    scopes = (Scopes.parse(token_row.scopes) & Scopes.parse(grant.scopes)).specials
    if SpecialScope.OPENID not in scopes:
        return _bearer_error(403, "insufficient_scope", "userinfo needs the openid scope.")
    account = await session.get(Account, grant.account_id)
    link = await session.get(AccountPatient, (grant.account_id, grant.patient_id))
    if account is None:
        return _bearer_error(401, "invalid_token", "The account behind this token is gone.")
    claims = {
        "sub": str(grant.account_id),
        "fhirUser": fhir_user_of(
            issuer,
            relationship=link.relationship if link else None,
            patient_id=grant.patient_id,
            account_id=grant.account_id,
        ),
    }
    if SpecialScope.PROFILE in scopes:
        claims["name"] = account.display_name
        claims["preferred_username"] = account.username
    if SpecialScope.EMAIL in scopes:
        claims["email"] = account.email
    return claims


async def userinfo(request: Request) -> Response:
    """The OpenID Connect userinfo endpoint; Bearer token in the Authorization header only."""
    token = bearer_token(request.headers.get("authorization", ""))
    if token is None:
        return JSONResponse(
            {"error": "invalid_token", "error_description": "Send a Bearer access token."},
            401,
            {**NO_STORE, "WWW-Authenticate": "Bearer"},
        )
    async with database(request) as session:
        claims = await _claims(session, token, settings_of(request).base_url)
    if isinstance(claims, Response):
        return claims
    return JSONResponse(claims, 200, NO_STORE)

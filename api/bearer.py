"""Bearer access tokens of partner apps, checked against the database on every request.

Shared by the GraphQL and FHIR endpoints, so both see a revoked or narrowed grant at once.

`ACCESS_SHAPES` remembers, per token hash, the caller its last check proved: its patient
and categories, which choose the compiled plan. It is a guess about the plan, never a
decision: the folded check (`folded_check`) runs the token check inside the statement
that reads the data, and the data are used only if that check, made now, proves the same
patient and categories. A revoked, expired or narrowed token therefore acts on the very
next request, as with the separate check.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from db.access import LiveAccess, access_of, find_live_access, live_access_parameters
from db.columns import utcnow
from db.tokens import hash_secret
from schema.compiled.cache import LRU
from schema.compiled.runner import FoldedCheck
from schema.context import AppCaller
from sharing.scopes import Scopes

MAX_TOKEN_LENGTH = 512
ACCESS_SHAPES_SIZE = 4096

ACCESS_SHAPES: LRU[AppCaller] = LRU(ACCESS_SHAPES_SIZE)


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None if it is not one."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def _caller_of(access: LiveAccess) -> AppCaller:
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


async def app_caller(session: AsyncSession, header: str) -> AppCaller | None:
    """The app behind a `Bearer` header if its token is live right now, else None.

    Writes nothing (it runs in reading units of work): the caller notes the grant's
    last use with `db.grants.mark_grant_used` in its bookkeeping.
    """
    token = bearer_token(header)
    if token is None:
        return None
    token_hash = hash_secret(token)
    access = await find_live_access(session, token_hash=token_hash, now=utcnow())
    if access is None:
        ACCESS_SHAPES.forget(token_hash)
        return None
    caller = _caller_of(access)
    ACCESS_SHAPES.put(token_hash, caller)
    return caller


def folded_check(header: str, now: datetime) -> FoldedCheck | None:
    """The token check to fold into the data statement, if an earlier check saw this token."""
    token = bearer_token(header)
    if token is None:
        return None
    token_hash = hash_secret(token)
    assumed = ACCESS_SHAPES.get(token_hash)
    if assumed is None:
        return None

    def proven(row: Sequence[Any] | None) -> AppCaller | None:
        if row is None:
            ACCESS_SHAPES.forget(token_hash)
            return None
        caller = _caller_of(access_of(row))
        if (caller.patient_id, caller.categories) != (assumed.patient_id, assumed.categories):
            ACCESS_SHAPES.forget(token_hash)
            return None
        return caller

    return FoldedCheck(
        assumed=assumed,
        parameters=live_access_parameters(token_hash=token_hash, now=now),
        proven=proven,
    )

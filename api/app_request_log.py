"""Every request that presents an app token is one activity event, refused ones included.

The GraphQL endpoint writes the event of a request it answered (`mark_logged`) in the
request's own unit of work. Every other outcome passes through here before the
response starts: 400/405/413/415 refusals, limit violations answered early, 401 for
a token whose access ended, and unexpected errors (500), whose own transaction was
rolled back. A token of a known grant is logged for that grant's patient; an unknown
token goes to the server log with the source address (never the token).
"""

import logging
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.oauth.models import TokenRecord
from api.security import source_address
from db.activity import Actor, EventKind
from db.columns import utcnow
from db.credentials import find_token
from db.engine import unit_of_work
from db.grants import grant_is_live, record_grant_event
from db.tokens import TokenKind, hash_secret

logger = logging.getLogger("chartshare.app_requests")
LOGGED = "app_request_logged"
MAX_TOKEN_LENGTH = 512


def mark_logged(request: Request) -> None:
    """Tell the middleware that the endpoint has written (and committed) this request's event."""
    request.scope.setdefault("state", {})[LOGGED] = True


def bearer_token(scope: Scope) -> str | None:
    """The Bearer token of the request, if it sends one."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = bytes(value).decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def _outcome(status: int) -> str:
    if status >= 500:
        return "error"
    # A public document (FHIR metadata) fetched with a token reads nothing of the record.
    return "rejected" if status >= 400 else "success"


class AppRequestLog:
    """ASGI middleware over the data APIs (`paths`): log what the endpoint did not."""

    def __init__(self, app: ASGIApp, *, paths: tuple[str, ...]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = bearer_token(scope) if scope["type"] == "http" else None
        path = scope.get("path", "") if token is not None else ""
        if token is None or not any(path == p or path.startswith(p + "/") for p in self.paths):
            await self.app(scope, receive, send)
            return

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self._record(scope, token, int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        except Exception:
            await self._record(scope, token, 500)
            raise

    async def _record(self, scope: Scope, token: str, status: int) -> None:
        if scope.get("state", {}).get(LOGGED):
            return
        scope.setdefault("state", {})[LOGGED] = True
        request = Request(scope)
        address = source_address(request, request.app.state.settings)
        try:
            async with unit_of_work(request.app.state.session_factory) as session:
                known = await self._record_known(session, token, status, scope, address)
        except Exception as exc:  # the response still goes out; the failure is logged
            logger.error("app request not logged (%s): status %d", type(exc).__name__, status)
            return
        if not known:
            logger.warning(
                "unknown access token from %s: %s %s answered %d",
                address,
                scope["method"],
                scope["path"],
                status,
            )

    async def _record_known(
        self, session: AsyncSession, token: str, status: int, scope: Scope, address: str | None
    ) -> bool:
        found = None
        if len(token) <= MAX_TOKEN_LENGTH:
            found = await find_token(session, token_hash=hash_secret(token), kind=TokenKind.ACCESS)
        if found is None:
            return False
        record = TokenRecord(*found)
        grant = record.grant
        ended = record.is_expired() or record.is_revoked()
        details: dict[str, Any] = {"status": status, "method": scope["method"]}
        if ended:
            details["grant_ended"] = not grant_is_live(grant, utcnow())
        await record_grant_event(
            session,
            grant=grant,
            kind=EventKind.ENDED_ACCESS_USED if ended else EventKind.DATA_READ,
            outcome="denied" if ended else _outcome(status),
            actor=Actor(grant.account_id, address),
            details=details,
        )
        return True

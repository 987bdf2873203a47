r"""Refuse NUL characters before any handler sees them: PostgreSQL text cannot hold one.

A NUL in a login name, client_id, state, path segment or GraphQL variable made
PostgreSQL raise ("invalid byte sequence for encoding UTF8: 0x00") and the request
answered 500. No field of the product may contain one, so the request is a 400:
raw NUL bytes anywhere, `%00` in the path, query string or a form body, and the
JSON escape `\u0000` in a body. (A body that spells a literal backslash followed by
`u0000` is refused too; nothing here needs one.)

A query string that is not UTF-8 is refused here too: Starlette decodes it as UTF-8
whenever `request.url` is read (the OAuth endpoints and the error handler do), so raw
bytes such as `?x=\xff` answered 500.
"""

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ENCODED_NUL = re.compile(rb"%00|\x00")
_BODY_NUL = re.compile(rb"%00|\x00|\\u0000")


NUL_MESSAGE = "The request contains a NUL character."
NOT_UTF8_MESSAGE = "The query string is not UTF-8 (percent-encode other bytes)."


def _problem(path: str, message: str) -> tuple[bytes, bytes]:
    if path == "/graphql":
        body: object = {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
    else:
        body = {"error": "invalid_request", "error_description": message}
    return json.dumps(body).encode(), b"application/json"


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class RefuseNulBytes:
    """ASGI middleware: bodies up to `max_body_bytes` are read, checked and replayed."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        if _ENCODED_NUL.search(raw_path) or _ENCODED_NUL.search(query):
            await self._refuse(scope, send, NUL_MESSAGE)
            return
        if not _is_utf8(query):
            await self._refuse(scope, send, NOT_UTF8_MESSAGE)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                break  # too large: the handler answers 413 itself
            if not message.get("more_body", False):
                if _BODY_NUL.search(b"".join(m.get("body", b"") for m in messages)):
                    await self._refuse(scope, send, NUL_MESSAGE)
                    return
                break
        await self.app(scope, self._replay(messages, receive), send)

    @staticmethod
    def _replay(messages: list[Message], receive: Receive) -> Receive:
        pending = list(messages)

        async def replayed() -> Message:
            if pending:
                return pending.pop(0)
            return await receive()

        return replayed

    @staticmethod
    async def _refuse(scope: Scope, send: Send, message: str) -> None:
        body, media_type = _problem(scope["path"], message)
        headers = [
            (b"content-type", media_type),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})

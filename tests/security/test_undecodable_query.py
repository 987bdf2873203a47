"""A query string that is not UTF-8 is a 400 before any handler runs, never a 500.

HTTP clients may send raw bytes in a query string (httpx refuses to, so these tests
call the application directly). Starlette decodes the query string as UTF-8 whenever
`request.url` is read, which the OAuth endpoints do: `/oauth/token?x=%ED%A0%80` sent
unescaped answered 500, and the 500 handler itself failed on the same URL.
"""

import json

import pytest
from starlette.applications import Starlette
from starlette.types import Message

Answer = tuple[int, dict[str, str], bytes]


async def _call(app: Starlette, method: str, path: str, query: bytes) -> Answer:
    """Send one request straight to the ASGI app and collect its answer."""
    requests: list[Message] = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        return requests.pop(0) if requests else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/oauth/token"),
        ("GET", "/oauth/authorize"),
        ("HEAD", "/oauth/authorize"),
        ("GET", "/fhir/Patient"),
        ("POST", "/graphql"),
    ],
)
@pytest.mark.parametrize("query", [b"x=\xed\xa0\x80", b"a=%ff&b=\xff", b"scope=\xc3"])
async def test_a_query_string_that_is_not_utf8_is_a_400(
    app: Starlette, method: str, path: str, query: bytes
) -> None:
    status, headers, body = await _call(app, method, path, query)

    assert status == 400
    assert headers["content-type"] == "application/json"
    if method != "HEAD":
        assert "UTF-8" in json.dumps(json.loads(body))


async def test_utf8_and_percent_escapes_still_reach_the_handlers(app: Starlette) -> None:
    for query in (b"x=%ff", "x=\u00e9".encode()):
        status, _, body = await _call(app, "POST", "/oauth/token", query)

        assert status == 400
        assert "request body, not the URL" in json.loads(body)["error_description"]

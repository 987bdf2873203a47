"""A `requests` transport adapter that sends a synchronous client's requests to the ASGI app.

SMART's Python client (`fhirclient`) speaks `requests`; running it in a worker thread with
this adapter mounted lets it talk to the app under test on the test's own event loop.
"""

import asyncio

import httpx
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

TIMEOUT_SECONDS = 30


class ASGIAdapter(BaseAdapter):
    """Forward each request to an httpx client bound to the app, on the given loop."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.client = client
        self.loop = loop

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send the request to the app; transport options do not apply in-process."""
        body = request.body.encode() if isinstance(request.body, str) else request.body
        call = self.client.request(
            request.method or "GET",
            request.url or "",
            headers=dict(request.headers),
            content=body,
        )
        answer = asyncio.run_coroutine_threadsafe(call, self.loop).result(TIMEOUT_SECONDS)
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.reason_phrase
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.encoding = answer.encoding
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release: the httpx client belongs to the test."""

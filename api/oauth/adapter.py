"""The Starlette adapter for Authlib: requests in, (status, body, headers) out."""

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from starlette.datastructures import MultiDict
from starlette.requests import Request
from starlette.responses import Response


class FormPayload(OAuth2Payload):
    """Authlib's view of the request parameters (query or form, never both)."""

    def __init__(self, params: MultiDict) -> None:
        self._params = params

    @property
    def data(self) -> dict[str, str]:
        return {key: self._params[key] for key in self._params}

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        values: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in self._params.multi_items():
            values[key].append(value)
        return values


class StarletteOAuth2Request(OAuth2Request):
    """An OAuth2Request built from already-read parameters (Authlib may not await the body)."""

    def __init__(
        self, *, method: str, uri: str, headers: Mapping[str, str], params: MultiDict
    ) -> None:
        # Transport security is enforced by Settings (production needs an https base
        # URL); Authlib's own check would refuse http development hosts, so it sees
        # the request under https. Authlib uses the URI for nothing else.
        super().__init__(method, uri.replace("http://", "https://", 1), headers=headers)
        self._params = params
        self.payload = FormPayload(params)

    @property
    def args(self) -> MultiDict:
        return self._params if self.method == "GET" else MultiDict()

    @property
    def form(self) -> dict[str, str]:
        return {key: self._params[key] for key in self._params}


def oauth_request(
    request: Request, params: MultiDict, *, method: str | None = None
) -> StarletteOAuth2Request:
    """Wrap a Starlette request and its parameters for Authlib."""
    return StarletteOAuth2Request(
        method=method or request.method,
        uri=str(request.url),
        headers=request.headers,  # case-insensitive, as Authlib expects
        params=params,
    )


@dataclass
class OAuthResult:
    """What Authlib answered: status, body (dict or empty) and headers."""

    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "location"), None)

    def to_response(self) -> Response:
        """A Starlette response; JSON bodies keep Authlib's no-store headers."""
        headers = {k: v for k, v in self.headers if k.lower() != "content-type"}
        if isinstance(self.body, dict):
            headers.setdefault("Cache-Control", "no-store")
            headers.setdefault("Pragma", "no-cache")
            return Response(
                json.dumps(self.body),
                status_code=self.status,
                headers=headers,
                media_type="application/json",
            )
        return Response(str(self.body or ""), status_code=self.status, headers=headers)

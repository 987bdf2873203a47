"""GraphQL over HTTP media types: `application/json` and `application/graphql-response+json`.

With either media type the status code tells a request error from an executed one, as
the GraphQL-over-HTTP specification defines for `application/graphql-response+json`: a
response without `data` (the body, document or variables were refused, or a limit was
exceeded) is `400`; an executed operation is `200`, also when some fields carry errors.
`application/json` (the default, for existing clients) answers the same way, so a
malformed request is a client error whatever the client accepts (docs/graphql.md).
"""

from starlette.responses import Response

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# What the client may name in Accept -> (what it gets, how specific the name is).
# Wildcards get application/json: curl and many HTTP libraries send `*/*` by default.
_ACCEPTABLE = {
    GRAPHQL_RESPONSE: (GRAPHQL_RESPONSE, 2),
    JSON: (JSON, 2),
    "application/*": (JSON, 1),
    "*/*": (JSON, 0),
}
MAX_ACCEPT_LENGTH = 1000


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header; None when none is acceptable (406).

    No Accept header, or only wildcards, means `application/json`, as for clients written
    before the new media type; the highest q wins, then the more specific, then the first.
    """
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, int, str] | None = None
    for position, item in enumerate(accept[:MAX_ACCEPT_LENGTH].split(",")):
        media, *parameters = item.split(";")
        media = media.strip().lower()
        if media not in _ACCEPTABLE:
            continue
        q = _quality(parameters)
        chosen, specificity = _ACCEPTABLE[media]
        # Highest q first, then the more specific name, then the earlier one.
        rank = (q, specificity, -position, chosen)
        if q > 0 and (best is None or rank[:3] > best[:3]):
            best = rank
    return None if best is None else best[3]


def with_media_type(response: Response, media_type: str) -> Response:
    """A problem answer (401, 405, 415, ...) in the negotiated media type, status unchanged."""
    if response.headers.get("content-type", "").startswith(JSON):
        response.headers["content-type"] = media_type
    return response

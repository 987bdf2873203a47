"""FHIR JSON responses and OperationOutcomes (application/fhir+json)."""

import json
from typing import Any

from starlette.responses import Response

FHIR_JSON = "application/fhir+json"
NO_STORE = {"Cache-Control": "no-store"}


class FHIRResponse(Response):
    """A FHIR resource as JSON, never cached (it may carry health data)."""

    media_type = FHIR_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def resource_response(
    resource: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> FHIRResponse:
    """A resource with `Cache-Control: no-store` unless other headers are given."""
    return FHIRResponse(resource, status_code=status, headers=headers or NO_STORE)


def outcome(
    status: int, code: str, diagnostics: str, headers: dict[str, str] | None = None
) -> FHIRResponse:
    """An error as an OperationOutcome with one issue (FHIR issue type `code`)."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }
    return FHIRResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def insufficient_scope(scopes: list[str]) -> FHIRResponse:
    """403 naming the scopes that would allow the request (RFC 6750 insufficient_scope)."""
    named = " or ".join(scopes)
    return outcome(
        403,
        "forbidden",
        f"The access token's grant does not cover this request; it needs the scope {named}.",
        {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{" ".join(scopes)}"'},
    )

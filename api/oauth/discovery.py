"""Discovery: SMART configuration, OpenID and RFC 8414 metadata, and the JWKS."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.context import database, settings_of
from api.oauth.signing import published_jwks
from sharing.scopes import supported_scopes

# What chartshare really supports (SMART App Launch 2 capability names).
CAPABILITIES = [
    "launch-standalone",
    "authorize-post",
    "client-public",
    "client-confidential-symmetric",
    "context-standalone-patient",
    "permission-offline",
    "permission-online",
    "permission-patient",
    "permission-v1",
    "permission-v2",
    "sso-openid-connect",
]
PUBLIC_CACHE = {"Cache-Control": "public, max-age=300"}


def _common(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "registration_endpoint": f"{issuer}/oauth/register",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "userinfo_endpoint": f"{issuer}/oauth/userinfo",
        "scopes_supported": supported_scopes(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "introspection_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
        ],
        "authorization_response_iss_parameter_supported": True,
    }


def smart_configuration_document(issuer: str) -> dict[str, Any]:
    """/.well-known/smart-configuration."""
    return {
        **_common(issuer),
        "management_endpoint": f"{issuer}/account",
        "capabilities": CAPABILITIES,
    }


def openid_configuration_document(issuer: str) -> dict[str, Any]:
    """/.well-known/openid-configuration (and, without the OpenID-only fields, RFC 8414)."""
    return {
        **_common(issuer),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": [
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "nonce",
            "fhirUser",
            "name",
            "preferred_username",
            "email",
        ],
    }


async def smart_configuration(request: Request) -> JSONResponse:
    """GET /.well-known/smart-configuration."""
    return JSONResponse(
        smart_configuration_document(settings_of(request).base_url), 200, PUBLIC_CACHE
    )


async def openid_configuration(request: Request) -> JSONResponse:
    """GET /.well-known/openid-configuration."""
    return JSONResponse(
        openid_configuration_document(settings_of(request).base_url), 200, PUBLIC_CACHE
    )


async def authorization_server_metadata(request: Request) -> JSONResponse:
    """GET /.well-known/oauth-authorization-server (RFC 8414)."""
    return JSONResponse(_common(settings_of(request).base_url), 200, PUBLIC_CACHE)


async def jwks(request: Request) -> JSONResponse:
    """Every unretired public signing key (a key is created on first use)."""
    async with database(request) as session:
        secret = settings_of(request).key_encryption_secret
        document = await published_jwks(session, secret=secret)
    return JSONResponse(document, 200, {"Cache-Control": "public, max-age=60"})

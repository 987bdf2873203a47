"""chartshare's Authlib AuthorizationServer: one per request, bound to its database session."""

from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationServer
from authlib.oauth2.rfc6749.errors import InvalidScopeError

from api.oauth.adapter import OAuthResult
from api.oauth.bridge import OAuthContext
from api.oauth.client_auth import authenticate_client
from api.oauth.endpoints import TokenIntrospection, TokenRevocation
from api.oauth.grants import AuthorizationCodeGrant, RefreshTokenGrant, S256CodeChallenge
from api.oauth.issuing import make_token_generator, save_token
from api.oauth.models import AppClient
from db.apps import find_app_by_client_id
from sharing.scopes import split_scope_string


def _quotable(scope: str) -> str:
    """The scope in quotes if an error_description may carry it (RFC 6749 5.2), else a stand-in."""
    safe = len(scope) <= 100 and all(0x20 <= ord(c) <= 0x7E and c not in '"\\' for c in scope)
    return f"'{scope}'" if safe else "the requested scope"


class ChartshareServer(AuthorizationServer):
    """Only the code and refresh grants: no implicit, password or client-credentials grant."""

    def __init__(self, context: OAuthContext) -> None:
        super().__init__()
        self.context = context
        self.register_token_generator("default", make_token_generator(context))
        self.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
        self.register_grant(RefreshTokenGrant)
        self.register_endpoint(TokenRevocation)
        self.register_endpoint(TokenIntrospection)

    def query_client(self, client_id: str) -> AppClient | None:
        if not isinstance(client_id, str) or not 0 < len(client_id) <= 64:
            return None
        app = self.context.call(find_app_by_client_id, self.context.session, client_id=client_id)
        if app is None or app.deleted_at is not None:
            return None  # a deleted registration is an unknown client: no redirect, no token
        return AppClient(app, self.context.hasher)

    def authenticate_client(
        self, request: Any, methods: list[str], endpoint: str = "token"
    ) -> AppClient:
        """One answer for every failed client authentication, throttled per client_id."""
        return authenticate_client(self, request, methods, endpoint)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        save_token(self.context, token, request)

    def validate_requested_scope(self, scope: str | None) -> None:
        if not scope:
            raise InvalidScopeError("scope is required.")
        accepted, rejected = split_scope_string(scope)
        if not accepted and not rejected:  # white space only
            raise InvalidScopeError("scope is required.")
        if not accepted:
            # Unsupported scopes are dropped; only a request left with nothing is refused.
            raise InvalidScopeError(
                f"chartshare supports none of the requested scopes ({_quotable(rejected[0])} is "
                "not supported; see scopes_supported in /.well-known/smart-configuration)."
            )

    def create_oauth2_request(self, request: Any) -> Any:
        return request  # the views build StarletteOAuth2Request themselves

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("RFC 7591 registration has its own view")

    def handle_response(self, status: int, body: Any, headers: Any) -> OAuthResult:
        return OAuthResult(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Authlib's signals are not used: events are recorded where they happen."""

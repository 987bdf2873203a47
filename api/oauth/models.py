"""Authlib's views of our rows: a client (App), an authorization code, a token, a consent."""

from dataclasses import dataclass

from argon2 import PasswordHasher
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin

from db.apps import App, AppStatus, redirect_uris_of
from db.columns import utcnow
from db.grants import Grant, grant_is_live
from db.passwords import verify_password
from db.tokens import AuthorizationCode, Token
from sharing.scopes import Scopes

CONFIDENTIAL_METHODS = ("client_secret_basic", "client_secret_post")
GRANT_TYPES = ("authorization_code", "refresh_token")


def scope_within(requested: list[str], allowed: list[str]) -> bool:
    """Whether `requested` asks for nothing beyond `allowed` (compared by category)."""
    return Scopes.parse(requested).within(Scopes.parse(allowed))


class AppClient(ClientMixin):
    """A partner app as an OAuth client; only approved apps may authorize or get tokens."""

    def __init__(self, app: App, hasher: PasswordHasher) -> None:
        self.app = app
        self._hasher = hasher

    @property
    def approved(self) -> bool:
        return self.app.status == AppStatus.APPROVED

    def get_client_id(self) -> str:
        return self.app.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # redirect_uri is always required

    def get_allowed_scope(self, scope: str | None) -> str | None:
        if not scope:
            return None
        if self.app.allowed_scopes and not scope_within(
            scope.split(), self.app.allowed_scopes.split()
        ):
            return None
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in redirect_uris_of(self.app)  # exact, character for character

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.app.client_secret_hash
        if not self.app.is_confidential or not stored:
            return False
        return verify_password(self._hasher, stored, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.app.is_confidential:
            return method in CONFIDENTIAL_METHODS
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.approved

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES and self.approved


@dataclass
class Consent:
    """The resource owner as Authlib sees it: an account acting for a patient under a grant."""

    account_id: int
    patient_id: int
    grant: Grant


class CodeRecord(AuthorizationCodeMixin):
    """A stored authorization code with its grant."""

    def __init__(self, code: AuthorizationCode, grant: Grant) -> None:
        self.code = code
        self.grant = grant
        self.code_challenge = code.code_challenge
        self.code_challenge_method = code.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.code.redirect_uri

    def get_scope(self) -> str:
        return self.code.scopes

    def get_nonce(self) -> str | None:
        return self.code.nonce

    def get_auth_time(self) -> None:
        return None


class TokenRecord(TokenMixin):
    """A stored access or refresh token with its grant and app."""

    def __init__(self, token: Token, grant: Grant, app: App) -> None:
        self.token = token
        self.grant = grant
        self.app = app

    def check_client(self, client: AppClient) -> bool:
        return self.app.id == client.app.id

    def get_scope(self) -> str:
        return self.token.scopes

    def get_expires_in(self) -> int:
        return max(0, int((self.token.expires_at - utcnow()).total_seconds()))

    def is_expired(self) -> bool:
        return self.token.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        """Revoked or rotated, or its grant ended, or its app no longer approved."""
        return (
            self.token.revoked_at is not None
            or self.token.rotated_at is not None
            or not grant_is_live(self.grant, utcnow())
            or self.app.status != AppStatus.APPROVED
        )

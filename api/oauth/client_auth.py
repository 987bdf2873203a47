"""Client authentication at /oauth/token, /revoke and /introspect, throttled like logins.

Every failure (unknown client_id, wrong secret, a secret for a public client, a
method the client or endpoint does not allow, a paused client) gets the same answer:
HTTP 401 `invalid_client`, "Client authentication failed.", after the same Argon2id
work (a dummy hash stands in for a missing secret). Failures with a secret are counted
per client_id, known or not: after `login_slowdown_after` of them within
`login_lock_seconds` each further answer is held back `login_slowdown_seconds` (the
view waits after its unit of work, holding no connection), and after
`login_lock_after` the client_id is paused until its failures age out, even for the
right secret. The thresholds are the failed-login ones.
"""

from datetime import timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from authlib.oauth2.rfc6749.errors import InvalidClientError
from authlib.oauth2.rfc6749.util import extract_basic_authorization

from api.oauth.models import AppClient
from db.client_auth import count_client_auth_failures, record_client_auth_failure
from db.columns import utcnow
from db.passwords import dummy_hash, verify_password

FAILED = "Client authentication failed."
BASIC = "client_secret_basic"
POST = "client_secret_post"
NONE = "none"


@lru_cache(maxsize=4)
def _dummy_secret_hash(hasher: PasswordHasher) -> str:
    return dummy_hash(hasher)


def _credentials(request: Any) -> tuple[str | None, str | None, str]:
    """(client_id, secret, method) as the request presents them; Basic wins over the form."""
    basic_id, basic_secret = extract_basic_authorization(request.headers)
    if basic_id:
        return basic_id, basic_secret or "", BASIC
    form = request.form
    client_id = form.get("client_id") or None
    secret = form.get("client_secret")
    if secret is not None:
        return client_id, secret, POST
    return client_id, None, NONE


def _failure() -> InvalidClientError:
    return InvalidClientError(status_code=401, description=FAILED)


def authenticate_client(server: Any, request: Any, methods: list[str], endpoint: str) -> AppClient:
    """The authenticated client, or InvalidClientError; runs in Authlib's worker thread."""
    client_id, secret, method = _credentials(request)
    if not client_id:
        raise InvalidClientError(status_code=401, description="Send client_id to identify the app.")
    client: AppClient | None = server.query_client(client_id)
    allowed = (
        client is not None
        and method in methods
        and client.check_endpoint_auth_method(method, endpoint)
    )
    if secret is None:
        # A public client names itself; there is no secret to guess, so nothing to count.
        if client is None or not allowed:
            raise _failure()
        request.auth_method = method
        return client
    context = server.context
    settings = context.settings
    now = utcnow()
    window = timedelta(seconds=settings.login_lock_seconds)
    failures = context.call(
        count_client_auth_failures, context.session, client_id=client_id, since=now - window
    )
    paused = failures >= settings.login_lock_after
    stored = client.app.client_secret_hash if client is not None else None
    usable = allowed and not paused and bool(stored)
    matches = verify_password(
        context.hasher, stored if usable and stored else _dummy_secret_hash(context.hasher), secret
    )
    if usable and matches and client is not None:
        request.auth_method = method
        return client
    context.call(
        record_client_auth_failure,
        context.session,
        client_id=client_id,
        source_address=context.source_address,
        now=now,
        forget_before=now - window,
    )
    if failures >= settings.login_slowdown_after:
        context.slow_down = True
    raise _failure()

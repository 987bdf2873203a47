"""Registering partner apps and rotating their secrets: one code path for RFC 7591 and GraphQL."""

import asyncio
import ipaddress
import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import EventKind, record_event
from db.apps import (
    AUTO_APPROVE_DYNAMIC_REGISTRATION,
    App,
    AppStatus,
    get_operator_flag,
)
from db.columns import utcnow
from db.passwords import hash_password
from db.tokens import hash_secret
from schema.scopes import split_scope_string

MAX_REDIRECT_URIS = 10


class RegistrationProblem(Exception):
    """Why an app cannot be registered; `code` follows RFC 7591 error codes."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # invalid_redirect_uri | invalid_client_metadata
        self.field = field
        self.message = message


@dataclass
class AppMetadata:
    """What a developer submits about an app."""

    name: str
    redirect_uris: list[str]
    confidential: bool
    description: str | None = None
    homepage_url: str | None = None
    logo_url: str | None = None
    privacy_policy_url: str | None = None
    terms_url: str | None = None
    scope: str = ""


@dataclass
class RegisteredApp:
    """A new app with the secrets shown exactly once."""

    app: App
    client_secret: str | None
    registration_access_token: str | None = None
    warnings: list[str] = field(default_factory=list)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_redirect_uri(uri: str) -> None:
    """HTTPS, or http on a loopback address (native apps, RFC 8252); no fragment; absolute."""
    if not isinstance(uri, str) or len(uri) > 2000:
        raise RegistrationProblem("invalid_redirect_uri", "redirect_uris", "Invalid redirect URI.")
    parts = urlsplit(uri)
    if parts.fragment or not parts.netloc or parts.username or parts.password:
        raise RegistrationProblem(
            "invalid_redirect_uri",
            "redirect_uris",
            f"Redirect URI {uri!r} must be absolute, without fragment or credentials.",
        )
    host = parts.hostname or ""
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        return
    raise RegistrationProblem(
        "invalid_redirect_uri",
        "redirect_uris",
        f"Redirect URI {uri!r} must use https (http only on a loopback address).",
    )


def _check_link(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc or len(value) > 2000:
        raise RegistrationProblem("invalid_client_metadata", name, f"{name} must be an https URL.")
    return value


def validate_metadata(metadata: AppMetadata) -> AppMetadata:
    """Check and tidy the submitted metadata; RegistrationProblem names the first bad field."""
    name = (metadata.name or "").strip()
    if not 1 <= len(name) <= 120:
        raise RegistrationProblem(
            "invalid_client_metadata", "client_name", "A name of 1-120 characters is required."
        )
    uris = list(dict.fromkeys(metadata.redirect_uris or []))
    if not uris or len(uris) > MAX_REDIRECT_URIS:
        raise RegistrationProblem(
            "invalid_redirect_uri",
            "redirect_uris",
            f"Give between 1 and {MAX_REDIRECT_URIS} redirect URIs.",
        )
    for uri in uris:
        check_redirect_uri(uri)
    accepted, rejected = split_scope_string(metadata.scope or "")
    if rejected:
        raise RegistrationProblem(
            "invalid_client_metadata", "scope", f"Unsupported scopes: {' '.join(rejected)}"
        )
    description = (metadata.description or "").strip() or None
    if description is not None and len(description) > 2000:
        raise RegistrationProblem(
            "invalid_client_metadata", "description", "The description is too long."
        )
    return AppMetadata(
        name=name,
        redirect_uris=uris,
        confidential=metadata.confidential,
        description=description,
        homepage_url=_check_link(metadata.homepage_url, "client_uri"),
        logo_url=_check_link(metadata.logo_url, "logo_uri"),
        privacy_policy_url=_check_link(metadata.privacy_policy_url, "policy_uri"),
        terms_url=_check_link(metadata.terms_url, "tos_uri"),
        scope=" ".join(accepted),
    )


async def register_app(
    session: AsyncSession,
    *,
    metadata: AppMetadata,
    hasher: PasswordHasher,
    developer_account_id: int | None,
    via: str,
    source_address: str | None,
) -> RegisteredApp:
    """Store a new app; it waits for the operator unless auto-approval is on."""
    clean = validate_metadata(metadata)
    auto = await get_operator_flag(session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION)
    secret = secrets.token_urlsafe(32) if clean.confidential else None
    registration_token = secrets.token_urlsafe(32) if via == "dynamic" else None
    now = utcnow()
    app = App(
        name=clean.name,
        description=clean.description,
        homepage_url=clean.homepage_url,
        logo_url=clean.logo_url,
        privacy_policy_url=clean.privacy_policy_url,
        terms_url=clean.terms_url,
        redirect_uris=json.dumps(clean.redirect_uris),
        allowed_scopes=clean.scope,
        client_id=secrets.token_urlsafe(18),
        # Argon2id takes tens of milliseconds: hash in a worker thread, not on the event loop.
        client_secret_hash=await asyncio.to_thread(hash_password, hasher, secret)
        if secret
        else None,
        is_confidential=clean.confidential,
        status=AppStatus.APPROVED if auto else AppStatus.PENDING,
        developer_account_id=developer_account_id,
        registered_via=via,
        registration_token_hash=hash_secret(registration_token) if registration_token else None,
        created_at=now,
        status_changed_at=now,
    )
    session.add(app)
    await session.flush()
    await record_event(
        session,
        kind=EventKind.REGISTRATION,
        account_id=developer_account_id,
        app_id=app.id,
        source_address=source_address,
        details={"via": via, "status": app.status, "confidential": clean.confidential},
    )
    return RegisteredApp(
        app=app, client_secret=secret, registration_access_token=registration_token
    )


async def rotate_client_secret(
    session: AsyncSession,
    *,
    app: App,
    hasher: PasswordHasher,
    account_id: int | None,
    source_address: str | None,
) -> str:
    """Give a confidential app a new secret (shown once); the old one stops working at once."""
    if not app.is_confidential:
        raise RegistrationProblem(
            "invalid_client_metadata", "client_secret", "A public app has no secret."
        )
    secret = secrets.token_urlsafe(32)
    app.client_secret_hash = await asyncio.to_thread(hash_password, hasher, secret)
    app.secret_rotated_at = utcnow()
    session.add(app)
    await session.flush()
    await record_event(
        session,
        kind=EventKind.SECRET_ROTATED,
        account_id=account_id,
        app_id=app.id,
        source_address=source_address,
    )
    return secret


async def set_app_status(
    session: AsyncSession,
    *,
    app: App,
    status: AppStatus,
    operator_account_id: int,
    source_address: str | None,
) -> App:
    """Approve or suspend an app; a suspended app's tokens fail on their next request."""
    previous = app.status
    app.status = status
    app.status_changed_at = utcnow()
    session.add(app)
    await session.flush()
    await record_event(
        session,
        kind=EventKind.APP_STATUS_CHANGED,
        account_id=operator_account_id,
        app_id=app.id,
        source_address=source_address,
        details={"from": previous, "to": status},
    )
    return app

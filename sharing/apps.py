"""Registering, updating and deleting partner apps: one code path for RFC 7591/7592 and GraphQL."""

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from anyio import to_thread
from argon2 import PasswordHasher
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import Actor, EventKind, record_event
from db.apps import (
    AUTO_APPROVE_DYNAMIC_REGISTRATION,
    App,
    AppStatus,
    get_operator_flag,
    list_apps,
)
from db.columns import utcnow
from db.errors import Conflict
from db.grants import revoke_app_grants
from db.passwords import hash_password
from db.seed.demo import DemoApp, RegisterDemoApp
from db.tokens import hash_secret
from sharing.app_metadata import AppMetadata as AppMetadata
from sharing.app_metadata import RegistrationProblem as RegistrationProblem
from sharing.app_metadata import validate_metadata

# What the operator's approval vouches for: how patients recognise the app (name, homepage,
# logo on the consent screen) and where authorization codes go. Changing any of these on an
# approved app sends it back to review unless auto-approval is on.
REVIEWED_FIELDS = ("name", "homepage_url", "logo_url", "redirect_uris")
APP_DELETED = "app_deleted"
METADATA_COLUMNS = (
    "name",
    "description",
    "homepage_url",
    "logo_url",
    "privacy_policy_url",
    "terms_url",
    "redirect_uris",
    "allowed_scopes",
)


@dataclass
class RegisteredApp:
    """A new app with the secrets shown exactly once."""

    app: App
    client_secret: str | None
    registration_access_token: str | None = None
    warnings: list[str] = field(default_factory=list)


async def register_app(
    session: AsyncSession,
    *,
    metadata: AppMetadata,
    hasher: PasswordHasher,
    developer_account_id: int | None,
    via: str,
    source_address: str | None,
    known: DemoApp | None = None,
) -> RegisteredApp:
    """Store a new app; it waits for the operator unless auto-approval is on.

    `known` is a demo app of the seed: its published client_id and secret are kept and
    it is approved from the start.
    """
    clean = validate_metadata(metadata)
    auto = known is not None or await get_operator_flag(
        session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION
    )
    secret = secrets.token_urlsafe(32) if clean.confidential else None
    if known is not None:
        secret = known.client_secret
    # Argon2id blocks: hash in a worker thread so the event loop stays free.
    secret_hash = await to_thread.run_sync(hash_password, hasher, secret) if secret else None
    registration_token = secrets.token_urlsafe(32) if via == "dynamic" else None
    now = utcnow()
    app = App(
        **_metadata_columns(clean),
        client_id=known.client_id if known is not None else secrets.token_urlsafe(18),
        client_secret_hash=secret_hash,
        is_confidential=clean.confidential,
        status=AppStatus.APPROVED if auto else AppStatus.PENDING,
        developer_account_id=developer_account_id,
        registered_via=via,
        registration_token_hash=hash_secret(registration_token) if registration_token else None,
        created_at=now,
        status_changed_at=now,
    )
    await _save(
        session,
        app,
        EventKind.REGISTRATION,
        account_id=developer_account_id,
        source_address=source_address,
        details={"via": via, "status": app.status, "confidential": clean.confidential},
    )
    return RegisteredApp(
        app=app, client_secret=secret, registration_access_token=registration_token
    )


async def _save(
    session: AsyncSession,
    app: App,
    kind: EventKind,
    *,
    account_id: int | None,
    source_address: str | None,
    details: dict[str, object] | None = None,
) -> None:
    """Write the app's changes and log what happened to it."""
    session.add(app)
    await session.flush()
    await record_event(
        session,
        kind=kind,
        actor=Actor(account_id, source_address),
        app_id=app.id,
        details=details,
    )


def demo_app_registrar(hasher: PasswordHasher) -> RegisterDemoApp:
    """How the seed registers its demo apps: through `register_app`, like every app."""

    async def register(session: AsyncSession, demo: DemoApp, developer_id: int | None) -> App:
        metadata = AppMetadata(
            name=demo.name,
            redirect_uris=list(demo.redirect_uris),
            confidential=demo.client_secret is not None,
            description=demo.description,
            homepage_url=demo.homepage_url,
            privacy_policy_url=demo.privacy_policy_url,
            terms_url=demo.terms_url,
        )
        registered = await register_app(
            session,
            metadata=metadata,
            hasher=hasher,
            developer_account_id=developer_id,
            via="seed",
            source_address=None,
            known=demo,
        )
        return registered.app

    return register


def _metadata_columns(clean: AppMetadata) -> dict[str, Any]:
    """The App columns that hold validated registration metadata."""
    return {
        "name": clean.name,
        "description": clean.description,
        "homepage_url": clean.homepage_url,
        "logo_url": clean.logo_url,
        "privacy_policy_url": clean.privacy_policy_url,
        "terms_url": clean.terms_url,
        "redirect_uris": json.dumps(clean.redirect_uris),
        "allowed_scopes": clean.scope,
    }


def _stored_fields(app: App) -> dict[str, object]:
    stored: dict[str, object] = {column: getattr(app, column) for column in METADATA_COLUMNS}
    stored["redirect_uris"] = json.loads(app.redirect_uris)
    return stored


async def update_app_metadata(
    session: AsyncSession,
    *,
    app: App,
    metadata: AppMetadata,
    account_id: int | None,
    via: str,
    source_address: str | None,
) -> App:
    """Replace an app's metadata under the registration rules; identity changes need review.

    An approved app whose name, homepage, logo or redirect URIs change goes back to
    `pending` (its tokens pause until the operator approves again) unless auto-approval
    is on; pending and suspended apps keep their status. Whether the app is public or
    confidential cannot change: that would mint or drop a secret, so register a new app.
    """
    if app.deleted_at is not None:
        raise Conflict("the app's registration was deleted")
    clean = validate_metadata(metadata)
    if clean.confidential != app.is_confidential:
        raise RegistrationProblem(
            "invalid_client_metadata",
            "token_endpoint_auth_method",
            "A registered app cannot switch between public and confidential; register anew.",
        )
    before = _stored_fields(app)
    for column, value in _metadata_columns(clean).items():
        setattr(app, column, value)
    after = _stored_fields(app)
    changed = sorted(key for key in after if after[key] != before[key])
    previous_status = app.status
    if (
        app.status == AppStatus.APPROVED
        and set(changed) & set(REVIEWED_FIELDS)
        and not await get_operator_flag(session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION)
    ):
        app.status = AppStatus.PENDING
        app.status_changed_at = utcnow()
    await _save(
        session,
        app,
        EventKind.REGISTRATION_UPDATED,
        account_id=account_id,
        source_address=source_address,
        details={"via": via, "changed": changed, "from": previous_status, "to": app.status},
    )
    return app


async def delete_app_registration(
    session: AsyncSession, *, app: App, account_id: int | None, source_address: str | None
) -> int:
    """Deactivate an app for good and revoke every grant (its tokens fail at once).

    The row stays (grants and the activity log refer to it): it is suspended, marked
    deleted, and loses its secret and registration access token. Returns the number
    of grants revoked.
    """
    if app.deleted_at is not None:
        raise Conflict("the app's registration was already deleted")
    assert app.id is not None
    now = utcnow()
    previous_status = app.status
    app.status = AppStatus.SUSPENDED
    app.status_changed_at = now
    app.deleted_at = now
    app.client_secret_hash = None
    app.registration_token_hash = None
    revoked = await revoke_app_grants(
        session, app_id=app.id, reason=APP_DELETED, source_address=source_address
    )
    await _save(
        session,
        app,
        EventKind.REGISTRATION_DELETED,
        account_id=account_id,
        source_address=source_address,
        details={"from": previous_status, "grants_revoked": revoked},
    )
    return revoked


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
    app.client_secret_hash = await to_thread.run_sync(hash_password, hasher, secret)
    app.secret_rotated_at = utcnow()
    await _save(
        session, app, EventKind.SECRET_ROTATED, account_id=account_id, source_address=source_address
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
    if app.deleted_at is not None:
        raise Conflict("the app's registration was deleted; it cannot be approved again")
    previous = app.status
    app.status = status
    app.status_changed_at = utcnow()
    await _save(
        session,
        app,
        EventKind.APP_STATUS_CHANGED,
        account_id=operator_account_id,
        source_address=source_address,
        details={"from": previous, "to": status},
    )
    return app


async def list_directory_apps(session: AsyncSession) -> list[App]:
    """Approved apps for the public directory (the page and the GraphQL query share this)."""
    return await list_apps(session, status=AppStatus.APPROVED)

"""What a request handler needs from the application: settings, hasher, a unit of work."""

from contextlib import AbstractAsyncContextManager

from argon2 import PasswordHasher
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from api.settings import Settings
from db.engine import unit_of_work


def settings_of(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


def hasher_of(request: Request) -> PasswordHasher:
    """The application's Argon2id hasher (blocking: use it from a worker thread)."""
    hasher: PasswordHasher = request.app.state.password_hasher
    return hasher


def database(request: Request) -> AbstractAsyncContextManager[AsyncSession]:
    """The request's unit of work: committed when the handler returns, rolled back on error."""
    return unit_of_work(request.app.state.session_factory)

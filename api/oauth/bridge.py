"""Authlib is synchronous: it runs in a worker thread and reaches the async database through here.

`OAuthContext.call` sends one coroutine back to the event loop and waits for it, so
the request's AsyncSession is only ever used on the loop, one call at a time, while
the loop stays free for other requests.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from anyio import from_thread
from argon2 import PasswordHasher
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool

from api.settings import Settings

T = TypeVar("T")


@dataclass
class OAuthContext:
    """One request's database session and settings, as seen from Authlib's hooks."""

    session: AsyncSession
    settings: Settings
    hasher: PasswordHasher
    source_address: str | None
    # Set by client authentication past the slow-down threshold: the view waits before answering.
    slow_down: bool = False

    @property
    def issuer(self) -> str:
        return self.settings.base_url

    def call(self, function: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
        """Run an async function on the event loop from Authlib's worker thread."""
        call: Callable[[], Awaitable[T]] = partial(function, *args, **kwargs)
        return from_thread.run(call)  # type: ignore[arg-type]


async def in_thread(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking Authlib work in the thread pool."""
    return await run_in_threadpool(function, *args, **kwargs)

"""`chartshare rotate-signing-key` adds a key and keeps the previous one published."""

import asyncio

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.cli import main
from db.keys import list_published_keys


async def test_rotate_signing_key_command(
    database_url: str, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", database_url)
    # The command runs its own event loop, as it does from a terminal.
    assert await asyncio.to_thread(main, ["rotate-signing-key"]) == 0
    assert await asyncio.to_thread(main, ["rotate-signing-key"]) == 0
    keys = await list_published_keys(session)
    assert len(keys) == 2

"""What every `chartshare` command shares: its error type and the migrated-schema check."""

import asyncio

from api.settings import Settings


class CommandError(Exception):
    """A command cannot go on; the message is shown as one line."""


def _current_revision(settings: Settings) -> tuple[str | None, str]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Connection

    from db.engine import create_engine
    from migrations import alembic_config

    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    return asyncio.run(run()), head or ""


def require_migrated(settings: Settings) -> None:
    """Raise CommandError unless the database schema is at the newest revision."""
    current, head = _current_revision(settings)
    if current != head:
        raise CommandError("the database schema is not up to date: run `chartshare migrate` first")

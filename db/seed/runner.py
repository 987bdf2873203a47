"""Entry point of `chartshare seed`: write demo patients in chunks, then the demo identities.

The whole run is one transaction: a failed or interrupted seed leaves nothing behind.
The first run on an empty database writes Alice (a long history), her child and Bob
as the first three of the N patients, plus the fixed demo logins and apps; later
runs with --force add N bulk patients and never repeat the demo identities.
"""

import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import create_engine, create_session_factory
from db.seed.demo import (
    DemoPatients,
    RegisterDemoApp,
    create_demo_identities,
    demo_accounts_exist,
)
from db.seed.demo import describe_demo_logins as describe_logins
from db.seed.generator import DEMO_PATIENTS, generate_demo_patients, generate_patient
from db.seed.person import build_clinicians
from db.seed.progress import ProgressBar
from db.seed.rows import TABLES, Batch, Ids
from db.seed.writer import last_ids, reset_sequences, write_batch
from db.tables import metadata

CHUNK_PATIENTS = 250  # patients generated and written at a time: bounds memory


@dataclass(frozen=True)
class SeedOptions:
    """What `chartshare seed` was asked to do."""

    patients: int
    seed: int
    force: bool
    progress: bool
    # The demo logins' password hasher and the app registration path (see db/seed/demo.py).
    hasher: PasswordHasher
    register_app: RegisterDemoApp


async def _any_patient(connection: AsyncConnection) -> bool:
    result = await connection.execute(text("SELECT 1 FROM patient LIMIT 1"))
    return result.first() is not None


async def _write_patients(
    connection: AsyncConnection, options: SeedOptions, *, with_demo: bool
) -> DemoPatients | None:
    """Generate and insert the patients chunk by chunk; return the demo patients' ids."""
    ids = Ids(await last_ids(connection))
    pool = build_clinicians(options.seed)
    total = max(options.patients, len(DEMO_PATIENTS)) if with_demo else options.patients
    progress = ProgressBar(total, enabled=options.progress)
    demo: DemoPatients | None = None
    remaining = total
    try:
        while remaining > 0:
            batch = Batch()
            count = min(CHUNK_PATIENTS, remaining)
            if demo is None and with_demo:
                alice, child, bob = generate_demo_patients(
                    seed=options.seed, batch=batch, ids=ids, pool=pool
                )
                demo = DemoPatients(alice=alice.id, child=child.id, bob=bob.id)
                count = max(count, len(DEMO_PATIENTS))
                extra = count - len(DEMO_PATIENTS)
            else:
                extra = count
            for _ in range(extra):
                generate_patient(seed=options.seed, batch=batch, ids=ids, pool=pool)
            await write_batch(connection, batch)
            progress.advance(count, len(batch))
            remaining -= count
    finally:
        progress.close()
    await reset_sequences(connection)
    return demo


async def _table_counts(connection: AsyncConnection) -> dict[str, int]:
    # Table names come from our own metadata, never from input.
    parts = " UNION ALL ".join(
        f"SELECT '{t.name}', COUNT(*) FROM \"{t.name}\""  # noqa: S608
        for t in metadata.sorted_tables
    )
    result = await connection.execute(text(parts))
    return {str(name): int(count) for name, count in result.all()}


def _summary(
    options: SeedOptions, before: dict[str, int], after: dict[str, int], seconds: float
) -> str:
    added = {table: after[table] - before.get(table, 0) for table in after}
    rows = sum(added.values())
    lines = [
        f"Seeded {added['patient']:,} patients (seed {options.seed}): {rows:,} rows "
        f"in {seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} rows/s).",
        f"  {'table':<22}{'added':>12}{'in database':>14}",
    ]
    order = [*TABLES, *sorted(set(after) - set(TABLES))]
    for table in order:
        if after[table]:
            lines.append(f"  {table:<22}{added[table]:>12,}{after[table]:>14,}")
    return "\n".join(lines)


async def run_seed(database_url: str, options: SeedOptions) -> str:
    """Write demo data and return a summary for the terminal."""
    started = time.perf_counter()
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            connection = await session.connection()
            if await _any_patient(connection) and not options.force:
                logins = await describe_logins(session)
                return (
                    "The database already holds patients: nothing was changed "
                    "(use --force to add more).\n" + logins
                )
            with_demo = not await demo_accounts_exist(session)
            before = await _table_counts(connection)
            demo = await _write_patients(connection, options, with_demo=with_demo)
            if demo is not None:
                await _create_identities(session, demo, options)
            after = await _table_counts(connection)
            logins = await describe_logins(session)
    finally:
        await engine.dispose()
    seconds = time.perf_counter() - started
    return f"{_summary(options, before, after, seconds)}\n{logins}"


async def _create_identities(
    session: AsyncSession, demo: DemoPatients, options: SeedOptions
) -> None:
    await create_demo_identities(
        session, demo, hasher=options.hasher, register=options.register_app
    )
    await session.flush()

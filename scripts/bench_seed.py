"""Time `chartshare seed` into a fresh PostgreSQL database, count the rows, drop the database.

.venv/bin/python -m scripts.bench_seed [--patients 10000] [--seed 1] [--admin-url URL]

The admin URL names a database to connect to for CREATE/DROP DATABASE; it defaults to
CHARTSHARE_BENCH_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/test.
"""

import asyncio
import os
import platform
import secrets
import time

import asyncpg

from db.passwords import make_hasher
from db.seed.runner import SeedOptions, run_seed
from db.tables import metadata
from migrations import upgrade
from scripts import argument_parser
from scripts.bench.admin import admin_sql, dsn
from sharing.apps import demo_app_registrar

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


async def _count_rows(url: str) -> tuple[dict[str, int], str]:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        counts = {
            table.name: int(await connection.fetchval(f'SELECT COUNT(*) FROM "{table.name}"'))  # noqa: S608
            for table in metadata.sorted_tables
        }
        version = str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()
    return counts, version


def main() -> None:
    """Seed a throwaway PostgreSQL database and report rows and time."""
    parser = argument_parser("scripts.bench_seed", __doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("CHARTSHARE_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL),
    )
    parser.add_argument("--progress", action="store_true", help="draw the seed's progress bar")
    args = parser.parse_args()

    name = f"chartshare_bench_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(admin_sql(args.admin_url, f'CREATE DATABASE "{name}"'))
    url = dsn(args.admin_url, name)
    try:
        upgrade(url)
        hasher = make_hasher()
        options = SeedOptions(
            patients=args.patients,
            seed=args.seed,
            force=False,
            progress=args.progress,
            hasher=hasher,
            register_app=demo_app_registrar(hasher),
        )
        started = time.perf_counter()
        asyncio.run(run_seed(url, options))
        seconds = time.perf_counter() - started
        counts, version = asyncio.run(_count_rows(url))
    finally:
        asyncio.run(admin_sql(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    rows = sum(counts.values())
    print(f"patients        {counts['patient']:,}")
    print(f"rows            {rows:,} (all tables)")
    print(f"seconds         {seconds:.1f} (chartshare seed, end to end)")
    print(f"rows per second {rows / seconds:,.0f}")
    print(f"machine         {os.cpu_count()} cores, {platform.machine()}, Python "
          f"{platform.python_version()}, PostgreSQL {version}")  # fmt: skip
    for table, count in sorted(counts.items(), key=lambda item: -item[1]):
        if count:
            print(f"  {table:<22}{count:>12,}")


if __name__ == "__main__":
    main()

"""The `chartshare` command: serve, migrate, seed, import, export and operator tasks."""

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence

from api.commands import CommandError, require_migrated
from api.settings import Settings, SettingsError, load_settings

CommandHandler = Callable[[argparse.Namespace, Settings], int]
# Demo data only: 100,000 patients is about 13 million rows and minutes of work.
MAX_SEED_PATIENTS = 100_000


def _port(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {raw!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, got {raw!r}")
    return value


def _count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {raw!r}")
    return value


def _revision(raw: str) -> str:
    # An empty REVISION used to run an upgrade instead.
    if not raw.strip():
        raise argparse.ArgumentTypeError("name a revision, or base")
    return raw.strip()


def _row_id(raw: str) -> int:
    from db.columns import MAX_ROW_ID

    value = _count(raw)
    if value > MAX_ROW_ID:
        raise argparse.ArgumentTypeError(f"no id is larger than {MAX_ROW_ID}, got {raw!r}")
    return value


def _patient_count(raw: str) -> int:
    value = _count(raw)
    if value > MAX_SEED_PATIENTS:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_SEED_PATIENTS} patients per run, got {raw!r} "
            "(run seed again with --force to add more)"
        )
    return value


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    require_migrated(settings)
    print(
        f"chartshare is listening on http://{args.host}:{args.port} (issuer {settings.base_url}).\n"
        f"Patients: open {settings.base_url}/account and log in (demo logins above).\n"
        f"Partner apps: discovery at {settings.base_url}/.well-known/smart-configuration",
        flush=True,
    )
    if args.workers > 1:
        uvicorn.run(
            "api.app:create_app_from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            proxy_headers=settings.trust_forwarded_for,
        )
    else:
        from api.app import create_app

        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            log_level=settings.log_level.lower(),
            proxy_headers=settings.trust_forwarded_for,
        )
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from alembic.util.exc import CommandError as AlembicCommandError

    from migrations import downgrade, upgrade

    if args.downgrade:
        try:
            downgrade(settings.database_url, args.downgrade)
        except AlembicCommandError as exc:  # an unknown revision, or one above the current
            raise CommandError(f"cannot downgrade to {args.downgrade!r}: {exc}") from None
        print(f"database downgraded to {args.downgrade}")
    else:
        upgrade(settings.database_url, "head")
        print("database is up to date")
    return 0


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from db.seed.runner import SeedOptions, run_seed
    from sharing.apps import demo_app_registrar

    require_migrated(settings)
    hasher = settings.password_hasher()
    options = SeedOptions(
        patients=args.patients,
        seed=args.seed,
        force=args.force,
        progress=not args.quiet,
        hasher=hasher,
        register_app=demo_app_registrar(hasher),
    )
    report = asyncio.run(run_seed(settings.database_url, options))
    print(report)
    return 0


def _rotate_signing_key(args: argparse.Namespace, settings: Settings) -> int:
    from api.oauth.signing import rotate_signing_key
    from db.engine import create_engine, create_session_factory, unit_of_work

    async def run() -> str:
        engine = create_engine(settings.database_url)
        try:
            async with unit_of_work(create_session_factory(engine)) as session:
                key = await rotate_signing_key(session, secret=settings.key_encryption_secret)
                return key.kid
        finally:
            await engine.dispose()

    require_migrated(settings)
    kid = asyncio.run(run())
    print(f"new id_token signing key {kid}; the previous key stays published in the JWKS")
    return 0


def _source_name(raw: str) -> str:
    from api.record_commands import source_name

    return source_name(raw)


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from api.record_commands import import_records, input_paths

    files = input_paths(args.paths)
    require_migrated(settings)
    return import_records(files, args, settings)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from api.record_commands import export_record

    require_migrated(settings)
    return export_record(args, settings)


def _export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from schema.sdl import schema_sdl

    try:
        with open(args.output, "w", encoding="utf-8") as output:
            output.write(schema_sdl())
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"GraphQL schema written to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(
        prog="chartshare",
        description="Patient data-sharing API. Settings come from CHARTSHARE_* variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--workers", type=_count, default=1)
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser(
        "migrate", help="upgrade the database schema to the newest revision"
    )
    migrate.add_argument(
        "--downgrade", type=_revision, metavar="REVISION", help="go down to REVISION (or base)"
    )
    migrate.set_defaults(handler=_migrate)

    seed = commands.add_parser("seed", help="write deterministic synthetic demo data")
    seed.add_argument(
        "--patients",
        type=_patient_count,
        default=25,
        help=f"how many patients (default 25, at most {MAX_SEED_PATIENTS})",
    )
    seed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    seed.add_argument("--force", action="store_true", help="add data even if some exists")
    seed.add_argument("--quiet", action="store_true", help="no progress bar")
    seed.set_defaults(handler=_seed)

    rotate = commands.add_parser(
        "rotate-signing-key", help="sign new id_tokens with a new key (old ones stay verifiable)"
    )
    rotate.set_defaults(handler=_rotate_signing_key)

    fhir_import = commands.add_parser(
        "import",
        help="import FHIR R4 Bundles and NDJSON files (see docs/import.md)",
        description="Import FHIR R4 JSON Bundles (*.json) and Bulk Data NDJSON files (*.ndjson, "
        "*.jsonl), or directories of them. Importing the same data again changes nothing; a "
        "changed resource updates its row. Exit status 1 if any resource was rejected.",
    )
    fhir_import.add_argument("paths", nargs="+", metavar="PATH", help="file or directory")
    fhir_import.add_argument(
        "--source",
        type=_source_name,
        default="default",
        help="a stable name of the system the data comes from, e.g. its FHIR base URL "
        "(default: default); resource ids are matched within one source",
    )
    fhir_import.add_argument("--dry-run", action="store_true", help="check and count, keep nothing")
    fhir_import.add_argument(
        "--progress", action="store_true", help="draw the progress bar even when not on a terminal"
    )
    fhir_import.add_argument(
        "--jobs",
        type=_count,
        default=min(os.cpu_count() or 1, 4),
        help="processes validating resources in parallel on large inputs (default: CPUs, max 4)",
    )
    fhir_import.set_defaults(handler=_import)

    fhir_export = commands.add_parser(
        "export", help="write one patient's record as a FHIR R4 Bundle (as the account page does)"
    )
    fhir_export.add_argument("--patient", type=_row_id, required=True, metavar="ID")
    fhir_export.add_argument("--output", metavar="FILE", help="file to write (default: stdout)")
    fhir_export.set_defaults(handler=_export)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL (schema.graphql)")
    export.add_argument(
        "--output", default="schema.graphql", help="file to write (default: schema.graphql)"
    )
    export.set_defaults(handler=_export_schema)

    from api.operator_commands import add_operator_commands

    add_operator_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `chartshare` command; errors are one line on stderr."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if args.command != "migrate":
        # Only `migrate` reports each step; other commands merely check the revision.
        logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    try:
        settings = load_settings()
        handler: CommandHandler = args.handler
        return handler(args, settings)
    except (SettingsError, CommandError) as exc:
        print(f"chartshare: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a last line of defence: one line, never a traceback
        print(f"chartshare: {args.command} failed: {_describe(exc)}", file=sys.stderr)
        return 1


def _describe(exc: Exception) -> str:
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError | DBAPIError | OSError | ConnectionError):
        return (
            "the database cannot be reached or refused the request (check CHARTSHARE_DATABASE_URL)"
        )
    return f"{type(exc).__name__}: {exc}"


if __name__ == "__main__":
    raise SystemExit(main())

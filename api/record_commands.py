"""`chartshare import` and `chartshare export`: FHIR R4 records into and out of the database."""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from api.commands import CommandError
from api.import_console import ImportConsole
from api.settings import Settings
from db.engine import create_engine, create_session_factory
from sharing.fhir.export import patient_bundle
from sharing.fhir.importer import ImportOptions, ImportReport, import_files
from sharing.fhir.reader import InputError, input_files


def source_name(raw: str) -> str:
    """The `--source` option: a stable, non-empty name of at most 255 characters."""
    value = raw.strip()
    if not value or len(value) > 255:
        raise argparse.ArgumentTypeError("a source name has 1 to 255 characters")
    return value


def input_paths(paths: Sequence[str]) -> list[Path]:
    """The files to import; CommandError for a path that cannot be used."""
    try:
        return input_files(paths)
    except InputError as exc:
        raise CommandError(str(exc)) from None


def import_records(files: list[Path], args: argparse.Namespace, settings: Settings) -> int:
    """Run the import; 1 if any resource was rejected, else 0."""
    options = ImportOptions(source_system=args.source, dry_run=args.dry_run, jobs=args.jobs)
    console = ImportConsole(progress=args.progress or sys.stderr.isatty())

    async def run() -> ImportReport:
        engine = create_engine(settings.database_url)
        try:
            return await import_files(
                engine, files, options=options, on_problem=console.problem,
                on_progress=console.progress,
            )  # fmt: skip
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(run())
    except InputError as exc:
        raise CommandError(str(exc)) from None
    console.summary(report, dry_run=args.dry_run)
    return 1 if report.total("rejected") else 0


def export_record(args: argparse.Namespace, settings: Settings) -> int:
    """Write one patient's Bundle to a file or stdout."""

    async def run() -> dict[str, object] | None:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                return await patient_bundle(
                    session, patient_id=args.patient, base_url=settings.base_url
                )
        finally:
            await engine.dispose()

    bundle = asyncio.run(run())
    if bundle is None:
        raise CommandError(f"no patient with id {args.patient}")
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as output:
            output.write(text)
    except OSError as exc:
        raise CommandError(f"{args.output}: cannot be written ({exc.strerror})") from None
    entries = bundle["entry"]
    assert isinstance(entries, list)
    print(f"patient {args.patient}: {len(entries)} resources written to {args.output}")
    return 0

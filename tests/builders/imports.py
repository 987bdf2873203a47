"""Running an import in tests, and reading back what the database holds."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.imports import TABLES
from sharing.fhir.export import patient_bundle
from sharing.fhir.importer import ImportOptions, ImportReport, import_files
from sharing.fhir.intake import Problem
from sharing.fhir.reader import input_files

BASE_URL = "https://chartshare.example"


async def run_import(
    engine: AsyncEngine, *paths: Path, **options: Any
) -> tuple[ImportReport, list[Problem]]:
    """Import like the command does; the report and every problem reported."""
    problems: list[Problem] = []
    report = await import_files(
        engine,
        input_files([str(p) for p in paths]),
        options=ImportOptions(**options),
        on_problem=problems.append,
        on_progress=lambda stage, done, total: None,
    )
    return report, problems


async def table_rows(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the patient and clinical tables, in id order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as connection:
        for name in TABLES:
            result = await connection.execute(text(f'SELECT * FROM "{name}" ORDER BY id'))  # noqa: S608
            rows[name] = [tuple(row) for row in result.all()]
    return rows


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as connection:
        result = await connection.execute(text(f'SELECT COUNT(*) FROM "{table}"'))  # noqa: S608
        return int(result.scalar_one())


async def patient_ids(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT id FROM patient ORDER BY id"))
        return [int(row[0]) for row in result.all()]


async def export_all(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every patient's Bundle, in patient id order."""
    bundles = []
    async with create_session_factory(engine)() as session:
        for patient_id in await patient_ids(engine):
            bundle = await patient_bundle(session, patient_id=patient_id, base_url=BASE_URL)
            assert bundle is not None
            bundles.append(bundle)
    return bundles


def write_bundles(folder: Path, bundles: list[dict[str, Any]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, bundle in enumerate(bundles):
        path = folder / f"patient-{number}.json"
        path.write_text(json.dumps(bundle), encoding="utf-8")
        paths.append(path)
    return paths


def comparable(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """A bundle's resources with ids and references replaced by position (type + ordinal)."""
    labels: dict[str, str] = {}
    seen: dict[str, int] = {}
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        seen[kind] = seen.get(kind, 0) + 1
        labels[entry["fullUrl"]] = f"{kind}#{seen[kind]}"

    def relabel(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: labels.get(item, item) if key == "reference" else relabel(item)
                for key, item in value.items()
                if key != "id"
            }
        if isinstance(value, list):
            return [relabel(item) for item in value]
        return value

    return [relabel(entry["resource"]) for entry in bundle["entry"]]

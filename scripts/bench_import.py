"""Time `chartshare import` of generated Bulk Data NDJSON into fresh PostgreSQL databases.

.venv/bin/python -m scripts.bench_import [--resources 200000,1000000] [--jobs 2] [--admin-url URL]
.venv/bin/python -m scripts.bench_import --bundle 100000,400000 [--jobs 2]
.venv/bin/python -m scripts.bench_import --resources 1000000 --baseline OTHER_CHECKOUT [--rounds 2]

For each size it writes a US Core shaped Bulk Data export (one NDJSON file per resource
type, so every patient is spread over many files; about 200 resources per patient:
encounters, labs and vital signs linked to them, diagnoses, prescriptions with contained
and referenced Medications, procedures, immunizations, care teams of shared
Practitioners), imports it into a new database with the real command in a subprocess,
and reports resources per second and the peak resident memory of the import's
processes. With --again it times a second import of the same files (nothing changes),
then drops the database. The admin URL defaults to CHARTSHARE_BENCH_POSTGRES_URL or the test server.

With --bundle the same resources go into one `.json` collection Bundle per size instead,
and the script also reports the peak of Python memory (tracemalloc) while the reader
goes through the whole Bundle, to show that it does not grow with the file.
"""

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import asyncpg

from db.code_systems import CVX, LOINC, RXNORM, SNOMED, TERMINOLOGY, UCUM
from migrations import upgrade
from scripts import argument_parser
from scripts.bench.admin import admin_sql, dsn

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
LABS = [
    ("4548-4", "Hemoglobin A1c", "%", 4.0, 9.0),
    ("2093-3", "Cholesterol", "mg/dL", 120, 260),
    ("2345-7", "Glucose", "mg/dL", 70, 180),
    ("718-7", "Hemoglobin", "g/dL", 11, 17),
    ("2160-0", "Creatinine", "mg/dL", 0.6, 1.4),
]
VITALS = [
    ("8867-4", "Heart rate", "/min", 55, 100),
    ("8310-5", "Body temperature", "Cel", 36, 38),
    ("29463-7", "Body weight", "kg", 50, 110),
    ("9279-1", "Respiratory rate", "/min", 12, 20),
]
CONDITIONS = [
    ("38341003", "Hypertensive disorder"),
    ("44054006", "Diabetes mellitus type 2"),
    ("195662009", "Acute viral pharyngitis"),
    ("10509002", "Acute bronchitis"),
]
MEDICATIONS = [
    ("314077", "lisinopril 20 MG Oral Tablet"),
    ("860975", "metformin 500 MG Oral Tablet"),
    ("197361", "amlodipine 5 MG Oral Tablet"),
    ("308136", "amlodipine 2.5 MG Oral Tablet"),
]
PROCEDURES = [
    ("430193006", "Medication reconciliation"),
    ("171207006", "Depression screening"),
    ("73761001", "Colonoscopy"),
]
VACCINES = [("140", "Influenza, seasonal, injectable"), ("208", "SARS-COV-2 (COVID-19) vaccine")]
PRACTITIONERS = 50
SHARED_MEDICATIONS = 20
# Resources per patient: 1 + 1 + 20 encounters x (1 + 4 labs + 4 vitals + 1 diagnosis + 1 order
# + 1 procedure) + 8 immunizations + 2 problems + 3 allergies + 2 goals + 1 care plan = 258.
PER_PATIENT = 258


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _category(system: str, code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": system, "code": code}]}]


def _day(rng: random.Random, first_year: int, last_year: int) -> str:
    return f"{rng.randint(first_year, last_year)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _when(rng: random.Random) -> str:
    day = _day(rng, 2005, 2025)
    return f"{day}T{rng.randint(7, 18):02d}:{rng.choice(('00', '15', '30', '45'))}:00Z"


def _resource(kind: str, resource_id: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    """A (resource type, resource) pair; the resource starts with its type and id."""
    return kind, {"resourceType": kind, "id": resource_id, **fields}


def _condition(
    resource_id: str, pid: str, category: str, code: str, name: str, recorded: str, **more: Any
) -> tuple[str, dict[str, Any]]:
    """An active, confirmed US Core Condition of one category."""
    return _resource(
        "Condition",
        resource_id,
        clinicalStatus=_concept(TERMINOLOGY + "condition-clinical", "active", "Active"),
        verificationStatus=_concept(TERMINOLOGY + "condition-ver-status", "confirmed", "Confirmed"),
        category=_category(TERMINOLOGY + "condition-category", category),
        code=_concept(SNOMED, code, name),
        subject={"reference": f"Patient/{pid}"},
        recordedDate=recorded,
        **more,
    )


def _observation(
    rng: random.Random, rid: str, pid: str, eid: str, when: str, kind: str
) -> tuple[str, dict[str, Any]]:
    code, name, unit, low, high = rng.choice(LABS if kind == "laboratory" else VITALS)
    return _resource(
        "Observation",
        rid,
        status="final",
        category=_category(TERMINOLOGY + "observation-category", kind),
        code=_concept(LOINC, code, name),
        subject={"reference": f"Patient/{pid}"},
        encounter={"reference": f"Encounter/{eid}"},
        effectiveDateTime=when,
        valueQuantity={
            "value": round(rng.uniform(low, high), 1),
            "unit": unit,
            "system": UCUM,
            "code": unit,
        },
        referenceRange=[
            {"low": {"value": low, "unit": unit}, "high": {"value": high, "unit": unit}}
        ],
    )


def _patient_resources(rng: random.Random, n: int) -> Iterator[tuple[str, dict[str, Any]]]:
    pid = f"pt-{n}"
    patient = {"reference": f"Patient/{pid}"}
    sex = rng.choice(("male", "female"))
    yield _resource(
        "Patient",
        pid,
        identifier=[
            {
                "type": _concept(TERMINOLOGY + "v2-0203", "MR", "Medical record number"),
                "system": "urn:oid:2.16.840.1.113883.19.5",
                "value": f"MRN{n:08d}",
            }
        ],
        name=[{"use": "official", "family": f"Family{n}", "given": [f"Given{n}"]}],
        gender=sex,
        birthDate=_day(rng, 1930, 2015),
    )
    doctor = f"Practitioner/pr-{rng.randrange(PRACTITIONERS)}"
    yield _resource(
        "CareTeam",
        f"ct-{n}",
        status="active",
        subject=patient,
        period={"start": "2015-01-01"},
        participant=[
            {
                "role": [_concept(SNOMED, "446050000", "Primary care physician")],
                "member": {"reference": doctor},
            }
        ],
    )
    for e in range(20):
        eid, when = f"en-{n}-{e}", _when(rng)
        encounter = {"reference": f"Encounter/{eid}"}
        yield _resource(
            "Encounter",
            eid,
            status="finished",
            **{"class": {"system": TERMINOLOGY + "v3-ActCode", "code": "AMB"}},  # a Python keyword
            type=[_concept(SNOMED, "185349003", "Encounter for check up")],
            subject=patient,
            participant=[{"individual": {"reference": doctor}}],
            period={"start": when, "end": when},
        )
        for o in range(8):
            kind = "laboratory" if o < 4 else "vital-signs"
            yield _observation(rng, f"ob-{n}-{e}-{o}", pid, eid, when, kind)
        code, name = rng.choice(CONDITIONS)
        yield _condition(
            f"dx-{n}-{e}", pid, "encounter-diagnosis", code, name, when, encounter=encounter
        )
        rx, drug = rng.choice(MEDICATIONS)
        if e % 2:
            medication = {
                "contained": [
                    {"resourceType": "Medication", "id": "med", "code": _concept(RXNORM, rx, drug)}
                ],
                "medicationReference": {"reference": "#med"},
            }
        else:
            shared = f"Medication/md-{rng.randrange(SHARED_MEDICATIONS)}"
            medication = {"medicationReference": {"reference": shared}}
        yield _resource(
            "MedicationRequest",
            f"rx-{n}-{e}",
            status="active",
            intent="order",
            subject=patient,
            encounter=encounter,
            authoredOn=when,
            requester={"reference": doctor},
            dosageInstruction=[{"text": "Take 1 tablet by mouth daily"}],
            **medication,
        )
        code, name = rng.choice(PROCEDURES)
        yield _resource(
            "Procedure",
            f"px-{n}-{e}",
            status="completed",
            code=_concept(SNOMED, code, name),
            subject=patient,
            encounter=encounter,
            performedDateTime=when,
        )
    for i in range(8):
        code, name = rng.choice(VACCINES)
        yield _resource(
            "Immunization",
            f"im-{n}-{i}",
            status="completed",
            vaccineCode=_concept(CVX, code, name),
            patient=patient,
            occurrenceDateTime=_when(rng),
            primarySource=True,
        )
    for i, (code, name) in enumerate(CONDITIONS[:2]):
        yield _condition(f"pl-{n}-{i}", pid, "problem-list-item", code, name, _when(rng))
    for i, (code, name) in enumerate(
        (("7980", "Penicillin G"), ("1191", "Aspirin"), ("2670", "Codeine"))
    ):
        yield _resource(
            "AllergyIntolerance",
            f"al-{n}-{i}",
            clinicalStatus=_concept(
                TERMINOLOGY + "allergyintolerance-clinical", "active", "Active"
            ),
            verificationStatus=_concept(
                TERMINOLOGY + "allergyintolerance-verification", "confirmed", "Confirmed"
            ),
            category=["medication"],
            code=_concept(RXNORM, code, name),
            patient=patient,
            recordedDate=_when(rng),
        )
    for i in range(2):
        yield _resource(
            "Goal",
            f"gl-{n}-{i}",
            lifecycleStatus="active",
            description=_concept(SNOMED, "289169006", "Weight loss"),
            subject=patient,
            startDate="2024-01-01",
        )
    yield _resource(
        "CarePlan",
        f"cp-{n}",
        status="active",
        intent="plan",
        category=[
            _concept(
                "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
                "assess-plan",
                "Assessment and Plan",
            ),
            _concept(SNOMED, "698360004", "Diabetes self management plan"),
        ],
        description="Diet and exercise; recheck A1c in 3 months.",
        subject=patient,
        created=_when(rng),
    )


def generate(directory: Path, resources: int, seed: int = 7) -> int:
    """Write about `resources` resources as one NDJSON file per type; return the count."""
    rng = random.Random(seed)
    files: dict[str, TextIO] = {}
    written = 0

    def emit(kind: str, item: dict[str, Any]) -> None:
        nonlocal written
        if kind not in files:
            files[kind] = (directory / f"{kind}.ndjson").open("w", encoding="utf-8")
        files[kind].write(json.dumps(item, separators=(",", ":")) + "\n")
        written += 1

    try:
        for p in range(PRACTITIONERS):
            emit(
                *_resource(
                    "Practitioner",
                    f"pr-{p}",
                    name=[{"family": f"Doctor{p}", "given": ["Pat"], "prefix": ["Dr."]}],
                    identifier=[
                        {"system": "http://hl7.org/fhir/sid/us-npi", "value": f"{1000000000 + p}"}
                    ],
                )
            )
        for m in range(SHARED_MEDICATIONS):
            rx, drug = MEDICATIONS[m % len(MEDICATIONS)]
            emit(*_resource("Medication", f"md-{m}", code=_concept(RXNORM, rx, drug)))
        for n in range(max(1, (resources - written) // PER_PATIENT)):
            for kind, item in _patient_resources(rng, n):
                emit(kind, item)
    finally:
        for stream in files.values():
            stream.close()
    return written


def generate_bundle(path: Path, resources: int) -> int:
    """Write the generated resources as one collection Bundle; return the count."""
    with tempfile.TemporaryDirectory(prefix="chartshare-bench-") as folder:
        directory = Path(folder)
        count = generate(directory, resources)
        with path.open("w", encoding="utf-8") as out:
            out.write('{"resourceType":"Bundle","type":"collection","entry":[')
            separator = ""
            for ndjson in sorted(directory.iterdir()):
                with ndjson.open(encoding="utf-8") as lines:
                    for line in lines:
                        out.write(f'{separator}{{"resource":{line.rstrip()}}}')
                        separator = ","
            out.write("]}")
    return count


def reader_peak(path: Path) -> tuple[int, float]:
    """(resources read, peak MiB of Python memory) for the reader going through a file."""
    from sharing.fhir.reader import entries, read_chunks

    tracemalloc.start()
    found = 0
    for chunk in read_chunks([path]):
        found += sum(1 for entry in entries(chunk) if entry.resource is not None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return found, peak / 2**20


def run_bundle(size: int, args: argparse.Namespace) -> None:
    """One Bundle file of about `size` resources: the reader's memory, then the import."""
    with tempfile.TemporaryDirectory(prefix="chartshare-bench-") as folder:
        path = Path(folder) / "bundle.json"
        count = generate_bundle(path, size)
        megabytes = path.stat().st_size / 1e6
        found, python_peak = reader_peak(path)
        if found != count:
            raise SystemExit(f"the reader found {found} of {count} resources")
        with _fresh_database(args.admin_url) as url:
            done = _import(path, url, args.jobs)
    print(
        f"| {count:,} | {megabytes:,.0f} MB | {args.jobs} | {done.seconds:.1f} "
        f"| {count / done.seconds:,.0f} | {done.load:.1f} | {python_peak:,.1f} MiB "
        f"| {done.peak:,.0f} MiB |",
        flush=True,
    )
    print(f"    ({done.summary})", flush=True)


def measure_validation(size: int) -> None:
    """CPU time of fhir.resources validation per resource: plain, and as the import does it."""
    from fhir.resources.R4B import get_fhir_model_class

    from sharing.fhir.validation import Validator

    with tempfile.TemporaryDirectory(prefix="chartshare-bench-") as folder:
        directory = Path(folder)
        generate(directory, size)
        resources = [
            json.loads(line)
            for path in sorted(directory.iterdir())
            for line in path.read_text("utf-8").splitlines()
        ]
    models = {r["resourceType"]: get_fhir_model_class(r["resourceType"]) for r in resources}
    started = time.process_time()
    for item in resources:
        models[item["resourceType"]].model_validate(item)
    plain = (time.process_time() - started) / len(resources) * 1e6
    validator = Validator()
    started = time.process_time()
    for item in resources:
        if validator.problem(item) is not None:
            raise SystemExit("a generated resource does not validate")
    cached = (time.process_time() - started) / len(resources) * 1e6
    print(
        f"validation of {len(resources):,} resources, CPU µs per resource: "
        f"plain model_validate {plain:.0f}, with the element cache {cached:.0f}"
    )


async def _count(url: str, table: str) -> int:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        return int(await connection.fetchval(f'SELECT COUNT(*) FROM "{table}"'))  # noqa: S608
    finally:
        await connection.close()


class Imported(NamedTuple):
    """How one run of the import command went."""

    seconds: float
    cpu: float  # user + system seconds of the command and its workers (not PostgreSQL's)
    peak: float  # MiB: the largest resident set of those processes
    summary: str  # the last line of the command's summary
    load: float  # the highest one-minute load average seen, before or after


def _import(directory: Path, url: str, jobs: int, code: Path | None = None) -> Imported:
    """Run the real command (`code`: the command of another checkout, its directory)."""
    command = [sys.executable, "-m", "api.cli", "import", str(directory), "--jobs", str(jobs)]
    environment = os.environ | {"CHARTSHARE_DATABASE_URL": url}
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=environment, stdout=out, stderr=err, cwd=code)
        # wait4 reports the largest resident set of the process and the workers it waited for.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"import failed ({process.returncode}): {err.read()[-2000:]}")
        return Imported(
            seconds=seconds,
            cpu=usage.ru_utime + usage.ru_stime,
            peak=usage.ru_maxrss / 1024,
            summary=out.read().strip().splitlines()[-1],
            load=max(load, os.getloadavg()[0]),
        )


def _upgrade_with(url: str, code: Path | None) -> None:
    """Migrate a new database with the migrations of a checkout (this one if None)."""
    if code is None:
        upgrade(url)
        return
    script = "import sys; from migrations import upgrade; upgrade(sys.argv[1])"
    subprocess.run([sys.executable, "-c", script, url], cwd=code, check=True)


@contextmanager
def _fresh_database(admin_url: str, code: Path | None = None) -> Iterator[str]:
    """A new database migrated by a checkout (this one if None), dropped afterwards."""
    name = f"chartshare_import_bench_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(admin_sql(admin_url, f'CREATE DATABASE "{name}"'))
    url = dsn(admin_url, name)
    try:
        _upgrade_with(url, code)
        yield url
    finally:
        asyncio.run(admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def compare(size: int, args: argparse.Namespace) -> None:
    """Import the same input with another checkout and with this one, in turns, on fresh databases.

    On a shared machine the load changes from minute to minute; taking turns and
    reporting each pair's ratio keeps the comparison fair.
    """
    with tempfile.TemporaryDirectory(prefix="chartshare-bench-") as folder:
        directory = Path(folder)
        count = generate(directory, size)
        for round_number in range(1, args.rounds + 1):
            results = {}
            for label, code in (("baseline", args.baseline), ("this", None)):
                with _fresh_database(args.admin_url, code) as url:
                    done = _import(directory, url, args.jobs, code)
                results[label] = done.seconds
                print(
                    f"| {round_number} | {label} | {count:,} | {done.seconds:.1f} "
                    f"| {count / done.seconds:,.0f} | {done.cpu:.1f} | {done.load:.1f} "
                    f"| {done.peak:,.0f} MiB | {done.summary} |",
                    flush=True,
                )
            ratio = results["baseline"] / results["this"]
            print(f"| {round_number} | speed-up | | | {ratio:.2f}x | | | | |", flush=True)


def run_size(size: int, args: argparse.Namespace) -> None:
    """Generate, import twice, report; one database per size."""
    with tempfile.TemporaryDirectory(prefix="chartshare-bench-") as folder:
        directory = Path(folder)
        count = generate(directory, size)
        megabytes = sum(p.stat().st_size for p in directory.iterdir()) / 1e6
        with _fresh_database(args.admin_url) as url:
            done = _import(directory, url, args.jobs)
            again = _import(directory, url, args.jobs).seconds if args.again else float("nan")
            rows = asyncio.run(_count(url, "lab_result")) + asyncio.run(_count(url, "vital_sign"))
    print(
        f"| {count:,} | {megabytes:,.0f} MB | {args.jobs} | {done.seconds:.1f} "
        f"| {count / done.seconds:,.0f} | {done.cpu:.1f} | {done.cpu / count * 1e6:.0f} "
        f"| {done.load:.1f} | {again:.1f} | {done.peak:,.0f} MiB |",
        flush=True,
    )
    print(f"    ({done.summary} {rows:,} observation rows)", flush=True)


def _table(header: str, sizes: str, run: Callable[[int], None], text: tuple[str, ...] = ()) -> None:
    """A Markdown table: the header, then the row `run` prints for each size.

    Columns hold numbers, aligned right, except the `text` ones, aligned left.
    """
    aligns = ("---" if column in text else "---:" for column in header.split(" | "))
    print(f"| {header} |")
    print(f"|{'|'.join(aligns)}|")
    for size in (int(s) for s in sizes.split(",")):
        run(size)


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argument_parser("scripts.bench_import", __doc__)
    parser.add_argument("--resources", default="200000,1000000", help="sizes, comma-separated")
    parser.add_argument("--jobs", type=int, default=2, help="chartshare import --jobs")
    parser.add_argument("--again", action="store_true", help="time a second, unchanged import")
    parser.add_argument(
        "--validation", type=int, metavar="N", help="only measure validating N resources"
    )
    parser.add_argument(
        "--admin-url", default=os.environ.get("CHARTSHARE_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL)
    )
    parser.add_argument(
        "--bundle", metavar="SIZES", help="import one Bundle file per size, comma-separated"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="another checkout (e.g. a git worktree of an older commit): import with it and "
        "with this one in turns, and report the speed-up",
    )
    parser.add_argument("--rounds", type=int, default=2, help="turns taken with --baseline")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs", flush=True)
    if args.validation:
        measure_validation(args.validation)
        return
    if args.baseline:
        header = (
            "round | code | resources | seconds | resources/s | CPU s | load avg | peak RSS "
            "| summary"
        )
        _table(header, args.resources, lambda size: compare(size, args), ("code", "summary"))
    elif args.bundle:
        header = (
            "resources in one Bundle | file | jobs | seconds | resources/s | load avg "
            "| reader's peak Python memory | peak RSS"
        )
        _table(header, args.bundle, lambda size: run_bundle(size, args))
    else:
        header = (
            "resources | input | jobs | seconds | resources/s | CPU s | CPU µs/resource "
            "| load avg | re-import s | peak RSS"
        )
        _table(header, args.resources, lambda size: run_size(size, args))


if __name__ == "__main__":
    main()

"""`chartshare import`: FHIR R4 Bundles and NDJSON into the record, idempotent and streaming.

Two passes. The first reads every file in chunks, validates each resource with
fhir.resources and maps it to rows (in worker processes when asked), staging the result
on disk. The second takes one patient at a time, resolves references, and writes the
patient's rows in one transaction: an interrupted import leaves whole patients behind and
can simply be run again. Rows are matched by (source system, resource id), so importing
the same data twice changes nothing and a changed resource updates its row.
"""

import asyncio
import multiprocessing
import signal
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sharing.fhir.intake import SHARED, ChunkResult, Problem, process_chunk
from sharing.fhir.linking import Prepared, prepare
from sharing.fhir.reader import Chunk, read_chunks, total_size
from sharing.fhir.staging import Staging
from sharing.fhir.writing import Outcome, write_patient

DEFAULT_SOURCE = "default"
OUTCOMES = ("imported", "updated", "unchanged", "merged", "skipped", "rejected")


@dataclass(frozen=True)
class ImportOptions:
    """How to import: the source system's name, whether to keep the result, worker processes."""

    source_system: str = DEFAULT_SOURCE
    dry_run: bool = False
    jobs: int = 1
    # Below this much input, starting worker processes costs more than it saves.
    parallel_min_bytes: int = 8_000_000
    # Patients written at the same time, each on its own connection (PostgreSQL only:
    # SQLite has one writer). Overlaps the database's work with ours.
    writers: int = 2


@dataclass
class ImportReport:
    """Counts per resource type and outcome, and how many problems were reported."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    patients: Counter[str] = field(default_factory=Counter)

    def add(self, resource_type: str, outcome: str, count: int = 1) -> None:
        """Count resources of one type with one outcome."""
        self.counts.setdefault(resource_type, Counter())[outcome] += count

    def total(self, outcome: str) -> int:
        """All resources with one outcome."""
        return sum(counter[outcome] for counter in self.counts.values())


ProblemListener = Callable[[Problem], None]
ProgressListener = Callable[[str, int, int], None]


def _ignore_interrupts() -> None:
    # Ctrl-C stops the parent, which ends the workers; they must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _results(chunks: Iterable[Chunk], jobs: int) -> Iterator[ChunkResult]:
    """Chunks processed in order, by `jobs` worker processes with few chunks in flight."""
    if jobs <= 1:
        yield from map(process_chunk, chunks)
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_ignore_interrupts)
    pending: deque[Future[ChunkResult]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(process_chunk, chunk))
            if len(pending) >= jobs * 3:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class ImportRun:
    """What both passes share: the staged rows, the report, the options and the listeners."""

    staging: Staging
    report: ImportReport
    options: ImportOptions
    on_problem: ProblemListener
    on_progress: ProgressListener

    def reject(self, problem: Problem) -> None:
        """Count a rejected resource and tell the listener why."""
        self.report.add(problem.resource_type, "rejected")
        self.on_problem(problem)


def read_input(files: Sequence[Path], run: ImportRun) -> None:
    """The first pass: every file validated, mapped and staged."""
    total = total_size(files)
    jobs = run.options.jobs if total >= run.options.parallel_min_bytes else 1
    done = 0
    for result in _results(read_chunks(files), jobs):
        run.staging.add(result.staged)
        for resource_type, *_ in result.staged:
            if resource_type in SHARED:
                run.report.add(resource_type, "merged")
        for problem in result.rejected:
            run.reject(problem)
        for resource_type, count in result.skipped.items():
            run.report.add(resource_type, "skipped", count)
        done += result.size
        run.on_progress("reading", done, total)


def _reject_all(prepared: Prepared, reason: str) -> list[Problem]:
    everything = ([prepared.patient] if prepared.patient else []) + prepared.resources
    return [Problem(f"{s.where} {s.key}", s.resource_type, reason) for s in everything]


async def _write_one(
    connection: AsyncConnection, prepared: Prepared, options: ImportOptions
) -> tuple[list[Outcome], list[Problem]]:
    transaction = await connection.begin()
    try:
        outcomes, problems = await write_patient(
            connection, prepared, source_system=options.source_system
        )
    except (IntegrityError, DataError) as exc:
        await transaction.rollback()
        reason = f"the database refused this patient's data ({type(exc.orig).__name__})"
        return [], _reject_all(prepared, reason)
    except BaseException:
        await transaction.rollback()
        raise
    if options.dry_run or not outcomes:
        await transaction.rollback()
    else:
        await transaction.commit()
    return outcomes, problems


async def _put(
    queue: "asyncio.Queue[Prepared | None]",
    item: Prepared | None,
    writers: list[asyncio.Task[None]],
) -> None:
    """Hand a patient to the writers; a writer that failed stops the import with its error.

    Not `asyncio.wait_for`: before Python 3.12 it swallows a cancellation (Ctrl-C) that
    arrives as the put completes, and the import would carry on to the end.
    """
    put = asyncio.ensure_future(queue.put(item))
    try:
        while not put.done():
            for writer in writers:
                if writer.done() and not writer.cancelled() and writer.exception() is not None:
                    writer.result()  # raises the writer's error
            running = [writer for writer in writers if not writer.done()]
            await asyncio.wait([put, *running], return_when=asyncio.FIRST_COMPLETED)
    finally:
        put.cancel()


async def write_input(engine: AsyncEngine, run: ImportRun) -> None:
    """The second pass: each patient resolved and written in its own transaction."""
    total = run.staging.patient_count()
    done = 0
    count = run.options.writers if engine.dialect.name == "postgresql" else 1
    queue: asyncio.Queue[Prepared | None] = asyncio.Queue(maxsize=count)

    async def write() -> None:
        nonlocal done
        async with engine.connect() as connection:
            while (prepared := await queue.get()) is not None:
                outcomes, problems = await _write_one(connection, prepared, run.options)
                for problem in prepared.rejected + problems:
                    if problem.kept:
                        run.on_problem(problem)
                    else:
                        run.reject(problem)
                for outcome in outcomes:
                    run.report.add(outcome.resource_type, outcome.outcome)
                if outcomes:
                    run.report.patients["written"] += 1
                done += 1
                run.on_progress("writing", done, total)

    writers = [asyncio.create_task(write()) for _ in range(max(count, 1))]
    try:
        for key, group in run.staging.patients():
            await _put(queue, prepare(key, group, run.staging), writers)
        for _ in writers:
            await _put(queue, None, writers)
        await asyncio.gather(*writers)
    finally:
        for writer in writers:
            writer.cancel()
        await asyncio.gather(*writers, return_exceptions=True)


async def import_files(
    engine: AsyncEngine,
    files: Sequence[Path],
    *,
    options: ImportOptions,
    on_problem: ProblemListener,
    on_progress: ProgressListener,
) -> ImportReport:
    """Import the files; problems and progress are reported as they happen."""
    report = ImportReport()
    with Staging() as staging:
        run = ImportRun(staging, report, options, on_problem, on_progress)
        read_input(files, run)
        staging.finish()
        await write_input(engine, run)
    return report

"""An import stopped half-way (Ctrl-C, kill) leaves whole patients only and can be run again."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.builders.fhir_inputs import synthea_record, write_json
from tests.builders.imports import count, run_import, table_rows

PATIENTS = 80
ENCOUNTERS = 25
# Per patient: the CareTeam's member, and per encounter one of each of these.
PER_PATIENT = {
    "care_team_member": 1,
    "encounter": ENCOUNTERS,
    "lab_result": ENCOUNTERS,
    "vital_sign": ENCOUNTERS,
    "encounter_diagnosis": ENCOUNTERS,
    "medication_request": ENCOUNTERS,
    "immunization": 1,
}


def _start(folder: Path, database_url: str) -> subprocess.Popen[str]:
    environment = os.environ | {"CHARTSHARE_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "api.cli", "import", str(folder), "--jobs", "1"]
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@asynccontextmanager
async def _writes_held(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold off every new patient's writes (reads go on) until the block ends.

    So that a signal sent inside the block finds the import with patients left to write,
    however fast it writes them: SQLite's write lock, PostgreSQL's lock on the patient table.
    """
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "sqlite":
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            await connection.exec_driver_sql("BEGIN")
            await connection.exec_driver_sql("LOCK TABLE patient IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            await connection.exec_driver_sql("ROLLBACK")


async def _stop_when_some_are_written(
    process: subprocess.Popen[str], engine: AsyncEngine, stop: signal.Signals
) -> int:
    """Send `stop` once a patient is committed, while the rest wait; how many were committed."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        written = await count(engine, "patient")
        if written >= 1:
            async with _writes_held(engine):
                assert process.poll() is None, "the import finished before it could be stopped"
                process.send_signal(stop)
                # The signal is handled while the next patient waits for the lock.
                await asyncio.sleep(0.5)
            return written
        assert process.poll() is None, process.communicate()
        await asyncio.sleep(0.05)
    raise AssertionError("no patient was written in time")


async def _assert_whole_patients(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        patients = [row[0] for row in (await connection.execute(text("SELECT id FROM patient")))]
        for table, expected in PER_PATIENT.items():
            counts: dict[int, int] = dict(
                (
                    await connection.execute(
                        text(
                            f'SELECT patient_id, COUNT(*) FROM "{table}" GROUP BY patient_id'  # noqa: S608
                        )
                    )
                ).all()
            )
            assert {p: counts.get(p, 0) for p in patients} == dict.fromkeys(patients, expected)
    return len(patients)


async def test_an_interrupted_import_keeps_whole_patients_and_runs_again(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    for number in range(PATIENTS):
        write_json(folder / f"{number:03d}.json", synthea_record(number, encounters=ENCOUNTERS))

    process = _start(folder, database_url)
    await _stop_when_some_are_written(process, engine, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in err
    after_interrupt = await _assert_whole_patients(engine)
    assert after_interrupt < PATIENTS

    process = _start(folder, database_url)
    await _stop_when_some_are_written(process, engine, signal.SIGKILL)
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    after_kill = await _assert_whole_patients(engine)
    assert after_interrupt <= after_kill < PATIENTS

    process = _start(folder, database_url)
    _, err = process.communicate(timeout=600)
    assert (process.returncode, err) == (0, "")
    assert await _assert_whole_patients(engine) == PATIENTS
    rows = await table_rows(engine)
    report, problems = await run_import(engine, folder)
    assert (report.total("imported"), report.total("updated"), problems) == (0, 0, [])
    assert await table_rows(engine) == rows

"""The import's scratch store: staged resources on disk, grouped by patient, in constant memory.

References may point forward and across files, and a Bulk Data export spreads one
patient over many files, so nothing can be written before all input is read. The staged
resources wait in a temporary SQLite file (not the application database), indexed by
patient, and the second pass reads them back one patient at a time.
"""

import pickle
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from sharing.fhir.intake import SHARED, Packed, Staged

_SCHEMA = """
CREATE TABLE staged (seq INTEGER PRIMARY KEY, patient_key TEXT, payload BLOB NOT NULL);
CREATE TABLE shared (key TEXT PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE alias (url TEXT PRIMARY KEY, key TEXT NOT NULL);
"""


class Staging:
    """A temporary on-disk store, removed when closed."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="chartshare-import-")
        self._db = sqlite3.connect(Path(self._directory.name) / "staging.db")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.executescript(_SCHEMA)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Drop the store and its file."""
        self._db.close()
        self._directory.cleanup()

    def add(self, staged: list[Packed]) -> None:
        """Keep a chunk's staged resources (a later copy of a shared resource wins)."""
        patients: list[tuple[str | None, bytes]] = []
        shared: list[tuple[str, bytes]] = []
        aliases: list[tuple[str, str]] = []
        for resource_type, key, patient_ref, full_url, payload in staged:
            if resource_type in SHARED:
                shared.append((key, payload))
            else:
                patients.append((patient_ref, payload))
            if full_url and full_url.startswith("urn:"):
                aliases.append((full_url, key))
        self._db.executemany("INSERT INTO staged (patient_key, payload) VALUES (?, ?)", patients)
        self._db.executemany("INSERT OR REPLACE INTO shared VALUES (?, ?)", shared)
        self._db.executemany("INSERT OR REPLACE INTO alias VALUES (?, ?)", aliases)

    def finish(self) -> None:
        """Resolve urn: references to patients now that every file is read, and index."""
        self._db.execute(
            "UPDATE staged SET patient_key = "
            "(SELECT key FROM alias WHERE alias.url = staged.patient_key) "
            "WHERE patient_key LIKE 'urn:%' "
            "AND EXISTS (SELECT 1 FROM alias WHERE alias.url = staged.patient_key)"
        )
        self._db.execute("CREATE INDEX staged_patient ON staged (patient_key, seq)")
        self._db.commit()

    def patient_count(self) -> int:
        """How many patients (distinct patient references) the input has."""
        row = self._db.execute("SELECT COUNT(DISTINCT patient_key) FROM staged").fetchone()
        return int(row[0])

    def patients(self) -> Iterator[tuple[str, list[Staged]]]:
        """Each patient's staged resources in input order, patients in order of appearance."""
        keys = self._db.execute(
            "SELECT patient_key FROM staged GROUP BY patient_key ORDER BY MIN(seq)"
        )
        for (key,) in keys:
            rows = self._db.execute(
                "SELECT payload FROM staged WHERE patient_key = ? ORDER BY seq", (key,)
            ).fetchall()
            yield key, [pickle.loads(payload) for (payload,) in rows]  # noqa: S301 - our own file

    def resolve(self, ref: str) -> str:
        """`Type/id` for a reference (urn: references through the bundles' fullUrls)."""
        if not ref.startswith("urn:"):
            return ref
        row = self._db.execute("SELECT key FROM alias WHERE url = ?", (ref,)).fetchone()
        return str(row[0]) if row else ref

    def shared(self, key: str) -> Staged | None:
        """A staged Practitioner or Medication by `Type/id`."""
        row = self._db.execute("SELECT payload FROM shared WHERE key = ?", (key,)).fetchone()
        return pickle.loads(row[0]) if row else None  # noqa: S301 - our own file

"""DataLoaders, created per request: pages per category, links batched by id, counts.

Every loader is bound to the request's patient, so the patient is in each WHERE clause.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import SQLModel
from strawberry.dataloader import DataLoader

from db.observations import EncounterDiagnosis
from db.patients import Patient
from db.records_query import (
    RecordFilter,
    RecordPage,
    count_patient_records_many,
    get_patient,
    get_patient_records,
    list_encounter_diagnoses,
    list_patient_records,
)
from db.serial import SerialSession


@dataclass(frozen=True)
class CountKey:
    """How many rows of one table match a filter."""

    model: type[SQLModel]
    where: RecordFilter


class Loaders:
    """The request's loaders for one patient."""

    def __init__(self, db: SerialSession, patient_id: int | None) -> None:
        self._db = db
        self._patient_id = patient_id
        self.pages: DataLoader[RecordPage[Any], list[Any]] = DataLoader(self._load_pages)
        self.counts: DataLoader[CountKey, int] = DataLoader(self._load_counts)
        self.diagnoses: DataLoader[int, list[EncounterDiagnosis]] = DataLoader(self._load_diagnoses)
        self._by_id: dict[type[SQLModel], DataLoader[int, Any]] = {}
        self.patient: DataLoader[int, Patient | None] = DataLoader(self._load_patient)

    @property
    def patient_id(self) -> int:
        if self._patient_id is None:
            raise LookupError("this request has no patient")
        return self._patient_id

    def by_id(self, model: type[SQLModel]) -> DataLoader[int, Any]:
        """Rows of one table by id (None where the id is not this patient's)."""
        if model not in self._by_id:

            async def load(ids: list[int]) -> list[Any]:
                rows = await self._db.run(
                    lambda s: get_patient_records(
                        s, model=model, patient_id=self.patient_id, ids=list(set(ids))
                    )
                )
                found = {row.id: row for row in rows}  # type: ignore[attr-defined]
                return [found.get(i) for i in ids]

            self._by_id[model] = DataLoader(load)
        return self._by_id[model]

    async def _load_pages(self, keys: list[RecordPage[Any]]) -> Sequence[list[Any]]:
        pages: list[list[Any]] = []
        for key in keys:
            rows = await self._db.run(
                lambda s, key=key: list_patient_records(  # type: ignore[misc]
                    s, patient_id=self.patient_id, page=key
                )
            )
            pages.append(rows)
        return pages

    async def _load_counts(self, keys: list[CountKey]) -> Sequence[int]:
        requests = [(key.model, key.where) for key in keys]
        return await self._db.run(
            lambda s: count_patient_records_many(s, patient_id=self.patient_id, requests=requests)
        )

    async def _load_diagnoses(self, encounter_ids: list[int]) -> Sequence[list[EncounterDiagnosis]]:
        rows = await self._db.run(
            lambda s: list_encounter_diagnoses(
                s, patient_id=self.patient_id, encounter_ids=list(set(encounter_ids))
            )
        )
        grouped: dict[int, list[EncounterDiagnosis]] = defaultdict(list)
        for row in rows:
            grouped[row.encounter_id].append(row)
        return [grouped.get(i, []) for i in encounter_ids]

    async def _load_patient(self, ids: list[int]) -> Sequence[Patient | None]:
        found = []
        for patient_id in ids:
            found.append(
                await self._db.run(lambda s, pid=patient_id: get_patient(s, patient_id=pid))  # type: ignore[misc]
            )
        return found

"""One patient's prepared resources written inside the caller's transaction.

The patient first, then care team members and encounters (the rows others link to),
then every other table; links become row ids of this import or of an earlier one. A
link whose target is nowhere is dropped and reported, except an encounter diagnosis's
encounter, without which the diagnosis is rejected.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db import imports
from sharing.fhir.codes import CARE_TEAM_MEMBER, ENCOUNTER
from sharing.fhir.intake import Problem, Staged
from sharing.fhir.linking import Prepared
from sharing.scopes import CATEGORIES

# Link column -> (the FHIR type it must point at, the table that type's rows live in).
LINKS = {
    "encounter_id": ("Encounter", ENCOUNTER),
    "provider_id": ("Practitioner", CARE_TEAM_MEMBER),
    "prescriber_id": ("Practitioner", CARE_TEAM_MEMBER),
    "requester_id": ("Practitioner", CARE_TEAM_MEMBER),
}
REQUIRED_LINKS = {("encounter_diagnosis", "encounter_id")}
FIRST_TABLES = (CARE_TEAM_MEMBER, ENCOUNTER)
# Tables that hold one FHIR type between them: a resource may move from one to another.
SIBLINGS: dict[str, tuple[str, ...]] = {}
for _category in CATEGORIES:
    _group = tuple(
        str(c.model.__tablename__) for c in CATEGORIES if c.resource_type == _category.resource_type
    )
    SIBLINGS[str(_category.model.__tablename__)] = _group


@dataclass(frozen=True)
class Outcome:
    """What happened to one resource: imported, updated, unchanged or skipped."""

    resource_type: str
    outcome: str


def _problems(resources: list[Staged], reason: str) -> list[Problem]:
    return [Problem(f"{s.where} {s.key}", s.resource_type, reason) for s in resources]


class _Writer:
    def __init__(self, connection: AsyncConnection, source_system: str, patient_id: int) -> None:
        self.connection = connection
        self.source_system = source_system
        self.patient_id = patient_id
        self.ids: dict[str, dict[str, int]] = {}
        self.existed: set[tuple[str, str]] = set()
        self.problems: list[Problem] = []
        # The patient was created in this transaction: it has no rows to update yet.
        self.fresh = True

    async def load_existing(self) -> None:
        self.fresh = False
        found = await imports.imported_rows(
            self.connection, patient_id=self.patient_id, source_system=self.source_system
        )
        for (table, source_id), row_id in found.items():
            self.ids.setdefault(table, {})[source_id] = row_id
            self.existed.add((table, source_id))

    def _link(self, staged: Staged, table: str, column: str, target: str) -> int | None:
        kind, _, target_id = target.partition("/")
        expected, target_table = LINKS[column]
        row_id = self.ids.get(target_table, {}).get(target_id) if kind == expected else None
        if row_id is None and (table, column) in REQUIRED_LINKS:
            raise LookupError(f"its {expected} {target} is neither in the input nor imported")
        if row_id is None:
            reason = f"{column.removesuffix('_id')} {target} is not imported; stored without it"
            self.problems.append(
                Problem(f"{staged.where} {staged.key}", staged.resource_type, reason, kept=True)
            )
        return row_id

    def _params(self, staged: Staged, table: str) -> list[dict[str, Any]]:
        params = []
        for row in staged.rows:
            values = dict(row.values) | {"source_id": row.source_id}
            for column, target in row.links.items():
                values[column] = self._link(staged, table, column, target)
            params.append(values)
        return params

    async def _move_from_siblings(self, table: str, sources: list[str]) -> None:
        for sibling in SIBLINGS.get(table, (table,)):
            if sibling == table:
                continue
            known = self.ids.get(sibling, {})
            moved = [known.pop(source) for source in sources if source in known]
            await imports.delete_rows(
                self.connection, table=sibling, patient_id=self.patient_id, ids=moved
            )

    def _existed(self, table: str, source_id: str) -> bool:
        return any((t, source_id) in self.existed for t in SIBLINGS.get(table, (table,)))

    async def write_table(self, table: str, resources: list[Staged]) -> list[Outcome]:
        by_source: dict[str, dict[str, Any]] = {}
        kept: list[Staged] = []
        for staged in resources:
            try:
                params = self._params(staged, table)
            except LookupError as exc:
                self.problems += _problems([staged], str(exc))
                continue
            kept.append(staged)
            for values in params:
                by_source[values["source_id"]] = values
        await self._move_from_siblings(table, list(by_source))
        written = await imports.upsert_rows(
            self.connection,
            table=table,
            patient_id=self.patient_id,
            source_system=self.source_system,
            rows=list(by_source.values()),
            fresh=self.fresh,
        )
        self.ids.setdefault(table, {}).update(written)
        outcomes = []
        for staged in kept:
            changes = [
                "updated" if self._existed(table, row.source_id) else "imported"
                for row in staged.rows
                if row.source_id in written
            ]
            outcome = (
                "imported" if "imported" in changes else changes[0] if changes else "unchanged"
            )
            outcomes.append(Outcome(staged.resource_type, outcome))
        return outcomes


async def _patient_id(
    connection: AsyncConnection, prepared: Prepared, source_system: str
) -> tuple[int | None, bool, Outcome | str | None]:
    """(patient id, whether it existed, the Patient's outcome or why the group is rejected)."""
    kind, _, source_id = prepared.key.partition("/")
    if kind != "Patient" or not source_id:
        return None, False, f"its patient {prepared.key} is not in the input"
    existing = await imports.find_patient(
        connection, source_system=source_system, source_id=source_id
    )
    if prepared.patient is None:
        if existing is None:
            return None, False, f"Patient/{source_id} is neither in the input nor imported before"
        return existing, True, None
    values = prepared.patient.rows[0].values
    mrn = values["medical_record_number"]
    holder = await imports.patient_with_record_number(connection, medical_record_number=mrn)
    if holder is not None and holder != existing:
        return None, False, f"medical record number {mrn} already belongs to another patient"
    patient_id, changed = await imports.upsert_patient(
        connection, source_system=source_system, source_id=source_id, values=values
    )
    outcome = "imported" if existing is None else "updated" if changed else "unchanged"
    return patient_id, existing is not None, Outcome("Patient", outcome)


async def write_patient(
    connection: AsyncConnection, prepared: Prepared, *, source_system: str
) -> tuple[list[Outcome], list[Problem]]:
    """Write one patient's resources; the outcomes, and the resources rejected on the way."""
    patient_id, existed, patient_outcome = await _patient_id(connection, prepared, source_system)
    everything = ([prepared.patient] if prepared.patient else []) + prepared.resources
    if patient_id is None:
        return [], _problems(everything, str(patient_outcome))
    outcomes = [patient_outcome] if isinstance(patient_outcome, Outcome) else []
    writer = _Writer(connection, source_system, patient_id)
    if existed:
        await writer.load_existing()
    by_table: dict[str, list[Staged]] = {table: [] for table in FIRST_TABLES}
    for staged in prepared.resources:
        if not staged.rows:
            outcomes.append(Outcome(staged.resource_type, "skipped"))
            continue
        by_table.setdefault(staged.rows[0].table, []).append(staged)
    for table, resources in by_table.items():
        if resources:
            outcomes += await writer.write_table(table, resources)
    return outcomes, writer.problems

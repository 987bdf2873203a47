"""Read a compiled statement's meta column: what the response holds, and the refused fields.

The meta mirrors the records of the data (`[id, child metas...]`), so the activity log's
tally and the paths of INSUFFICIENT_SCOPE errors inside lists come out exactly as the
Strawberry executor records them, without decoding the data itself.

Errors are listed in the order the Strawberry executor meets them: a refused field raises
when its resolver starts, synchronous ones (demographics) first, and every further
DataLoader round trip (a page, a link, a list of diagnoses) one step later; within a
step, in the order of the data.
"""

from collections.abc import Iterator
from typing import Any

from schema.compiled.plan import Denied, Diagnoses, EdgesPart, Link, PatientPlan, Plan, Record
from schema.context import ReadTally
from sharing.scopes import CategoryKey

Path = list[str | int]


class _Walk:
    def __init__(self, tally: ReadTally) -> None:
        self.tally = tally
        self.errors: list[tuple[int, dict[str, Any]]] = []

    def deny(self, field: Denied, path: Path, step: int) -> None:
        self.tally.denied.add(field.category)
        self.errors.append((step, {**field.error, "path": [*path, field.key]}))

    def patient(self, plan: PatientPlan, meta: list[Any] | None) -> None:
        if meta is None:
            return
        if plan.reads_demographics:
            self.tally.saw(CategoryKey.DEMOGRAPHICS, [meta[0]])
        path: Path = [plan.key]
        for field in plan.fields:
            if isinstance(field, Denied):
                # Demographic fields resolve synchronously; connections are awaited.
                self.deny(field, path, 0 if field.category == CategoryKey.DEMOGRAPHICS else 1)
        for connection, elements in zip(plan.connections(), meta[1:], strict=True):
            self.tally.saw(connection.category, [element[0] for element in elements])
            for index, element in enumerate(elements):
                metas = iter(element[1:])
                for part in connection.parts:
                    if not isinstance(part, EdgesPart):
                        continue
                    for key, _, record in part.fields:
                        if record is not None:
                            where = [*path, connection.key, part.key, index, key]
                            self.record(record, metas, where, 2)

    def record(self, plan: Record, metas: Iterator[Any], path: Path, step: int) -> None:
        for field in plan.fields:
            if isinstance(field, Denied):
                self.deny(field, path, step)
            elif isinstance(field, Link):
                linked = next(metas)
                if linked is not None:
                    self.tally.saw(field.target.category, [linked[0]])
                    self.record(field.target, iter(linked[1:]), [*path, field.key], step + 1)
            elif isinstance(field, Diagnoses):
                elements = next(metas)
                self.tally.saw(field.target.category, [element[0] for element in elements])
                for index, element in enumerate(elements):
                    where = [*path, field.key, index]
                    self.record(field.target, iter(element[1:]), where, step + 1)


def walk(plan: Plan, meta: list[Any], tally: ReadTally) -> list[dict[str, Any]]:
    """Note the returned records in the tally; the INSUFFICIENT_SCOPE errors, in data order."""
    walker = _Walk(tally)
    for patient, patient_meta in zip(plan.patients(), meta, strict=True):
        walker.patient(patient, patient_meta)
    return [error for _, error in sorted(walker.errors, key=lambda found: found[0])]

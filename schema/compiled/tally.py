"""Read a compiled statement's meta column: what the response holds, and the refused fields.

The meta mirrors the records of the data (`[id, child metas...]`), so the activity log's
tally and the paths of INSUFFICIENT_SCOPE errors inside lists come out exactly as the
Strawberry executor records them, without decoding the data itself.
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
        self.errors: list[dict[str, Any]] = []

    def deny(self, field: Denied, path: Path) -> None:
        self.tally.denied.add(field.category)
        self.errors.append({**field.error, "path": [*path, field.key]})

    def patient(self, plan: PatientPlan, meta: list[Any] | None) -> None:
        if meta is None:
            return
        if plan.reads_demographics:
            self.tally.saw(CategoryKey.DEMOGRAPHICS, [meta[0]])
        path: Path = [plan.key]
        for field in plan.fields:
            if isinstance(field, Denied):
                self.deny(field, path)
        for connection, elements in zip(plan.connections(), meta[1:], strict=True):
            self.tally.saw(connection.category, [element[0] for element in elements])
            for index, element in enumerate(elements):
                metas = iter(element[1:])
                for part in connection.parts:
                    if not isinstance(part, EdgesPart):
                        continue
                    for key, _, record in part.fields:
                        if record is not None:
                            self.record(
                                record, metas, [*path, connection.key, part.key, index, key]
                            )

    def record(self, plan: Record, metas: Iterator[Any], path: Path) -> None:
        for field in plan.fields:
            if isinstance(field, Denied):
                self.deny(field, path)
            elif isinstance(field, Link):
                linked = next(metas)
                if linked is not None:
                    self.tally.saw(field.target.category, [linked[0]])
                    self.record(field.target, iter(linked[1:]), [*path, field.key])
            elif isinstance(field, Diagnoses):
                elements = next(metas)
                self.tally.saw(field.target.category, [element[0] for element in elements])
                for index, element in enumerate(elements):
                    self.record(field.target, iter(element[1:]), [*path, field.key, index])


def walk(plan: Plan, meta: list[Any], tally: ReadTally) -> list[dict[str, Any]]:
    """Note the returned records in the tally; the INSUFFICIENT_SCOPE errors, in data order."""
    walker = _Walk(tally)
    for patient, patient_meta in zip(plan.patients(), meta, strict=True):
        walker.patient(patient, patient_meta)
    return walker.errors

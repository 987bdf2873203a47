"""One patient's staged resources made ready to write: references resolved, rows checked.

What needs the whole input happens here: urn:uuid references through the bundles'
fullUrls, care team members completed from their Practitioner, medications from a
referenced Medication, implant dates from the Procedure that implanted a Device, and the
database's own limits (required columns, text lengths) checked per resource, so that one
resource that cannot be stored is rejected alone instead of failing its patient.
"""

from dataclasses import dataclass, field
from datetime import datetime

from db.imports import RULES
from sharing.fhir.codes import CARE_TEAM_MEMBER
from sharing.fhir.intake import Problem, Staged
from sharing.fhir.parse import Row, Unmappable
from sharing.fhir.staging import Staging

IMPLANTED = "implanted:"


@dataclass
class Prepared:
    """A patient's resources ready for the database, and the ones rejected on the way."""

    key: str
    patient: Staged | None = None
    resources: list[Staged] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)


class _Resolver:
    def __init__(self, group: list[Staged], staging: Staging) -> None:
        self.local = {s.full_url: s.key for s in group if s.full_url}
        self.staging = staging

    def key(self, ref: str) -> str:
        return self.local.get(ref) or self.staging.resolve(ref)


def _complete_member(row: Row, resolver: _Resolver) -> Row | None:
    """A care team row named after its Practitioner; None if the member is not one."""
    key = resolver.key(row.links.pop("member"))
    kind, _, practitioner_id = key.partition("/")
    if kind != "Practitioner" or not practitioner_id:
        return None
    practitioner = resolver.staging.shared(key)
    values = dict(row.values)
    if practitioner is not None:
        values |= {k: v for k, v in practitioner.rows[0].values.items() if v is not None}
    if not values.get("name"):
        raise Unmappable(f"the care team member {key} is not in the input and has no display name")
    return Row(CARE_TEAM_MEMBER, practitioner_id, values)


def _complete_medication(row: Row, resolver: _Resolver) -> None:
    ref = row.links.pop("medication", None)
    if ref is None:
        return
    key = resolver.key(ref)
    medication = resolver.staging.shared(key)
    if medication is None:
        raise Unmappable(f"medicationReference {ref} is not in the input (or was rejected)")
    row.values |= medication.rows[0].values


def _check(row: Row, resource_type: str) -> None:
    rules = RULES[row.table]
    for name in rules.required:
        if row.values.get(name) is None and name not in row.links:
            raise Unmappable(f"{resource_type}: {name.replace('_', ' ')} is missing")
    for name, value in row.values.items():
        limit = rules.lengths.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            raise Unmappable(f"{resource_type}: {name.replace('_', ' ')} is longer than {limit}")
    if len(row.source_id) > rules.lengths["source_id"]:
        raise Unmappable(f"{resource_type}: the resource id is too long")


def _implant_dates(resources: list[Staged], resolver: _Resolver) -> dict[str, datetime]:
    dates: dict[str, datetime] = {}
    for staged in resources:
        for row in staged.rows:
            for name in [n for n in row.links if n.startswith(IMPLANTED)]:
                dates[resolver.key(row.links.pop(name))] = row.values["performed_at"]
    return dates


def _prepare_one(staged: Staged, resolver: _Resolver, implants: dict[str, datetime]) -> Staged:
    rows: list[Row] = []
    for row in staged.rows:
        if row.table == CARE_TEAM_MEMBER:
            member = _complete_member(row, resolver)
            if member is None:
                continue
            row = member
        _complete_medication(row, resolver)
        row.links = {column: resolver.key(ref) for column, ref in row.links.items()}
        if row.table == "implantable_device" and row.values.get("implanted_on") is None:
            implanted = implants.get(staged.key)
            if implanted is None:
                raise Unmappable("the implant date is unknown (no Procedure.focalDevice names it)")
            row.values["implanted_on"] = implanted.date()
        _check(row, staged.resource_type)
        rows.append(row)
    return Staged(staged.resource_type, staged.source_id, staged.where, staged.patient_ref, rows)


def prepare(key: str, group: list[Staged], staging: Staging) -> Prepared:
    """Resolve and check one patient's staged resources (a later copy of a resource wins)."""
    latest: dict[str, Staged] = {}
    for staged in group:
        latest[staged.key] = staged
    resolver = _Resolver(group, staging)
    prepared = Prepared(key)
    implants = _implant_dates(list(latest.values()), resolver)
    for staged in latest.values():
        try:
            ready = _prepare_one(staged, resolver, implants)
        except Unmappable as exc:
            where = f"{staged.where} {staged.key}"
            prepared.rejected.append(Problem(where, staged.resource_type, str(exc)))
            continue
        if staged.resource_type == "Patient" and staged.key == key:
            prepared.patient = ready
        else:
            prepared.resources.append(ready)
    return prepared

"""The first pass of an import: validate each resource with fhir.resources and map it to rows.

`process_chunk` is a pure function of its chunk so that worker processes can run it in
parallel; its result is what the second pass (`sharing.fhir.importer`) resolves and writes.
Validation uses the R4B models of fhir.resources (R4B changed no resource chartshare maps).
"""

import pickle
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sharing.fhir import parse_observations, parse_patient, parse_records
from sharing.fhir.parse import Row, Unmappable, reference, reference_key
from sharing.fhir.parse_observations import NotHeld
from sharing.fhir.reader import Chunk, Entry, entries
from sharing.fhir.validation import Validator, is_resource_type

Reader = Callable[[dict[str, Any], str], list[Row]]
READERS: dict[str, Reader] = {
    "Patient": parse_patient.patient,
    "Practitioner": parse_records.practitioner,
    "Medication": parse_records.medication,
    "AllergyIntolerance": parse_records.allergy,
    "CarePlan": parse_records.care_plan,
    "CareTeam": parse_records.care_team,
    "Condition": parse_observations.condition,
    "Device": parse_records.device,
    "Encounter": parse_records.encounter,
    "Goal": parse_records.goal,
    "Immunization": parse_records.immunization,
    "MedicationRequest": parse_records.medication_request,
    "Observation": parse_observations.observation,
    "Procedure": parse_records.procedure,
    "ServiceRequest": parse_records.referral,
}
# Held for the rows that refer to them, shared by every patient.
SHARED = frozenset({"Practitioner", "Medication"})
MAX_REASON = 300


@dataclass(slots=True)
class Staged:
    """One valid, mapped resource waiting for its references to be resolved."""

    resource_type: str
    source_id: str
    where: str
    patient_ref: str | None  # reference_key of its patient; the patient's own key for a Patient
    rows: list[Row]
    full_url: str | None = None

    def __reduce__(self) -> tuple[type["Staged"], tuple[Any, ...]]:
        fields = (self.resource_type, self.source_id, self.where, self.patient_ref)
        return Staged, (*fields, self.rows, self.full_url)

    @property
    def key(self) -> str:
        """`Type/id`, what references resolve to."""
        return f"{self.resource_type}/{self.source_id}"


@dataclass(frozen=True, slots=True)
class Problem:
    """A piece of input that was not stored, and why."""

    where: str
    resource_type: str
    reason: str
    kept: bool = False  # stored all the same, only a link was dropped


# What the staging store keeps of a staged resource: (resource type, Type/id, its patient's
# reference, its fullUrl, the pickled Staged). Workers pickle; the parent only stores bytes.
Packed = tuple[str, str, str | None, str | None, bytes]


def pack(staged: Staged) -> Packed:
    """A staged resource ready for the staging store."""
    payload = pickle.dumps(staged, protocol=pickle.HIGHEST_PROTOCOL)
    return (staged.resource_type, staged.key, staged.patient_ref, staged.full_url, payload)


@dataclass(slots=True)
class ChunkResult:
    """What one chunk yielded: staged resources, rejections and skipped kinds."""

    staged: list[Packed] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    size: int = 0


# One per process: worker processes validate with their own cache.
VALIDATOR = Validator()


def _source_id(resource: dict[str, Any], full_url: str | None) -> str | None:
    raw = resource.get("id")
    if isinstance(raw, str) and raw:
        return raw
    if full_url and full_url.startswith("urn:uuid:"):
        return full_url.removeprefix("urn:uuid:")
    if full_url:
        key = reference_key(full_url)
        if "/" in key and not key.startswith("urn:"):
            return key.split("/", 1)[1]
    return None


def _patient_ref(resource: dict[str, Any], resource_type: str, source_id: str) -> str | None:
    if resource_type == "Patient":
        return f"Patient/{source_id}"
    for name in ("subject", "patient"):
        raw = reference(resource.get(name))
        if raw:
            return reference_key(raw)
    return None


def stage(entry: Entry, result: ChunkResult) -> None:
    """Validate and map one entry into the result (staged, rejected or skipped)."""
    resource = entry.resource
    if resource is None:
        result.rejected.append(Problem(entry.where, "(unreadable)", entry.error or "no resource"))
        return
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type:
        result.rejected.append(Problem(entry.where, "(unknown)", "no resourceType"))
        return
    if not is_resource_type(resource_type):
        reason = f"{resource_type!r} is not a FHIR R4 resource type"
        result.rejected.append(Problem(entry.where, resource_type, reason))
        return
    if resource_type not in READERS:
        result.skipped[resource_type] += 1
        return
    invalid = VALIDATOR.problem(resource)
    if invalid is not None:
        result.rejected.append(Problem(entry.where, resource_type, invalid))
        return
    source_id = _source_id(resource, entry.full_url)
    if source_id is None:
        reason = "the resource has no id (and its bundle entry no fullUrl)"
        result.rejected.append(Problem(entry.where, resource_type, reason))
        return
    patient_ref = None
    if resource_type not in SHARED:
        patient_ref = _patient_ref(resource, resource_type, source_id)
        if patient_ref is None:
            reason = "the resource names no patient (subject or patient)"
            result.rejected.append(Problem(entry.where, resource_type, reason))
            return
    try:
        rows = READERS[resource_type](resource, source_id)
    except NotHeld:
        result.skipped[resource_type] += 1
        return
    except (Unmappable, ValueError) as exc:
        where = f"{entry.where} {resource_type}/{source_id}"
        result.rejected.append(Problem(where, resource_type, str(exc)[:MAX_REASON]))
        return
    result.staged.append(
        pack(Staged(resource_type, source_id, entry.where, patient_ref, rows, entry.full_url))
    )


def process_chunk(chunk: Chunk) -> ChunkResult:
    """Parse, validate and map every resource of a chunk."""
    result = ChunkResult(size=chunk.size)
    for entry in entries(chunk):
        stage(entry, result)
    return result

"""Validation with fhir.resources: reusing validated elements never changes the verdict."""

import copy
from typing import Any

import pytest
from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

from sharing.fhir import validation
from sharing.fhir.validation import Validator, describe, is_resource_type
from tests.builders.fhir_inputs import HL7, LOINC, category, concept, ref


def _lab(**changes: Any) -> dict[str, Any]:
    lab: dict[str, Any] = {
        "resourceType": "Observation", "id": "a1c", "status": "final",
        "category": category(HL7 + "observation-category", "laboratory"),
        "code": concept(LOINC, "4548-4", "Hemoglobin A1c"), "subject": ref("Patient/p1"),
        "effectiveDateTime": "2020-01-01T10:00:00Z",
        "valueQuantity": {"value": 7.1, "unit": "%"},
    }  # fmt: skip
    return lab | changes


BROKEN: dict[str, dict[str, Any]] = {
    "missing status": {"status": None},
    "unknown element": {"flavour": "sweet"},
    "bad date": {"effectiveDateTime": "2020-13-45"},
    "code as a string": {"code": "4548-4"},
    "bad code in a coding": {"code": {"coding": [{"system": LOINC, "code": " 4548-4 "}]}},
    "two values": {"valueString": "high"},
    "list where one is expected": {"subject": [ref("Patient/p1")]},
    "null in a cached element": {"category": [{"coding": [None]}]},
}


def _plain(resource: dict[str, Any]) -> str | None:
    try:
        Observation.model_validate(resource)
    except ValidationError as exc:
        return describe(exc)
    return None


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_warm_cache_gives_the_same_verdict_as_plain_validation(name: str) -> None:
    validator = Validator()
    assert validator.problem(_lab()) is None  # the cache now holds the lab's elements
    broken = {k: v for k, v in (_lab() | BROKEN[name]).items() if v is not None}
    found = validator.problem(broken)
    assert found is not None
    assert found == _plain(broken)
    assert validator.problem(_lab(id="again")) is None


def test_resource_types_are_fhir_r4_resources() -> None:
    assert is_resource_type("Observation")
    assert is_resource_type("Claim")
    assert not is_resource_type("Spaceship")
    assert not is_resource_type("CodeableConcept")  # a data type, not a resource
    assert not is_resource_type("Resource")


def test_the_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    validator = Validator(max_cached=3)
    for n in range(20):
        assert validator.problem(_lab(code=concept(LOINC, f"{n}-0", f"Test {n}"))) is None
        assert len(validator._cache) <= 3


def test_elements_that_never_repeat_stop_being_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "TRIAL_LOOKUPS", 10)
    validator = Validator()
    for n in range(30):
        lab = _lab(valueQuantity={"value": n, "unit": "%"})
        assert validator.problem(copy.deepcopy(lab)) is None
    assert ("Observation", "valueQuantity") in validator._uncached
    assert ("Observation", "code") not in validator._uncached

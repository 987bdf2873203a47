"""FHIR R4 validation with fhir.resources (its R4B models), at a cost an import can afford.

Validating a resource validates each of its elements against the element's FHIR type.
Exported records repeat the same elements again and again (the code of every
hemoglobin A1c, the laboratory category, the reference to the patient), so the validated
value of each element is kept in a bounded cache keyed by its type and its JSON. A
resource is then validated with those already-validated values in place: pydantic takes
a model instance of the right class as it is, and still runs every check of the resource
itself (required elements, choice types, nulls). The outcome is the same as validating
the plain resource, for about half the work on typical exports. Elements that seldom
repeat (measured values) stop being cached after a trial, so they cost nothing extra.
"""

import types
import typing
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

MAX_CACHED = 10_000
MAX_REASON = 300
# After this many look-ups an element that rarely repeats (a measured value) is no longer cached.
TRIAL_LOOKUPS = 2_000
MIN_HIT_RATE = 0.2
# Elements nested (extensions in extensions ...) past what the validator can recurse into.
TOO_DEEP = "not valid FHIR R4: its elements nest too deeply to validate"
# Elements whose class depends on their content (contained resources) are never cached.
UNCACHED = frozenset({"contained"})


def _element_class(annotation: Any) -> tuple[Any, bool] | None:
    """(model class, is a list) of a field annotated with a fhir.resources element type."""
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return None
            annotation = args[0]
        elif origin is list:
            is_list = True
            annotation = typing.get_args(annotation)[0]
        else:
            break
    klass = getattr(annotation, "get_model_klass", None)
    if klass is None:
        return None
    try:
        model = klass()
    except (KeyError, ValueError, ImportError):
        return None
    if getattr(model, "get_resource_type", lambda: "")() in ("Resource", "DomainResource"):
        return None
    return model, is_list


@cache
def _plan(resource_type: str) -> tuple[Any, dict[str, tuple[Any, bool]]]:
    """The model of a resource type and its cacheable elements by JSON name."""
    model = get_fhir_model_class(resource_type)
    elements: dict[str, tuple[Any, bool]] = {}
    for name, field in model.model_fields.items():
        json_name = field.alias or name
        if json_name in UNCACHED:
            continue
        found = _element_class(field.annotation)
        if found is not None:
            elements[json_name] = found
    return model, elements


@cache
def is_resource_type(resource_type: str) -> bool:
    """Whether FHIR R4 (as fhir.resources models it) has this resource type."""
    try:
        model = get_fhir_model_class(resource_type)
    except (KeyError, ValueError):
        return False
    return isinstance(model, type) and issubclass(model, Resource) and model is not Resource


class Validator:
    """Validates resources; one per process (the cache is not shared)."""

    def __init__(self, max_cached: int = MAX_CACHED) -> None:
        self.max_cached = max_cached
        self._cache: dict[tuple[str, str], Any] = {}
        # (resource type, element) -> [look-ups, hits] during the trial
        self._trials: dict[tuple[str, str], list[int]] = {}
        self._uncached: set[tuple[str, str]] = set()

    def _element(self, model: Any, value: Any, trial: list[int]) -> Any:
        if not isinstance(value, dict):
            return value
        # repr is exact (it tells 1, 1.0, True and "1" apart) and cheaper than JSON.
        key = (model.__name__, repr(value))
        trial[0] += 1
        found = self._cache.get(key)
        if found is None:
            found = model.model_validate(value)
            if len(self._cache) >= self.max_cached:
                self._cache.clear()  # bounded memory; the cache refills with what repeats
            self._cache[key] = found
        else:
            trial[1] += 1
        return found

    def _with_validated_elements(
        self, resource_type: str, resource: dict[str, Any], plan: dict[str, Any]
    ) -> Any:
        prepared = dict(resource)
        for name, (model, is_list) in plan.items():
            value = resource.get(name)
            if value is None or (resource_type, name) in self._uncached:
                continue
            trial = self._trials.setdefault((resource_type, name), [0, 0])
            if is_list and isinstance(value, list):
                prepared[name] = [self._element(model, item, trial) for item in value]
            elif not is_list:
                prepared[name] = self._element(model, value, trial)
            if trial[0] >= TRIAL_LOOKUPS and trial[1] < trial[0] * MIN_HIT_RATE:
                self._uncached.add((resource_type, name))
        return prepared

    def problem(self, resource: dict[str, Any]) -> str | None:
        """None if the resource is valid FHIR R4, else the first reason it is not."""
        resource_type = str(resource["resourceType"])
        model, plan = _plan(resource_type)
        try:
            model.model_validate(self._with_validated_elements(resource_type, resource, plan))
        except ValidationError:
            pass  # an element or the resource is invalid: validate plainly for a clear message
        except RecursionError:
            return TOO_DEEP
        else:
            return None
        try:
            model.model_validate(resource)
        except ValidationError as exc:
            return describe(exc)
        except RecursionError:
            return TOO_DEEP
        return None


def describe(exc: ValidationError) -> str:
    """The first validation error as one line: where and what."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "not valid FHIR R4"
    error = errors[0]
    where = ".".join(str(part) for part in error["loc"] if part != "__root__")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = " ".join(str(error["msg"]).split())
    return f"not valid FHIR R4: {where + ': ' if where else ''}{message}{more}"[:MAX_REASON]

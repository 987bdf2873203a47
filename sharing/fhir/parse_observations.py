"""Observations and conditions back into rows: the table is the scope registry's category.

The inverse of `sharing.fhir.observations`. A category chartshare does not hold (survey,
exam, social history other than smoking, ...) is `NotHeld`, counted as skipped.
"""

from typing import Any

from sharing.fhir.codes import ICD10_CM, LOINC, SNOMED, UCUM, system_uri
from sharing.fhir.parse import (
    Resource,
    Row,
    Unmappable,
    coded,
    codings,
    first,
    optional_date,
    reference,
    required,
    status_code,
    text,
    to_datetime,
)
from sharing.scopes import CATEGORIES, CategoryKey

# Social history holds many observations; chartshare's smoking status category is these codes.
SMOKING_STATUS_CODES = frozenset({"72166-2", "11367-0", "39240-7"})


class NotHeld(Exception):
    """A resource of a kind or category chartshare does not hold (counted as skipped)."""


def _categories(resource_type: str) -> dict[tuple[str, str], CategoryKey]:
    return {
        (c.category_system, c.category_code): c.key
        for c in CATEGORIES
        if c.resource_type == resource_type and c.category_system and c.category_code
    }


OBSERVATION_CATEGORIES = _categories("Observation")
CONDITION_CATEGORIES = _categories("Condition")
TABLES: dict[CategoryKey, str] = {
    c.key: str(c.model.__tablename__) for c in CATEGORIES if c.category_code
}


def category_of(resource: Resource, known: dict[tuple[str, str], CategoryKey]) -> CategoryKey:
    """The registry category named by the resource's category codings, in their order."""
    seen: list[str] = []
    for concept in resource.get("category", []):
        for item in codings(concept):
            key = known.get((system_uri(item["system"]), item["code"]))
            if key is not None:
                return key
            seen.append(item["code"])
    raise NotHeld(f"category {', '.join(seen) or '(none)'} is not held")


def _value(element: dict[str, Any], what: str) -> dict[str, Any]:
    if "valueQuantity" in element:
        quantity = element["valueQuantity"]
        if quantity.get("value") is None:
            raise Unmappable(f"{what}.valueQuantity has no value")
        unit = quantity.get("code") if quantity.get("system") == UCUM else None
        return {
            "value_quantity": float(quantity["value"]),
            "value_unit": unit or quantity.get("unit"),
        }
    if "valueCodeableConcept" in element:
        answer = element["valueCodeableConcept"]
        found = codings(answer)
        if not found:
            return {"value_text": text(answer)}
        return {
            "value_code_system": system_uri(found[0]["system"]),
            "value_code": found[0]["code"],
            "value_display": found[0].get("display") or answer.get("text"),
        }
    if "valueInteger" in element:
        return {"value_quantity": float(element["valueInteger"])}
    for name in ("valueString", "valueBoolean", "valueDateTime", "valueTime"):
        if name in element:
            raw = element[name]
            return {"value_text": str(raw).lower() if isinstance(raw, bool) else str(raw)}
    return {}


def _measure(element: dict[str, Any], what: str) -> dict[str, Any]:
    """Code, value, reference range and interpretation of an observation or one component."""
    bounds = first(element.get("referenceRange")) or {}
    return (
        coded(element.get("code"), (LOINC,), f"{what}.code")
        | _value(element, what)
        | {
            "reference_low": (bounds.get("low") or {}).get("value"),
            "reference_high": (bounds.get("high") or {}).get("value"),
            "interpretation": status_code(first(element.get("interpretation"))),
        }
    )


def observation(resource: Resource, source_id: str) -> list[Row]:
    """A lab, vital sign, smoking, functional or mental status Observation (components split)."""
    key = category_of(resource, OBSERVATION_CATEGORIES)
    table = TABLES[key]
    code = coded(resource.get("code"), (LOINC,), "Observation.code")
    if key is CategoryKey.SMOKING_STATUS and code["code"] not in SMOKING_STATUS_CODES:
        raise NotHeld(f"social history {code['code']} is not a smoking status")
    effective = (
        resource.get("effectiveDateTime")
        or resource.get("effectiveInstant")
        or (resource.get("effectivePeriod") or {}).get("start")
        or resource.get("issued")
    )
    shared = {
        "status": resource.get("status"),
        "effective_at": to_datetime(effective, "Observation.effective"),
    }
    ref = reference(resource.get("encounter"))
    links = {"encounter_id": ref} if ref else {}
    components = resource.get("component", [])
    has_value = any(name.startswith("value") for name in resource)
    if components and not has_value:
        # A panel such as blood pressure: one row per measured component.
        return [
            Row(table, f"{source_id}#{n}", shared | _measure(c, f"component[{n}]"), dict(links))
            for n, c in enumerate(components)
        ]
    return [Row(table, source_id, shared | _measure(resource, "Observation"), links)]


def condition(resource: Resource, source_id: str) -> list[Row]:
    """A problem, health concern or encounter diagnosis (SNOMED CT, with ICD-10-CM if given)."""
    key = category_of(resource, CONDITION_CATEGORIES)
    concept = resource.get("code")
    primary = coded(concept, (SNOMED, ICD10_CM), "Condition.code")
    icd10 = next(
        (c for c in codings(concept)
         if system_uri(c["system"]) == ICD10_CM and c["code"] != primary["code"]),
        None,
    )  # fmt: skip
    values = primary | {
        "icd10_code": icd10 and icd10["code"],
        "icd10_display": icd10 and icd10.get("display"),
        "clinical_status": status_code(required(resource, "clinicalStatus")),
        "verification_status": status_code(required(resource, "verificationStatus")),
        "onset_date": optional_date(resource.get("onsetDateTime"), "Condition.onsetDateTime"),
        "abatement_date": optional_date(
            resource.get("abatementDateTime"), "Condition.abatementDateTime"
        ),
        "recorded_at": to_datetime(resource.get("recordedDate"), "Condition.recordedDate"),
    }
    ref = reference(resource.get("encounter"))
    if key is CategoryKey.ENCOUNTER_DIAGNOSES and ref is None:
        raise Unmappable("an encounter diagnosis needs its Condition.encounter")
    return [Row(TABLES[key], source_id, values, {"encounter_id": ref} if ref else {})]

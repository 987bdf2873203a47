"""Observations and conditions as FHIR R4 resources, categorised as the scope registry says."""

from typing import Any

from db import observations
from db.code_systems import INTERPRETATIONS
from sharing.categories import Category
from sharing.fhir.codes import (
    ENCOUNTER,
    ICD10_CM,
    References,
    coding,
    concept,
    day,
    instant,
    meta,
    prune,
    quantity,
    row_code,
    terminology,
)

Resource = dict[str, Any]


def _category(category: Category) -> list[Resource]:
    assert category.category_system and category.category_code
    return [concept(coding(category.category_system, category.category_code))]


def observation(
    row: observations.ObservationBase, category: Category, refs: References
) -> Resource:
    """A lab, vital sign, smoking, functional or mental status Observation."""
    value: dict[str, Any] = {}
    if row.value_quantity is not None:
        value["valueQuantity"] = quantity(row.value_quantity, row.value_unit)
    elif row.value_code and row.value_code_system:
        answer = coding(row.value_code_system, row.value_code, row.value_display)
        value["valueCodeableConcept"] = concept(answer, text=row.value_display)
    elif row.value_text:
        value["valueString"] = row.value_text
    bounds = {
        "low": None if row.reference_low is None else quantity(row.reference_low, row.value_unit),
        "high": None
        if row.reference_high is None
        else quantity(row.reference_high, row.value_unit),
    }
    interpretation = None
    if row.interpretation:
        interpretation = [
            terminology(
                "v3-ObservationInterpretation",
                row.interpretation,
                INTERPRETATIONS.get(row.interpretation),
            )
        ]
    return prune(
        {
            "resourceType": "Observation",
            "meta": meta(category.profile) if category.profile else None,
            "status": row.status,
            "category": _category(category),
            "code": row_code(row),
            "subject": refs.patient,
            "encounter": refs.to(ENCOUNTER, row.encounter_id),
            "effectiveDateTime": instant(row.effective_at),
            **value,
            "interpretation": interpretation,
            "referenceRange": [prune(bounds)] if prune(bounds) else None,
        }
    )


def condition(row: observations.ConditionBase, category: Category, refs: References) -> Resource:
    """A problem, health concern or encounter diagnosis, SNOMED CT and ICD-10-CM coded."""
    codes = [coding(row.code_system, row.code, row.code_display)]
    if row.icd10_code:
        codes.append(coding(ICD10_CM, row.icd10_code, row.icd10_display))
    encounter_id = getattr(row, "encounter_id", None)
    return prune(
        {
            "resourceType": "Condition",
            "meta": meta(category.profile) if category.profile else None,
            "clinicalStatus": terminology("condition-clinical", row.clinical_status),
            "verificationStatus": terminology("condition-ver-status", row.verification_status),
            "category": _category(category),
            "code": concept(*codes, text=row.code_display),
            "subject": refs.patient,
            "encounter": refs.to(ENCOUNTER, encounter_id),
            "onsetDateTime": row.onset_date and day(row.onset_date),
            "abatementDateTime": row.abatement_date and day(row.abatement_date),
            "recordedDate": instant(row.recorded_at),
        }
    )

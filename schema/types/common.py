"""Small value types shared by the record: codes, quantities, reference ranges, names."""

from typing import Any

import strawberry

from db.code_systems import INTERPRETATIONS, OBSERVATION_INTERPRETATION, UCUM


@strawberry.type(description="A code from a standard code system (LOINC, SNOMED CT, RxNorm, ...).")
class Coding:
    system: str = strawberry.field(description="The code system's URI.")
    code: str
    display: str | None


def coding(system: str | None, code: str | None, display: str | None) -> Coding | None:
    """A Coding, or None when the row has no code."""
    if not system or not code:
        return None
    return Coding(system=system, code=code, display=display)


def main_code(row: Any) -> Coding:
    """The row's code in its category's standard system."""
    return Coding(system=row.code_system, code=row.code, display=row.code_display)


@strawberry.type(description="A measured amount with its UCUM unit.")
class Quantity:
    value: float
    unit: str | None = strawberry.field(description="UCUM unit code, e.g. `mg/dL`.")
    unit_system: str | None = strawberry.field(
        description="Always the UCUM URI when a unit is set."
    )


def quantity(value: float | None, unit: str | None) -> Quantity | None:
    """A Quantity, or None without a value."""
    if value is None:
        return None
    return Quantity(value=value, unit=unit, unit_system=UCUM if unit else None)


@strawberry.type(description="The normal range a result is compared with, in the result's unit.")
class ReferenceRange:
    low: Quantity | None
    high: Quantity | None


def reference_range(
    low: float | None, high: float | None, unit: str | None
) -> ReferenceRange | None:
    """A ReferenceRange, or None when neither bound is known."""
    if low is None and high is None:
        return None
    return ReferenceRange(low=quantity(low, unit), high=quantity(high, unit))


def interpretation(code: str | None) -> Coding | None:
    """HL7 v3 ObservationInterpretation coding of a flag such as H or LL."""
    if not code:
        return None
    return Coding(system=OBSERVATION_INTERPRETATION, code=code, display=INTERPRETATIONS.get(code))


@strawberry.type(description="A person's name.")
class HumanName:
    given: str
    middle: str | None
    family: str
    suffix: str | None
    text: str = strawberry.field(description="The whole name as one line.")

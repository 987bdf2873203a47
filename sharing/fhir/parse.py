"""Reading FHIR R4 elements back into row values: codes, dates, references and mapping errors.

The inverse of the building blocks in `sharing.fhir.codes`; the per-resource readers in
`parse_records`, `parse_observations` and `parse_patient` are built from these.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sharing.fhir.codes import system_uri, well_formed

Resource = dict[str, Any]

_HISTORY = re.compile(r"/_history/[^/]+$")
_RESOURCE_PATH = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$")


class Unmappable(ValueError):
    """A resource that is valid FHIR but cannot become a chartshare row; the message says why."""


@dataclass(slots=True)
class Row:
    """Column values of one row to write, and the references still to resolve into ids."""

    table: str
    source_id: str
    values: dict[str, Any]
    # column -> reference as written in the input (resolved once every file is read)
    links: dict[str, str] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type["Row"], tuple[str, str, dict[str, Any], dict[str, str]]]:
        # Plain tuples pickle several times faster than a dataclass's default state.
        return Row, (self.table, self.source_id, self.values, self.links)


def reference_key(raw: str) -> str:
    """`Type/id` for relative and absolute references; urn:uuid/urn:oid references unchanged."""
    cleaned = raw.strip()
    if cleaned.startswith("urn:"):
        return cleaned
    match = _RESOURCE_PATH.search(_HISTORY.sub("", cleaned))
    return f"{match.group(1)}/{match.group(2)}" if match else cleaned


def reference(element: Any) -> str | None:
    """The reference of a Reference element, if it has one."""
    if isinstance(element, dict):
        value = element.get("reference")
        if isinstance(value, str) and value:
            return value
    return None


def first(items: Any) -> Any:
    """The first element of a list (FHIR repeats), or None."""
    return items[0] if isinstance(items, list) and items else None


def codings(concept: Any) -> list[dict[str, Any]]:
    """The codings of a CodeableConcept that name both a system and a code."""
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding", []) if c.get("system") and c.get("code")]


def status_code(concept: Any) -> str | None:
    """The code of a status-like CodeableConcept (clinicalStatus, verificationStatus)."""
    for item in concept.get("coding", []) if isinstance(concept, dict) else []:
        if item.get("code"):
            return str(item["code"])
    return None


def coded(concept: Any, systems: tuple[str, ...], what: str) -> dict[str, Any]:
    """`code_system`, `code`, `code_display` from the first coding in one of the systems."""
    found = codings(concept)
    for item in found:
        system = system_uri(item["system"])
        if system in systems:
            if not well_formed(system, item["code"]):
                raise Unmappable(f"{what}: {item['code']!r} is not a valid code of {system}")
            display = item.get("display") or concept.get("text") or item["code"]
            return {"code_system": system, "code": item["code"], "code_display": display}
    wanted = " or ".join(systems)
    if not found:
        raise Unmappable(f"{what} has no coding (expected {wanted})")
    seen = ", ".join(sorted({c["system"] for c in found}))
    raise Unmappable(f"{what} is coded in {seen}, expected {wanted}")


def any_coded(concept: Any, what: str) -> dict[str, Any]:
    """Like `coded`, for categories whose code may come from any well-formed system."""
    for item in codings(concept):
        system = system_uri(item["system"])
        if not well_formed(system, item["code"]):
            raise Unmappable(f"{what}: {item['code']!r} is not a valid code of {system}")
        display = item.get("display") or concept.get("text") or item["code"]
        return {"code_system": system, "code": item["code"], "code_display": display}
    raise Unmappable(f"{what} has no coding")


def text(concept: Any) -> str | None:
    """The text of a CodeableConcept, else the display of its first coding."""
    if not isinstance(concept, dict):
        return None
    if concept.get("text"):
        return str(concept["text"])
    for item in concept.get("coding", []):
        if item.get("display"):
            return str(item["display"])
    return None


def display(element: Any) -> str | None:
    """The display of a Reference element."""
    if isinstance(element, dict) and element.get("display"):
        return str(element["display"])
    return None


def to_datetime(raw: Any, what: str) -> datetime:
    """A FHIR dateTime or instant as an aware UTC datetime (a bare date is midnight UTC)."""
    if not isinstance(raw, str) or not raw:
        raise Unmappable(f"{what} is missing")
    if len(raw) <= 10:
        return datetime.combine(to_date(raw, what), datetime.min.time(), tzinfo=UTC)
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if value.tzinfo is None:  # FHIR requires a zone when there is a time; be lenient
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is in the year 0 in UTC
        raise Unmappable(f"{what} {raw} lies outside the years 1 to 9999 in UTC") from None


def to_date(raw: Any, what: str) -> date:
    """A FHIR date (or the day of a dateTime); a year or year-month is its first day."""
    if not isinstance(raw, str) or not raw:
        raise Unmappable(f"{what} is missing")
    day = raw[:10]
    if len(day) == 4:
        day += "-01-01"
    elif len(day) == 7:
        day += "-01"
    return date.fromisoformat(day)


def optional_date(raw: Any, what: str) -> date | None:
    """A FHIR date or dateTime as a date, or None when absent."""
    return None if raw in (None, "") else to_date(raw, what)


def optional_datetime(raw: Any, what: str) -> datetime | None:
    """A FHIR dateTime as an aware UTC datetime, or None when absent."""
    return None if raw in (None, "") else to_datetime(raw, what)


def required(resource: Resource, name: str) -> Any:
    """An element chartshare needs although FHIR lets it be absent."""
    value = resource.get(name)
    if value in (None, "", [], {}):
        raise Unmappable(f"{resource.get('resourceType', 'resource')}.{name} is missing")
    return value

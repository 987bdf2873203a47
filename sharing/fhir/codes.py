"""FHIR building blocks: canonical code system URIs, codings, quantities, dates and references."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from db.code_systems import (
    BCP47,
    CDC_RACE_ETHNICITY,
    CPT,
    CVX,
    ICD10_CM,
    LOINC,
    NDC,
    NUCC,
    NULL_FLAVOR,
    RXNORM,
    SNOMED,
    TERMINOLOGY,
    UCUM,
)

__all__ = [
    "BCP47",
    "CARE_TEAM_MEMBER",
    "CDC_RACE_ETHNICITY",
    "CPT",
    "CVX",
    "ENCOUNTER",
    "ICD10_CM",
    "LOINC",
    "NDC",
    "NUCC",
    "NULL_FLAVOR",
    "RXNORM",
    "SNOMED",
    "TERMINOLOGY",
    "UCUM",
    "US_CORE",
    "References",
    "coding",
    "concept",
    "day",
    "instant",
    "meta",
    "prune",
    "quantity",
    "row_code",
    "system_uri",
    "terminology",
]

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"

# Table names whose resources others refer to.
CARE_TEAM_MEMBER = "care_team_member"
ENCOUNTER = "encounter"

# Names, OIDs and URI spellings the record may hold for each code system.
_ALIASES: dict[str, tuple[str, ...]] = {
    LOINC: ("loinc", "ln", "2.16.840.1.113883.6.1"),
    SNOMED: ("snomed", "snomed ct", "snomed-ct", "snomedct", "sct", "2.16.840.1.113883.6.96"),
    RXNORM: ("rxnorm", "rxn", "2.16.840.1.113883.6.88"),
    CVX: ("cvx", "2.16.840.1.113883.12.292"),
    ICD10_CM: ("icd-10-cm", "icd10cm", "icd-10", "icd10", "2.16.840.1.113883.6.90"),
    CPT: ("cpt", "cpt-4", "cpt4", "2.16.840.1.113883.6.12"),
    UCUM: ("ucum", "2.16.840.1.113883.6.8"),
    NUCC: ("nucc", "nucc provider taxonomy", "2.16.840.1.113883.6.101"),
    NDC: ("ndc", "2.16.840.1.113883.6.69"),
    CDC_RACE_ETHNICITY: ("cdcrec", "cdc race and ethnicity", "2.16.840.1.113883.6.238"),
}
_CANONICAL: dict[str, str] = {
    spelling: uri for uri, spellings in _ALIASES.items() for spelling in (uri, *spellings)
}


def system_uri(raw: str) -> str:
    """The canonical FHIR URI of a code system the record names by URI, OID or common name."""
    cleaned = raw.strip()
    key = cleaned.lower().removeprefix("urn:oid:").rstrip("/")
    if key.startswith("https://"):
        key = "http://" + key.removeprefix("https://")
    return _CANONICAL.get(key, cleaned)


def system_spellings(uri: str) -> tuple[str, ...]:
    """Every lower-cased spelling that `system_uri` turns into this system (for searching)."""
    canonical = system_uri(uri)
    keys = [k for k, v in _CANONICAL.items() if v == canonical] or [canonical.lower()]
    spellings: set[str] = set()
    for key in keys:
        spellings.update({key, key + "/"})
        if key.startswith("http://"):
            secure = "https://" + key.removeprefix("http://")
            spellings.update({secure, secure + "/"})
        elif "://" not in key and key[:1].isdigit():
            spellings.add("urn:oid:" + key)
    return tuple(sorted(spellings))


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A Coding in the canonical system."""
    result: dict[str, Any] = {"system": system_uri(system), "code": code}
    if display:
        result["display"] = display
    return result


def concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """A CodeableConcept of some codings and an optional text."""
    result: dict[str, Any] = {}
    if codings:
        result["coding"] = list(codings)
    if text:
        result["text"] = text
    return result


def row_code(row: Any) -> dict[str, Any]:
    """The CodeableConcept of a coded row's own code."""
    return concept(coding(row.code_system, row.code, row.code_display), text=row.code_display)


def terminology(code_system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A CodeableConcept from one of HL7's terminology.hl7.org code systems."""
    return concept(coding(TERMINOLOGY + code_system, code, display))


def quantity(value: float, unit: str | None) -> dict[str, Any]:
    """A Quantity, UCUM-coded when the unit is known."""
    result: dict[str, Any] = {"value": value}
    if unit:
        result |= {"unit": unit, "system": UCUM, "code": unit}
    return result


def instant(value: datetime) -> str:
    """An aware datetime as a FHIR dateTime in UTC."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: date) -> str:
    """A date as a FHIR date."""
    return value.isoformat()


def meta(profile: str) -> dict[str, Any]:
    """The `meta` of a resource that claims one US Core profile (by its short name)."""
    return {"profile": [US_CORE + profile]}


def prune(resource: dict[str, Any]) -> dict[str, Any]:
    """Drop empty elements: FHIR forbids null, empty strings, lists and objects."""
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}


@dataclass
class References:
    """Full URLs of the resources in one bundle, keyed by table name and row id."""

    base_url: str
    patient_url: str = ""
    urls: dict[tuple[str, int], str] = field(default_factory=dict)

    def full_url(self, kind: str, row_id: int | None) -> str:
        """Register (or look up) the stable urn:uuid of one row's resource."""
        if row_id is None:
            raise ValueError(f"a {kind} row without an id cannot be exported; flush it first")
        key = (kind, row_id)
        if key not in self.urls:
            self.urls[key] = f"urn:uuid:{uuid5(NAMESPACE_URL, f'{self.base_url}/{kind}/{row_id}')}"
        return self.urls[key]

    def to(self, kind: str, row_id: int | None) -> dict[str, str] | None:
        """A Reference to a row's resource if that resource is in the bundle, else None."""
        if row_id is None or (kind, row_id) not in self.urls:
            return None
        return {"reference": self.urls[(kind, row_id)]}

    @property
    def patient(self) -> dict[str, str]:
        """The Reference every clinical resource uses for its subject or patient."""
        return {"reference": self.patient_url}

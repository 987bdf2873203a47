"""A US Core Patient back into demographics: the inverse of `bundle.patient_resource`."""

from typing import Any

from sharing.fhir.bundle import GENDERS
from sharing.fhir.codes import BCP47, US_CORE, system_uri
from sharing.fhir.parse import Resource, Row, Unmappable, codings, first, to_date

_SEX = {gender: sex for sex, gender in GENDERS.items()}
MEDICAL_RECORD_NUMBER = "MR"


def _extension(resource: Resource, name: str) -> dict[str, Any] | None:
    return next((e for e in resource.get("extension", []) if e.get("url") == US_CORE + name), None)


def _race_or_ethnicity(resource: Resource, name: str) -> tuple[str | None, str | None]:
    """The first OMB category (else detailed code) of the race or ethnicity extension."""
    extension = _extension(resource, name)
    if extension is None:
        return None, None
    parts = extension.get("extension", [])
    for slice_name in ("ombCategory", "detailed"):
        for part in parts:
            coding = part.get("valueCoding") or {}
            if part.get("url") == slice_name and coding.get("code"):
                return coding["code"], coding.get("display")
    return None, None


def _official_name(resource: Resource) -> dict[str, Any]:
    names = resource.get("name", [])
    chosen = next((n for n in names if n.get("use") == "official"), first(names))
    if not chosen or not chosen.get("family") or not chosen.get("given"):
        raise Unmappable("Patient has no name with a family and a given name")
    return dict(chosen)


def _medical_record_number(resource: Resource) -> str:
    identifiers = [i for i in resource.get("identifier", []) if i.get("value")]
    for identifier in identifiers:
        if any(c["code"] == MEDICAL_RECORD_NUMBER for c in codings(identifier.get("type"))):
            return str(identifier["value"])
    if not identifiers:
        raise Unmappable("Patient has no identifier to keep as its medical record number")
    return str(identifiers[0]["value"])


def _language(resource: Resource) -> str | None:
    spoken = resource.get("communication", [])
    chosen = next((c for c in spoken if c.get("preferred")), first(spoken))
    for coding in codings((chosen or {}).get("language")):
        if system_uri(coding["system"]) == BCP47:
            return str(coding["code"])
    return None


def patient(resource: Resource, source_id: str) -> list[Row]:
    """Demographics of a Patient; birth sex from US Core, else from the administrative gender."""
    name = _official_name(resource)
    given = name["given"]
    birth_sex = _extension(resource, "us-core-birthsex")
    sex = (birth_sex or {}).get("valueCode") or _SEX.get(resource.get("gender", ""), "UNK")
    race_code, race_display = _race_or_ethnicity(resource, "us-core-race")
    ethnicity_code, ethnicity_display = _race_or_ethnicity(resource, "us-core-ethnicity")
    values = {
        "given_name": given[0],
        "middle_name": " ".join(given[1:]) or None,
        "family_name": name["family"],
        "name_suffix": first(name.get("suffix")),
        "birth_date": to_date(resource.get("birthDate"), "Patient.birthDate"),
        "sex": sex,
        "race_code": race_code,
        "race_display": race_display,
        "ethnicity_code": ethnicity_code,
        "ethnicity_display": ethnicity_display,
        "preferred_language": _language(resource),
        "medical_record_number": _medical_record_number(resource),
    }
    return [Row("patient", source_id, values)]

"""Resources as the FHIR API serves them: the export's mapping with API ids and references.

References are relative (`Encounter/Encounter-7`) and appear only when the grant covers
the category they reach, as GraphQL's links do; the subject is always `Patient/{id}`.
"""

from dataclasses import dataclass
from typing import Any

from db import clinical
from db.patients import Patient
from sharing.fhir.bundle import patient_resource, row_resource
from sharing.fhir.codes import References, coding, concept, meta
from sharing.fhir.ids import resource_type_of, row_resource_id
from sharing.fhir.records import care_team, practitioner
from sharing.scopes import BY_KEY, CategoryKey

Resource = dict[str, Any]
K = CategoryKey
TABLE_KEYS: dict[str, CategoryKey] = {
    str(c.model.__tablename__): c.key for c in BY_KEY.values() if c.key is not K.DEMOGRAPHICS
}
PARENT = coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "PRN", "parent")


@dataclass
class GrantedReferences(References):
    """References for the API: `Type/id`, only to rows of categories the grant covers."""

    granted: frozenset[CategoryKey] = frozenset()

    def to(self, kind: str, row_id: int | None) -> dict[str, str] | None:
        """A relative reference to a row, or None when its category is outside the grant."""
        key = TABLE_KEYS.get(kind)
        if row_id is None or key is None or key not in self.granted:
            return None
        return {"reference": f"{resource_type_of(key)}/{row_resource_id(key, row_id)}"}


def references_for(
    patient_id: int, granted: frozenset[CategoryKey], base_url: str
) -> GrantedReferences:
    """The references of one patient's resources under one grant."""
    return GrantedReferences(
        base_url=base_url.rstrip("/"), patient_url=f"Patient/{patient_id}", granted=granted
    )


def _with_id(resource: Resource, resource_id: str) -> Resource:
    return {"resourceType": resource["resourceType"], "id": resource_id} | resource


def served_row(key: CategoryKey, row: Any, refs: GrantedReferences) -> Resource:
    """One row as the API serves it (care team members as Practitioners)."""
    resource = practitioner(row, refs) if key is K.CARE_TEAM else row_resource(key, row, refs)
    return _with_id(resource, row_resource_id(key, int(row.id)))


def served_patient(patient: Patient, refs: GrantedReferences) -> Resource:
    """The US Core Patient with its demographics; its id is the token's `patient`."""
    resource = patient_resource(patient, base_url=refs.base_url, demographics=True)
    return _with_id(resource, str(patient.id))


def served_care_team(
    members: list[clinical.CareTeamMember], patient_id: int, refs: GrantedReferences
) -> Resource:
    """The patient's one care team; its id is the patient's id."""
    return _with_id(care_team(members, refs), str(patient_id))


def care_team_status(members: list[clinical.CareTeamMember]) -> str:
    """The team's status, as `served_care_team` states it."""
    return str(care_team(members, References(base_url=""))["status"])


def served_related_person(
    *, account_id: int, name: str, relationship: str, patient_id: int
) -> Resource:
    """The representative using an app for someone else's record, as a US Core RelatedPerson."""
    if relationship == "child":
        kind = concept(PARENT, text="Parent or guardian")
    else:
        kind = concept(text="Patient-authorized representative")
    return {
        "resourceType": "RelatedPerson",
        "id": str(account_id),
        "meta": meta("us-core-relatedperson"),
        "active": True,
        "patient": {"reference": f"Patient/{patient_id}"},
        "relationship": [kind],
        "name": [{"text": name}],
    }

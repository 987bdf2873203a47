"""The CapabilityStatement at /fhir/metadata: exactly the resources, searches and security."""

from datetime import datetime
from typing import Any

from sharing.categories import REGISTRY
from sharing.fhir.codes import US_CORE, instant
from sharing.fhir.search_parameters import PARAMETERS

SMART_OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
GRANT_NOTE = (
    "Every request needs a Bearer access token from chartshare's SMART App Launch flow and "
    "reads only the token's patient. A read or search outside the grant is refused with 403 "
    "and an OperationOutcome naming the scope that would allow it. A search that names no "
    "category returns only the categories the grant covers."
)


def _category_profiles(resource_type: str) -> list[str]:
    """The profiles the registry's categories of a resource type claim."""
    return sorted(
        {c.profile for c in REGISTRY.categories if c.resource_type == resource_type and c.profile}
    )


_PROFILES: dict[str, list[str]] = {
    "Patient": ["us-core-patient"],
    "AllergyIntolerance": ["us-core-allergyintolerance"],
    "CarePlan": ["us-core-careplan"],
    "CareTeam": ["us-core-careteam"],
    "Condition": _category_profiles("Condition"),
    "Device": ["us-core-implantable-device"],
    "Encounter": ["us-core-encounter"],
    "Goal": ["us-core-goal"],
    "Immunization": ["us-core-immunization"],
    "MedicationRequest": ["us-core-medicationrequest"],
    "Observation": _category_profiles("Observation"),
    "Procedure": ["us-core-procedure"],
    "ServiceRequest": ["us-core-servicerequest"],
    "Practitioner": ["us-core-practitioner"],
    "RelatedPerson": ["us-core-relatedperson"],
}


def _resource(resource_type: str) -> dict[str, Any]:
    profiles = [US_CORE + name for name in _PROFILES[resource_type]]
    entry: dict[str, Any] = {
        "type": resource_type,
        "profile": "http://hl7.org/fhir/StructureDefinition/" + resource_type,
        "supportedProfile": profiles,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [
            {"name": p.name, "type": p.type, "documentation": p.documentation}
            for p in PARAMETERS[resource_type]
        ],
    }
    if resource_type == "Patient":
        entry["operation"] = [
            {
                "name": "everything",
                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                "documentation": "Every resource of the patient that the grant covers.",
            }
        ]
    return entry


def capability_statement(issuer: str, *, published: datetime) -> dict[str, Any]:
    """The server's CapabilityStatement (FHIR R4, JSON, SMART on FHIR security)."""
    fhir_base = f"{issuer}/fhir"
    oauth = [
        {"url": "authorize", "valueUri": f"{issuer}/oauth/authorize"},
        {"url": "token", "valueUri": f"{issuer}/oauth/token"},
        {"url": "revoke", "valueUri": f"{issuer}/oauth/revoke"},
        {"url": "register", "valueUri": f"{issuer}/oauth/register"},
        {"url": "manage", "valueUri": f"{issuer}/account"},
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": instant(published),
        "publisher": "chartshare",
        "kind": "instance",
        "instantiates": ["http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server"],
        "software": {"name": "chartshare"},
        "implementation": {"description": "chartshare FHIR R4 API", "url": fhir_base},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": GRANT_NOTE,
                "security": {
                    "extension": [{"url": SMART_OAUTH_URIS, "extension": oauth}],
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "description": GRANT_NOTE,
                },
                "resource": [_resource(t) for t in PARAMETERS],
            }
        ],
    }

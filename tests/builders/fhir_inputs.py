"""FHIR R4 input for the import tests: US Core shaped resources and Synthea-like records.

The resources are written for these tests in the shape of the published US Core
examples (same elements, our own values), and like the output of synthetic-record
generators (many encounters, urn:uuid references, contained Medications).
"""

import json
import uuid
from pathlib import Path
from typing import Any

Resource = dict[str, Any]
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
HL7 = "http://terminology.hl7.org/CodeSystem/"
US_CORE = "http://hl7.org/fhir/us/core/"


def concept(system: str, code: str, display: str | None = None) -> Resource:
    coding: Resource = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], **({"text": display} if display else {})}


def category(system: str, code: str) -> list[Resource]:
    return [{"coding": [{"system": system, "code": code}]}]


def ref(target: str) -> Resource:
    return {"reference": target}


def us_core_patient(mrn: str = "1032702", family: str = "Shaw") -> Resource:
    return {
        "resourceType": "Patient",
        "meta": {"profile": [US_CORE + "StructureDefinition/us-core-patient"]},
        "extension": [
            {
                "url": US_CORE + "StructureDefinition/us-core-race",
                "extension": [
                    {
                        "url": "ombCategory",
                        "valueCoding": {
                            "system": "urn:oid:2.16.840.1.113883.6.238",
                            "code": "2106-3",
                            "display": "White",
                        },
                    },
                    {"url": "text", "valueString": "White"},
                ],
            },
            {
                "url": US_CORE + "StructureDefinition/us-core-ethnicity",
                "extension": [
                    {
                        "url": "ombCategory",
                        "valueCoding": {
                            "system": "urn:oid:2.16.840.1.113883.6.238",
                            "code": "2186-5",
                            "display": "Not Hispanic or Latino",
                        },
                    },
                    {"url": "text", "valueString": "Not Hispanic or Latino"},
                ],
            },
            {"url": US_CORE + "StructureDefinition/us-core-birthsex", "valueCode": "F"},
        ],
        "identifier": [
            {
                "use": "usual",
                "type": concept(HL7 + "v2-0203", "MR", "Medical Record Number"),
                "system": "http://hospital.example.org",
                "value": mrn,
            }
        ],
        "active": True,
        "name": [
            {"use": "old", "family": "Old", "given": ["Name"]},
            {"use": "official", "family": family, "given": ["Amy", "V."], "suffix": ["PhD"]},
        ],
        "telecom": [{"system": "phone", "value": "555-555-5555", "use": "home"}],
        "gender": "female",
        "birthDate": "1987-02-20",
        "address": [
            {"line": ["49 Meadow St"], "city": "Mounds", "state": "OK", "postalCode": "74047"}
        ],
        "communication": [
            {"language": concept("urn:ietf:bcp:47", "en-US", "English"), "preferred": True}
        ],
    }


def us_core_transaction() -> Resource:
    """One patient's record as a transaction Bundle: urn:uuid fullUrls, resources without ids."""
    ids = {
        name: f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_DNS, name + '.us-core.test')}"
        for name in (
            "patient",
            "doctor",
            "team",
            "visit",
            "a1c",
            "bp",
            "smoking",
            "problem",
            "diagnosis",
            "concern",
            "allergy",
            "flu",
            "statin",
            "implant",
            "pacemaker",
            "goal",
            "plan",
            "referral",
            "org",
            "report",
        )
    }
    patient = ids["patient"]
    resources: list[tuple[str, Resource]] = [
        ("patient", us_core_patient()),
        (
            "doctor",
            {
                "resourceType": "Practitioner",
                "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "9941339108"}],
                "name": [{"family": "Bone", "given": ["Ronald"], "prefix": ["Dr"]}],
                "telecom": [{"system": "phone", "value": "555-0142", "use": "work"}],
            },
        ),
        (
            "team",
            {
                "resourceType": "CareTeam",
                "status": "active",
                "subject": ref(patient),
                "period": {"start": "2019-03-01"},
                "participant": [
                    {
                        "role": [
                            concept(
                                "http://nucc.org/provider-taxonomy", "207Q00000X", "Family Medicine"
                            )
                        ],
                        "member": ref(ids["doctor"]),
                        "onBehalfOf": {"display": "Acme Clinic"},
                    },
                    {"role": [concept(SNOMED, "116154003", "Patient")], "member": ref(patient)},
                ],
            },
        ),
        (
            "visit",
            {
                "resourceType": "Encounter",
                "status": "finished",
                "class": {"system": HL7 + "v3-ActCode", "code": "AMB", "display": "ambulatory"},
                "type": [concept("http://www.ama-assn.org/go/cpt", "99201", "Office visit")],
                "subject": ref(patient),
                "participant": [{"individual": ref(ids["doctor"])}],
                "period": {
                    "start": "2015-11-01T17:00:14-05:00",
                    "end": "2015-11-01T18:00:14-05:00",
                },
                "location": [{"location": {"display": "Acme Clinic, Room 2"}}],
            },
        ),
        (
            "a1c",
            {
                "resourceType": "Observation",
                "status": "final",
                "category": category(HL7 + "observation-category", "laboratory"),
                "code": concept(LOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
                "subject": ref(patient),
                "encounter": ref(ids["visit"]),
                "effectiveDateTime": "2015-11-01T17:30:00-05:00",
                "valueQuantity": {"value": 7.4, "unit": "%", "system": UCUM, "code": "%"},
                "interpretation": [concept(HL7 + "v3-ObservationInterpretation", "H", "High")],
                "referenceRange": [
                    {
                        "low": {"value": 4, "unit": "%", "system": UCUM, "code": "%"},
                        "high": {"value": 5.6, "unit": "%", "system": UCUM, "code": "%"},
                    }
                ],
            },
        ),
        (
            "bp",
            {
                "resourceType": "Observation",
                "status": "final",
                "category": category(HL7 + "observation-category", "vital-signs"),
                "code": concept(LOINC, "85354-9", "Blood pressure panel"),
                "subject": ref(patient),
                "encounter": ref(ids["visit"]),
                "effectiveDateTime": "2015-11-01T17:10:00-05:00",
                "component": [
                    {
                        "code": concept(LOINC, "8480-6", "Systolic blood pressure"),
                        "valueQuantity": {
                            "value": 109,
                            "unit": "mmHg",
                            "system": UCUM,
                            "code": "mm[Hg]",
                        },
                    },
                    {
                        "code": concept(LOINC, "8462-4", "Diastolic blood pressure"),
                        "valueQuantity": {
                            "value": 44,
                            "unit": "mmHg",
                            "system": UCUM,
                            "code": "mm[Hg]",
                        },
                    },
                ],
            },
        ),
        (
            "smoking",
            {
                "resourceType": "Observation",
                "status": "final",
                "category": category(HL7 + "observation-category", "social-history"),
                "code": concept(LOINC, "72166-2", "Tobacco smoking status"),
                "subject": ref(patient),
                "effectiveDateTime": "2016-05-18T22:33:22Z",
                "valueCodeableConcept": concept(SNOMED, "449868002", "Current every day smoker"),
            },
        ),
        (
            "problem",
            {
                "resourceType": "Condition",
                "clinicalStatus": concept(HL7 + "condition-clinical", "active"),
                "verificationStatus": concept(HL7 + "condition-ver-status", "confirmed"),
                "category": category(HL7 + "condition-category", "problem-list-item"),
                "code": {
                    "coding": [
                        {
                            "system": SNOMED,
                            "code": "442311008",
                            "display": "Liveborn born in hospital",
                        },
                        {"system": ICD10, "code": "Z38.00", "display": "Single liveborn infant"},
                    ],
                    "text": "Single liveborn, born in hospital",
                },
                "subject": ref(patient),
                "onsetDateTime": "2016-08-10",
                "recordedDate": "2016-08-10T07:15:07-08:00",
            },
        ),
        (
            "diagnosis",
            {
                "resourceType": "Condition",
                "clinicalStatus": concept(HL7 + "condition-clinical", "active"),
                "verificationStatus": concept(HL7 + "condition-ver-status", "confirmed"),
                "category": category(HL7 + "condition-category", "encounter-diagnosis"),
                "code": concept(SNOMED, "10509002", "Acute bronchitis"),
                "subject": ref(patient),
                "encounter": ref(ids["visit"]),
                "recordedDate": "2015-11-01T17:40:00-05:00",
            },
        ),
        (
            "concern",
            {
                "resourceType": "Condition",
                "clinicalStatus": concept(HL7 + "condition-clinical", "active"),
                "verificationStatus": concept(HL7 + "condition-ver-status", "unconfirmed"),
                "category": category(US_CORE + "CodeSystem/condition-category", "health-concern"),
                "code": concept(SNOMED, "161888007", "Family history of diabetes"),
                "subject": ref(patient),
                "recordedDate": "2016-01-01T00:00:00Z",
            },
        ),
        (
            "allergy",
            {
                "resourceType": "AllergyIntolerance",
                "clinicalStatus": concept(HL7 + "allergyintolerance-clinical", "active"),
                "verificationStatus": concept(HL7 + "allergyintolerance-verification", "confirmed"),
                "category": ["medication"],
                "criticality": "high",
                "code": concept(RXNORM, "1160593", "cefprozil"),
                "patient": ref(patient),
                "onsetDateTime": "2012-04",
                "recordedDate": "2012-04-05T10:00:00Z",
                "reaction": [
                    {
                        "manifestation": [concept(SNOMED, "271807003", "skin rash")],
                        "severity": "mild",
                    }
                ],
            },
        ),
        (
            "flu",
            {
                "resourceType": "Immunization",
                "status": "completed",
                "vaccineCode": concept(CVX, "158", "influenza, injectable, quadrivalent"),
                "patient": ref(patient),
                "occurrenceDateTime": "2016-04-06",
                "primarySource": True,
                "lotNumber": "AAJN11K",
                "site": concept(HL7 + "v3-ActSite", "LA", "left arm"),
                "performer": [{"actor": {"display": "Acme Clinic"}}],
            },
        ),
        (
            "statin",
            {
                "resourceType": "MedicationRequest",
                "status": "active",
                "intent": "order",
                "contained": [
                    {
                        "resourceType": "Medication",
                        "id": "med1",
                        "code": concept(RXNORM, "617314", "atorvastatin 10 MG Oral Tablet"),
                    }
                ],
                "medicationReference": ref("#med1"),
                "subject": ref(patient),
                "encounter": ref(ids["visit"]),
                "authoredOn": "2015-11-01T17:45:00-05:00",
                "requester": ref(ids["doctor"]),
                "dosageInstruction": [
                    {
                        "text": "Take 1 tablet by mouth at bedtime",
                        "route": concept(SNOMED, "26643006", "Oral route"),
                    }
                ],
                "dispenseRequest": {"numberOfRepeatsAllowed": 2},
            },
        ),
        (
            "implant",
            {
                "resourceType": "Procedure",
                "status": "completed",
                "code": concept(SNOMED, "233174007", "Implantation of cardiac pacemaker"),
                "subject": ref(patient),
                "encounter": ref(ids["visit"]),
                "performedPeriod": {"start": "2015-11-01T17:20:00-05:00"},
                "focalDevice": [{"manipulated": ref(ids["pacemaker"])}],
            },
        ),
        (
            "pacemaker",
            {
                "resourceType": "Device",
                "status": "active",
                "udiCarrier": [
                    {
                        "deviceIdentifier": "09504000059118",
                        "carrierHRF": "(01)09504000059118(17)141120(10)7654321D(21)10987654d321",
                    }
                ],
                "expirationDate": "2014-11-20",
                "lotNumber": "7654321D",
                "serialNumber": "10987654d321",
                "type": concept(SNOMED, "14106009", "Cardiac pacemaker"),
                "patient": ref(patient),
            },
        ),
        (
            "goal",
            {
                "resourceType": "Goal",
                "lifecycleStatus": "active",
                "description": {
                    "coding": [{"system": SNOMED, "code": "289169006", "display": "Weight loss"}],
                    "text": "Patient is targeting a pulse oximetry of 92% and a weight of 195 lbs",
                },
                "subject": ref(patient),
                "startDate": "2016-04-01",
                "target": [{"dueDate": "2016-04-05"}],
            },
        ),
        (
            "plan",
            {
                "resourceType": "CarePlan",
                "status": "active",
                "intent": "order",
                "text": {
                    "status": "additional",
                    "div": '<div xmlns="http://www.w3.org/1999/xhtml">'
                    "Assessment: weight gain. Plan: diet.</div>",
                },
                "category": [
                    concept(US_CORE + "CodeSystem/careplan-category", "assess-plan"),
                    concept(SNOMED, "734163000", "Care plan"),
                ],
                "description": "Low sodium diet; walk 30 minutes daily.",
                "subject": ref(patient),
                "created": "2016-04-06T12:00:00Z",
            },
        ),
        (
            "referral",
            {
                "resourceType": "ServiceRequest",
                "status": "active",
                "intent": "order",
                "code": concept(SNOMED, "306206005", "Referral to service"),
                "subject": ref(patient),
                "encounter": ref(ids["visit"]),
                "authoredOn": "2015-11-02",
                "requester": ref(ids["doctor"]),
                "performer": [{"display": "Dr. Cardio"}],
                "reasonCode": [concept(SNOMED, "49436004", "Atrial fibrillation")],
            },
        ),
        ("org", {"resourceType": "Organization", "name": "Acme Clinic"}),
        (
            "report",
            {
                "resourceType": "DiagnosticReport",
                "status": "final",
                "code": concept(LOINC, "58410-2", "CBC panel"),
                "subject": ref(patient),
            },
        ),
    ]
    entries = [
        {
            "fullUrl": ids[name],
            "resource": resource,
            "request": {"method": "POST", "url": resource["resourceType"]},
        }
        for name, resource in resources
    ]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def synthea_record(number: int, *, encounters: int = 30) -> Resource:
    """A generated-record style collection Bundle: urn:uuid everywhere, contained Medications."""

    def uid(kind: str, n: int = 0) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_OID, f"synthea-{number}-{kind}-{n}"))

    patient_id = uid("patient")
    doctor = uid("doctor")
    entries: list[Resource] = []

    def add(resource: Resource) -> None:
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})

    patient = us_core_patient(mrn=f"SYN-{number:05d}", family=f"Synthetic{number}") | {
        "id": patient_id
    }
    add(patient)
    add(
        {
            "resourceType": "Practitioner",
            "id": doctor,
            "name": [{"family": f"Doctor{number}", "given": ["Pat"]}],
            "identifier": [
                {"system": "http://hl7.org/fhir/sid/us-npi", "value": f"{9990000000 + number}"}
            ],
        }
    )
    add(
        {
            "resourceType": "CareTeam",
            "id": uid("team"),
            "status": "active",
            "subject": ref(f"urn:uuid:{patient_id}"),
            "period": {"start": "2010-01-01"},
            "participant": [
                {
                    "role": [concept(SNOMED, "223366009", "Healthcare professional")],
                    "member": ref(f"urn:uuid:{doctor}"),
                }
            ],
        }
    )
    for e in range(encounters):
        visit = uid("encounter", e)
        day = f"20{10 + e % 14:02d}-{1 + e % 12:02d}-{1 + e % 27:02d}"
        add(
            {
                "resourceType": "Encounter",
                "id": visit,
                "status": "finished",
                "class": {"system": HL7 + "v3-ActCode", "code": "AMB"},
                "type": [concept(SNOMED, "185349003", "Encounter for check up (procedure)")],
                "subject": ref(f"urn:uuid:{patient_id}"),
                "participant": [{"individual": ref(f"urn:uuid:{doctor}")}],
                "period": {"start": f"{day}T09:00:00+00:00", "end": f"{day}T09:30:00+00:00"},
            }
        )
        add(
            {
                "resourceType": "Observation",
                "id": uid("weight", e),
                "status": "final",
                "category": category(HL7 + "observation-category", "vital-signs"),
                "code": concept(LOINC, "29463-7", "Body Weight"),
                "subject": ref(f"urn:uuid:{patient_id}"),
                "encounter": ref(f"urn:uuid:{visit}"),
                "effectiveDateTime": f"{day}T09:05:00+00:00",
                "valueQuantity": {"value": 70 + e / 10, "unit": "kg", "system": UCUM, "code": "kg"},
            }
        )
        add(
            {
                "resourceType": "Observation",
                "id": uid("glucose", e),
                "status": "final",
                "category": category(HL7 + "observation-category", "laboratory"),
                "code": concept(LOINC, "2339-0", "Glucose"),
                "subject": ref(f"urn:uuid:{patient_id}"),
                "encounter": ref(f"urn:uuid:{visit}"),
                "effectiveDateTime": f"{day}T09:10:00+00:00",
                "valueQuantity": {
                    "value": 90 + e,
                    "unit": "mg/dL",
                    "system": UCUM,
                    "code": "mg/dL",
                },
            }
        )
        add(
            {
                "resourceType": "Condition",
                "id": uid("dx", e),
                "clinicalStatus": concept(HL7 + "condition-clinical", "active"),
                "verificationStatus": concept(HL7 + "condition-ver-status", "confirmed"),
                "category": category(HL7 + "condition-category", "encounter-diagnosis"),
                "code": concept(SNOMED, "444814009", "Viral sinusitis (disorder)"),
                "subject": ref(f"urn:uuid:{patient_id}"),
                "encounter": ref(f"urn:uuid:{visit}"),
                "onsetDateTime": f"{day}T09:00:00+00:00",
                "recordedDate": f"{day}T09:00:00+00:00",
            }
        )
        add(
            {
                "resourceType": "MedicationRequest",
                "id": uid("rx", e),
                "status": "stopped",
                "intent": "order",
                "contained": [
                    {
                        "resourceType": "Medication",
                        "id": "m",
                        "code": concept(
                            RXNORM, "834061", "Penicillin V Potassium 250 MG Oral Tablet"
                        ),
                    }
                ],
                "medicationReference": ref("#m"),
                "subject": ref(f"urn:uuid:{patient_id}"),
                "encounter": ref(f"urn:uuid:{visit}"),
                "authoredOn": f"{day}T09:20:00+00:00",
                "requester": ref(f"urn:uuid:{doctor}"),
            }
        )
        add(
            {
                "resourceType": "Claim",
                "id": uid("claim", e),
                "status": "active",
                "type": concept(HL7 + "claim-type", "institutional"),
                "use": "claim",
                "patient": ref(f"urn:uuid:{patient_id}"),
                "created": f"{day}T09:30:00+00:00",
                "provider": {"display": "Clinic"},
                "priority": concept(HL7 + "processpriority", "normal"),
                "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Medicaid"}}],
            }
        )
    add(
        {
            "resourceType": "Immunization",
            "id": uid("flu"),
            "status": "completed",
            "vaccineCode": concept(
                CVX, "140", "Influenza, seasonal, injectable, preservative free"
            ),
            "patient": ref(f"urn:uuid:{patient_id}"),
            "occurrenceDateTime": "2020-10-01T10:00:00+00:00",
            "primarySource": True,
        }
    )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def write_ndjson(path: Path, resources: list[Resource]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path


def resources_of(bundle: Resource) -> list[Resource]:
    return [entry["resource"] for entry in bundle["entry"]]

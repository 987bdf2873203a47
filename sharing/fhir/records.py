"""One FHIR R4 resource per clinical row, in the shapes US Core expects."""

from html import escape
from typing import Any

from db import clinical
from sharing.fhir.codes import (
    CARE_TEAM_MEMBER,
    CVX,
    ENCOUNTER,
    SNOMED,
    References,
    coding,
    concept,
    day,
    instant,
    meta,
    prune,
    row_code,
    terminology,
)

Resource = dict[str, Any]

# The SNOMED CT ServiceRequest category of every referral ("Patient referral").
REFERRAL_CATEGORY = "3457005"
# HL7 v3 ActCode encounter classes the record uses.
ENCOUNTER_CLASSES = {
    "AMB": "ambulatory",
    "IMP": "inpatient encounter",
    "EMER": "emergency",
    "VR": "virtual",
    "HH": "home health",
}
# R4 Device has no implant date; chartshare's own extension (under the server's base URL) keeps it.
IMPLANT_DATE = "/fhir/StructureDefinition/implant-date"


def practitioner(row: clinical.CareTeamMember, refs: References) -> Resource:
    """A care team member as a Practitioner (NPI when known)."""
    identifier = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": row.npi}] if row.npi else []
    telecom = [{"system": "phone", "value": row.phone, "use": "work"}] if row.phone else []
    return prune(
        {
            "resourceType": "Practitioner",
            "meta": meta("us-core-practitioner"),
            "identifier": identifier,
            "name": [{"text": row.name}],
            "telecom": telecom,
        }
    )


def care_team(rows: list[clinical.CareTeamMember], refs: References) -> Resource:
    """The patient's care team, one participant per member."""
    participants = [
        prune(
            {
                "role": [concept(coding(m.role_system, m.role_code, m.role_display))],
                "member": refs.to(CARE_TEAM_MEMBER, m.id),
                "onBehalfOf": {"display": m.organization} if m.organization else None,
                "period": prune(
                    {"start": day(m.period_start), "end": m.period_end and day(m.period_end)}
                ),
            }
        )
        for m in rows
    ]
    active = any(m.status == "active" for m in rows)
    return {
        "resourceType": "CareTeam",
        "meta": meta("us-core-careteam"),
        "status": "active" if active else "inactive",
        "name": "Care team",
        "subject": refs.patient,
        "participant": participants,
    }


def allergy(row: clinical.AllergyIntolerance, refs: References) -> Resource:
    """An AllergyIntolerance with its reaction."""
    reaction = None
    if row.reaction_code:
        manifestation = concept(coding(SNOMED, row.reaction_code, row.reaction_display))
        reaction = [prune({"manifestation": [manifestation], "severity": row.reaction_severity})]
    return prune(
        {
            "resourceType": "AllergyIntolerance",
            "meta": meta("us-core-allergyintolerance"),
            "clinicalStatus": terminology("allergyintolerance-clinical", row.clinical_status),
            "verificationStatus": terminology(
                "allergyintolerance-verification", row.verification_status
            ),
            "category": [row.category],
            "criticality": row.criticality,
            "code": row_code(row),
            "patient": refs.patient,
            "onsetDateTime": row.onset_date and day(row.onset_date),
            "recordedDate": instant(row.recorded_at),
            "reaction": reaction,
        }
    )


def care_plan(row: clinical.CarePlan, refs: References) -> Resource:
    """An assessment and plan as a US Core CarePlan with a narrative."""
    div = (
        '<div xmlns="http://www.w3.org/1999/xhtml">'
        f"<p><b>Assessment:</b> {escape(row.assessment)}</p>"
        f"<p><b>Plan:</b> {escape(row.plan)}</p></div>"
    )
    assess_plan = coding("http://hl7.org/fhir/us/core/CodeSystem/careplan-category", "assess-plan")
    return prune(
        {
            "resourceType": "CarePlan",
            "meta": meta("us-core-careplan"),
            "text": {"status": "additional", "div": div},
            "status": row.status,
            "intent": "plan",
            "category": [concept(assess_plan), row_code(row)],
            "description": row.plan,
            "subject": refs.patient,
            "encounter": refs.to(ENCOUNTER, row.encounter_id),
            "created": instant(row.authored_at),
        }
    )


def encounter(row: clinical.Encounter, refs: References) -> Resource:
    """A visit, with its class, type, period, clinician and place."""
    provider = refs.to(CARE_TEAM_MEMBER, row.provider_id)
    return prune(
        {
            "resourceType": "Encounter",
            "meta": meta("us-core-encounter"),
            "status": row.status,
            "class": coding(
                "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                row.class_code,
                ENCOUNTER_CLASSES.get(row.class_code),
            ),
            "type": [row_code(row)],
            "subject": refs.patient,
            "participant": [{"individual": provider}] if provider else None,
            "period": prune(
                {"start": instant(row.start_at), "end": row.end_at and instant(row.end_at)}
            ),
            "location": [{"location": {"display": row.location}}] if row.location else None,
        }
    )


def goal(row: clinical.Goal, refs: References) -> Resource:
    """A Goal with its target date."""
    achievement = None
    if row.achievement_status:
        achievement = terminology("goal-achievement", row.achievement_status)
    return prune(
        {
            "resourceType": "Goal",
            "meta": meta("us-core-goal"),
            "lifecycleStatus": row.lifecycle_status,
            "achievementStatus": achievement,
            "description": concept(
                coding(row.code_system, row.code, row.code_display), text=row.description
            ),
            "subject": refs.patient,
            "startDate": day(row.start_date),
            "target": [{"dueDate": day(row.target_date)}] if row.target_date else None,
            "expressedBy": {"display": row.expressed_by} if row.expressed_by else None,
        }
    )


def immunization(row: clinical.Immunization, refs: References) -> Resource:
    """A CVX-coded Immunization."""
    return prune(
        {
            "resourceType": "Immunization",
            "meta": meta("us-core-immunization"),
            "status": row.status,
            "vaccineCode": concept(coding(CVX, row.code, row.code_display), text=row.code_display),
            "patient": refs.patient,
            "occurrenceDateTime": instant(row.occurred_at),
            "primarySource": row.primary_source,
            "lotNumber": row.lot_number,
            "site": concept(text=row.site) if row.site else None,
            "performer": [{"actor": {"display": row.performer}}] if row.performer else None,
        }
    )


def device(row: clinical.ImplantableDevice, refs: References) -> Resource:
    """An implantable Device with its UDI."""
    udi = {"deviceIdentifier": row.udi_device_identifier, "carrierHRF": row.udi_carrier}
    implanted = {"url": refs.base_url + IMPLANT_DATE, "valueDate": day(row.implanted_on)}
    return prune(
        {
            "resourceType": "Device",
            "meta": meta("us-core-implantable-device"),
            "extension": [implanted],
            "udiCarrier": [udi],
            "status": row.status,
            "manufacturer": row.manufacturer,
            "manufactureDate": row.manufactured_on and day(row.manufactured_on),
            "expirationDate": row.expires_on and day(row.expires_on),
            "lotNumber": row.lot_number,
            "serialNumber": row.serial_number,
            "modelNumber": row.model_number,
            "type": row_code(row),
            "patient": refs.patient,
        }
    )


def medication_request(row: clinical.MedicationRequest, refs: References) -> Resource:
    """An RxNorm-coded MedicationRequest with its dosage and prescriber."""
    dosage = prune(
        {"text": row.dosage_text, "route": concept(text=row.route) if row.route else None}
    )
    return prune(
        {
            "resourceType": "MedicationRequest",
            "meta": meta("us-core-medicationrequest"),
            "status": row.status,
            "intent": row.intent,
            "medicationCodeableConcept": row_code(row),
            "subject": refs.patient,
            "encounter": refs.to(ENCOUNTER, row.encounter_id),
            "authoredOn": instant(row.authored_at),
            "requester": refs.to(CARE_TEAM_MEMBER, row.prescriber_id),
            "dosageInstruction": [dosage] if dosage else None,
            "dispenseRequest": (
                {"numberOfRepeatsAllowed": row.refills} if row.refills is not None else None
            ),
        }
    )


def procedure(row: clinical.Procedure, refs: References) -> Resource:
    """A CPT or SNOMED CT coded Procedure."""
    return prune(
        {
            "resourceType": "Procedure",
            "meta": meta("us-core-procedure"),
            "status": row.status,
            "code": row_code(row),
            "subject": refs.patient,
            "encounter": refs.to(ENCOUNTER, row.encounter_id),
            "performedDateTime": instant(row.performed_at),
            "bodySite": [concept(text=row.body_site)] if row.body_site else None,
        }
    )


def referral(row: clinical.Referral, refs: References) -> Resource:
    """A referral as a ServiceRequest with its reason."""
    reason = None
    if row.reason_code and row.reason_system:
        reason = concept(
            coding(row.reason_system, row.reason_code, row.reason_display), text=row.reason_text
        )
    elif row.reason_text:
        reason = concept(text=row.reason_text)
    return prune(
        {
            "resourceType": "ServiceRequest",
            "meta": meta("us-core-servicerequest"),
            "status": row.status,
            "intent": "order",
            "category": [concept(coding(SNOMED, REFERRAL_CATEGORY, "Patient referral"))],
            "code": row_code(row),
            "subject": refs.patient,
            "encounter": refs.to(ENCOUNTER, row.encounter_id),
            "authoredOn": instant(row.authored_at),
            "requester": refs.to(CARE_TEAM_MEMBER, row.requester_id),
            "performer": [{"display": row.referred_to}] if row.referred_to else None,
            "reasonCode": [reason] if reason else None,
        }
    )

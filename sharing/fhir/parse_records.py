"""FHIR R4 (US Core) resources back into clinical rows: the inverse of `sharing.fhir.records`."""

import html
import re
from typing import Any

from sharing.fhir.codes import CARE_TEAM_MEMBER, CPT, CVX, LOINC, RXNORM, SNOMED
from sharing.fhir.parse import (
    Resource,
    Row,
    Unmappable,
    any_coded,
    coded,
    display,
    first,
    optional_date,
    optional_datetime,
    reference,
    required,
    status_code,
    text,
    to_date,
    to_datetime,
)
from sharing.fhir.records import IMPLANT_DATE

_ASSESSMENT = re.compile(r"<p><b>Assessment:</b> ?(.*?)</p>", re.DOTALL)
_PLAN = re.compile(r"<p><b>Plan:</b> ?(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
ASSESS_PLAN = "assess-plan"


def _narrative(resource: Resource) -> str:
    div = (resource.get("text") or {}).get("div", "")
    return " ".join(html.unescape(_TAG.sub(" ", div)).split())


def practitioner(resource: Resource, source_id: str) -> list[Row]:
    """A Practitioner as the name, NPI and phone its care team membership will carry."""
    name = first(resource.get("name")) or {}
    full = name.get("text") or " ".join(
        [*name.get("prefix", []), *name.get("given", []), name.get("family", ""),
         *name.get("suffix", [])]
    ).strip()  # fmt: skip
    if not full:
        raise Unmappable("Practitioner has no name")
    npi = next(
        (i.get("value") for i in resource.get("identifier", [])
         if i.get("system") == "http://hl7.org/fhir/sid/us-npi"),
        None,
    )  # fmt: skip
    phone = next(
        (t.get("value") for t in resource.get("telecom", []) if t.get("system") == "phone"), None
    )
    values = {"name": full, "npi": npi, "phone": phone}
    return [Row("practitioner", source_id, values)]


def medication(resource: Resource, source_id: str) -> list[Row]:
    """A Medication as the RxNorm code of the requests that refer to it."""
    return [Row("medication", source_id, coded(resource.get("code"), (RXNORM,), "Medication.code"))]


def care_team(resource: Resource, source_id: str) -> list[Row]:
    """One care team member row per participant that is a Practitioner."""
    status = "active" if resource.get("status") == "active" else "inactive"
    team_start = (resource.get("period") or {}).get("start")
    rows: list[Row] = []
    for position, participant in enumerate(resource.get("participant", [])):
        member = participant.get("member") or {}
        ref = reference(member)
        if ref is None or not (
            ref.startswith(("urn:", "Practitioner/")) or "/Practitioner/" in ref
        ):
            continue  # the patient, an organization or a relative: not a care team member row
        period = participant.get("period") or {}
        start = period.get("start") or team_start
        if not start:
            raise Unmappable(f"CareTeam.participant[{position}] has no period start")
        role = any_coded(first(participant.get("role")), f"CareTeam.participant[{position}].role")
        values = {
            "name": display(member),
            "role_system": role["code_system"],
            "role_code": role["code"],
            "role_display": role["code_display"],
            "organization": display(participant.get("onBehalfOf")),
            "status": status,
            "period_start": to_date(start, "CareTeam.participant.period.start"),
            "period_end": optional_date(period.get("end"), "CareTeam.participant.period.end"),
        }
        rows.append(Row(CARE_TEAM_MEMBER, source_id, values, {"member": ref}))
    return rows


def allergy(resource: Resource, source_id: str) -> list[Row]:
    """An AllergyIntolerance with its first reaction."""
    reaction = first(resource.get("reaction")) or {}
    manifestation = first(reaction.get("manifestation"))
    reaction_code = any_coded(manifestation, "reaction") if manifestation else {}
    values = coded(resource.get("code"), (RXNORM, SNOMED), "AllergyIntolerance.code") | {
        "clinical_status": status_code(required(resource, "clinicalStatus")),
        "verification_status": status_code(required(resource, "verificationStatus")),
        "category": first(required(resource, "category")),
        "criticality": resource.get("criticality"),
        "reaction_code": reaction_code.get("code"),
        "reaction_display": reaction_code.get("code_display"),
        "reaction_severity": reaction.get("severity"),
        "onset_date": optional_date(resource.get("onsetDateTime"), "onsetDateTime"),
        "recorded_at": to_datetime(resource.get("recordedDate"), "AllergyIntolerance.recordedDate"),
    }
    return [Row("allergy_intolerance", source_id, values)]


def care_plan(resource: Resource, source_id: str) -> list[Row]:
    """An assessment and plan; the code is its category besides `assess-plan`."""
    kinds = [
        c for c in resource.get("category", [])
        if not any(coding.get("code") == ASSESS_PLAN for coding in c.get("coding", []))
    ]  # fmt: skip
    if not kinds:
        raise Unmappable("CarePlan has no coded category besides assess-plan")
    div = (resource.get("text") or {}).get("div", "")
    assessment = _ASSESSMENT.search(div)
    plan = _PLAN.search(div)
    activities = [text((a.get("detail") or {}).get("code")) for a in resource.get("activity", [])]
    values = any_coded(kinds[0], "CarePlan.category") | {
        "status": resource.get("status"),
        "assessment": html.unescape(assessment.group(1)) if assessment else _narrative(resource),
        "plan": html.unescape(plan.group(1))
        if plan
        else resource.get("description") or "; ".join(a for a in activities if a),
        "authored_at": to_datetime(
            resource.get("created") or (resource.get("period") or {}).get("start"),
            "CarePlan.created",
        ),
    }
    return [Row("care_plan", source_id, values, _encounter(resource))]


def _encounter(resource: Resource) -> dict[str, str]:
    ref = reference(resource.get("encounter"))
    return {"encounter_id": ref} if ref else {}


def encounter(resource: Resource, source_id: str) -> list[Row]:
    """A visit, with its class, type, period, clinician and place."""
    period = resource.get("period") or {}
    provider = next(
        (reference(p.get("individual")) for p in resource.get("participant", [])
         if reference(p.get("individual"))),
        None,
    )  # fmt: skip
    location = first(resource.get("location")) or {}
    values = coded(first(resource.get("type")), (CPT, SNOMED), "Encounter.type") | {
        "class_code": required(resource, "class").get("code"),
        "status": resource.get("status"),
        "start_at": to_datetime(period.get("start"), "Encounter.period.start"),
        "end_at": optional_datetime(period.get("end"), "Encounter.period.end"),
        "location": display(location.get("location")),
    }
    links = {"provider_id": provider} if provider else {}
    return [Row("encounter", source_id, values, links)]


def goal(resource: Resource, source_id: str) -> list[Row]:
    """A Goal with its target date."""
    description = resource.get("description") or {}
    target = first(resource.get("target")) or {}
    values = coded(description, (SNOMED, LOINC), "Goal.description") | {
        "description": description.get("text") or text(description),
        "lifecycle_status": resource.get("lifecycleStatus"),
        "achievement_status": status_code(resource.get("achievementStatus")),
        "start_date": to_date(resource.get("startDate"), "Goal.startDate"),
        "target_date": optional_date(target.get("dueDate"), "Goal.target.dueDate"),
        "expressed_by": display(resource.get("expressedBy")),
    }
    return [Row("goal", source_id, values)]


def immunization(resource: Resource, source_id: str) -> list[Row]:
    """A CVX-coded Immunization."""
    performer = first(resource.get("performer")) or {}
    values = coded(resource.get("vaccineCode"), (CVX,), "Immunization.vaccineCode") | {
        "status": resource.get("status"),
        "occurred_at": to_datetime(
            resource.get("occurrenceDateTime"), "Immunization.occurrenceDateTime"
        ),
        "primary_source": resource.get("primarySource", True),
        "lot_number": resource.get("lotNumber"),
        "site": text(resource.get("site")),
        "performer": display(performer.get("actor")),
    }
    return [Row("immunization", source_id, values)]


def device(resource: Resource, source_id: str) -> list[Row]:
    """An implantable Device; the implant date comes from our extension or a Procedure."""
    udi = first(resource.get("udiCarrier")) or {}
    implanted = next(
        (e.get("valueDate") or e.get("valueDateTime") for e in resource.get("extension", [])
         if str(e.get("url", "")).endswith(IMPLANT_DATE)),
        None,
    )  # fmt: skip
    values = coded(resource.get("type"), (SNOMED,), "Device.type") | {
        "status": resource.get("status"),
        "udi_carrier": udi.get("carrierHRF") or udi.get("deviceIdentifier"),
        "udi_device_identifier": udi.get("deviceIdentifier"),
        "manufacturer": resource.get("manufacturer"),
        "model_number": resource.get("modelNumber"),
        "serial_number": resource.get("serialNumber"),
        "lot_number": resource.get("lotNumber"),
        "manufactured_on": optional_date(resource.get("manufactureDate"), "manufactureDate"),
        "expires_on": optional_date(resource.get("expirationDate"), "expirationDate"),
        "implanted_on": optional_date(implanted, "implant date"),
    }
    if not values["udi_device_identifier"]:
        raise Unmappable("Device.udiCarrier.deviceIdentifier is missing")
    return [Row("implantable_device", source_id, values)]


def _contained(resource: Resource, ref: str) -> Resource | None:
    wanted = ref.removeprefix("#")
    return next((c for c in resource.get("contained", []) if c.get("id") == wanted), None)


def medication_request(resource: Resource, source_id: str) -> list[Row]:
    """A MedicationRequest; the medication is a code, a contained or a referenced Medication."""
    links = _encounter(resource)
    concept: Any = resource.get("medicationCodeableConcept")
    ref = reference(resource.get("medicationReference"))
    if concept is None and ref is not None and ref.startswith("#"):
        contained = _contained(resource, ref)
        if contained is None:
            raise Unmappable(f"medicationReference {ref} names no contained Medication")
        concept = contained.get("code")
    code: dict[str, Any] = {}
    if concept is not None:
        code = coded(concept, (RXNORM,), "MedicationRequest.medication")
    elif ref is not None:
        links["medication"] = ref
    else:
        raise Unmappable("MedicationRequest has no medication")
    dosage = first(resource.get("dosageInstruction")) or {}
    requester = reference(resource.get("requester"))
    if requester:
        links["prescriber_id"] = requester
    values = code | {
        "status": resource.get("status"),
        "intent": resource.get("intent"),
        "authored_at": to_datetime(resource.get("authoredOn"), "MedicationRequest.authoredOn"),
        "dosage_text": dosage.get("text"),
        "route": text(dosage.get("route")),
        "refills": (resource.get("dispenseRequest") or {}).get("numberOfRepeatsAllowed"),
    }
    return [Row("medication_request", source_id, values, links)]


def procedure(resource: Resource, source_id: str) -> list[Row]:
    """A CPT or SNOMED CT coded Procedure; devices it implanted get its date."""
    performed = resource.get("performedDateTime") or (resource.get("performedPeriod") or {}).get(
        "start"
    )
    values = coded(resource.get("code"), (CPT, SNOMED), "Procedure.code") | {
        "status": resource.get("status"),
        "performed_at": to_datetime(performed, "Procedure.performed"),
        "body_site": text(first(resource.get("bodySite"))),
    }
    row = Row("procedure", source_id, values, _encounter(resource))
    for focal in resource.get("focalDevice", []):
        device_ref = reference(focal.get("manipulated"))
        if device_ref:
            row.links[f"implanted:{len(row.links)}"] = device_ref
    return [row]


def referral(resource: Resource, source_id: str) -> list[Row]:
    """A ServiceRequest as a referral with its reason."""
    reason = first(resource.get("reasonCode"))
    reason_code: dict[str, Any] = {}
    if reason and reason.get("coding"):
        reason_code = any_coded(reason, "ServiceRequest.reasonCode")
    performer = first(resource.get("performer"))
    links = _encounter(resource)
    requester = reference(resource.get("requester"))
    if requester:
        links["requester_id"] = requester
    values = coded(resource.get("code"), (SNOMED, CPT, LOINC), "ServiceRequest.code") | {
        "status": resource.get("status"),
        "authored_at": to_datetime(resource.get("authoredOn"), "ServiceRequest.authoredOn"),
        "reason_system": reason_code.get("code_system"),
        "reason_code": reason_code.get("code"),
        "reason_display": reason_code.get("code_display"),
        "reason_text": (reason or {}).get("text"),
        "referred_to": display(performer),
    }
    return [Row("referral", source_id, values, links)]

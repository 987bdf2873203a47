"""Builders for one realistic row of every category, for the FHIR export tests."""

from datetime import UTC, date, datetime

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from db import clinical, observations
from db.patients import Patient
from sharing.scopes import CategoryKey

K = CategoryKey
AT = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def _observation(
    model: type[observations.ObservationBase], patient_id: int, **values: object
) -> observations.ObservationBase:
    base: dict[str, object] = {"patient_id": patient_id, "status": "final", "effective_at": AT}
    return model.model_validate(base | values)


async def make_every_category(
    session: AsyncSession, patient: Patient
) -> dict[CategoryKey, list[SQLModel]]:
    """One row (two for labs) of every category for the patient, flushed and linked."""
    pid = patient.id
    assert pid is not None
    clinician = clinical.CareTeamMember(
        patient_id=pid,
        name="Dr. Maya Chen",
        role_system="http://nucc.org/provider-taxonomy",
        role_code="207Q00000X",
        role_display="Family Medicine Physician",
        npi="1234567893",
        organization="Riverside Family Practice",
        phone="+1-555-0100",
        status="active",
        period_start=date(2020, 1, 6),
    )
    session.add(clinician)
    await session.flush()
    visit = clinical.Encounter(
        patient_id=pid,
        code_system="CPT",
        code="99213",
        code_display="Office or other outpatient visit, established patient",
        class_code="AMB",
        status="finished",
        start_at=AT,
        end_at=AT.replace(hour=10),
        location="Riverside Family Practice, Room 4",
        provider_id=clinician.id,
    )
    session.add(visit)
    await session.flush()
    rows: dict[CategoryKey, list[SQLModel]] = {
        K.DEMOGRAPHICS: [patient],
        K.CARE_TEAM: [clinician],
        K.ENCOUNTERS: [visit],
        K.ALLERGIES: [
            clinical.AllergyIntolerance(
                patient_id=pid, code_system="RxNorm", code="7980", code_display="Penicillin G",
                clinical_status="active", verification_status="confirmed", category="medication",
                criticality="high", reaction_code="271807003", reaction_display="Skin rash",
                reaction_severity="moderate", onset_date=date(2012, 5, 1), recorded_at=AT,
            )
        ],
        K.ASSESSMENT_AND_PLAN: [
            clinical.CarePlan(
                patient_id=pid, code_system="http://snomed.info/sct", code="734163000",
                code_display="Care plan", status="active",
                assessment="Blood pressure above goal <140/90> on current dose.",
                plan="Increase lisinopril to 20 mg daily; recheck in 4 weeks.",
                authored_at=AT, encounter_id=visit.id,
            )
        ],
        K.FUNCTIONAL_STATUS: [
            _observation(observations.FunctionalStatus, pid, code_system="LOINC",
                         code="75246-9", code_display="Ability to walk",
                         value_code_system="SNOMED CT", value_code="371153006",
                         value_display="Independent", encounter_id=visit.id)
        ],
        K.MENTAL_STATUS: [
            _observation(observations.MentalStatus, pid, code_system="http://loinc.org",
                         code="72133-2", code_display="Montreal Cognitive Assessment [MoCA]",
                         value_quantity=28, value_unit="{score}")
        ],
        K.LAB_RESULTS: [
            _observation(observations.LabResult, pid, code_system="LOINC", code="4548-4",
                         code_display="Hemoglobin A1c/Hemoglobin.total in Blood",
                         value_quantity=7.2, value_unit="%", reference_low=4.0,
                         reference_high=5.6, interpretation="H", encounter_id=visit.id),
            _observation(observations.LabResult, pid, code_system="LOINC", code="2093-3",
                         code_display="Cholesterol [Mass/volume] in Serum or Plasma",
                         value_quantity=182, value_unit="mg/dL", reference_high=200,
                         interpretation="N"),
        ],
        K.VITAL_SIGNS: [
            _observation(observations.VitalSign, pid, code_system="LOINC", code="8867-4",
                         code_display="Heart rate", value_quantity=72, value_unit="/min")
        ],
        K.SMOKING_STATUS: [
            _observation(observations.SmokingStatus, pid, code_system="LOINC", code="72166-2",
                         code_display="Tobacco smoking status",
                         value_code_system="http://snomed.info/sct", value_code="8517006",
                         value_display="Ex-smoker")
        ],
        K.GOALS: [
            clinical.Goal(
                patient_id=pid, code_system="SNOMED CT", code="289169006",
                code_display="Weight loss", description="Lose 5 kg by summer",
                lifecycle_status="active", achievement_status="in-progress",
                start_date=date(2025, 1, 1), target_date=date(2025, 6, 30),
                expressed_by="Patient",
            )
        ],
        K.PROBLEMS: [
            observations.Problem(
                patient_id=pid, code_system="SNOMED CT", code="38341003",
                code_display="Hypertensive disorder", icd10_code="I10",
                icd10_display="Essential (primary) hypertension", clinical_status="active",
                verification_status="confirmed", onset_date=date(2018, 4, 2), recorded_at=AT,
            )
        ],
        K.HEALTH_CONCERNS: [
            observations.HealthConcern(
                patient_id=pid, code_system="http://snomed.info/sct", code="161888007",
                code_display="Family history of diabetes", clinical_status="active",
                verification_status="unconfirmed", recorded_at=AT,
            )
        ],
        K.ENCOUNTER_DIAGNOSES: [
            observations.EncounterDiagnosis(
                patient_id=pid, code_system="SNOMED CT", code="44054006",
                code_display="Diabetes mellitus type 2", icd10_code="E11.9",
                icd10_display="Type 2 diabetes mellitus without complications",
                clinical_status="active", verification_status="confirmed",
                recorded_at=AT, encounter_id=visit.id,
            )
        ],
        K.IMMUNIZATIONS: [
            clinical.Immunization(
                patient_id=pid, code_system="CVX", code="140",
                code_display="Influenza, seasonal, injectable, preservative free",
                status="completed", occurred_at=AT, lot_number="FL2025A",
                site="Left deltoid", performer="Riverside Family Practice",
            )
        ],
        K.MEDICAL_EQUIPMENT: [
            clinical.ImplantableDevice(
                patient_id=pid, code_system="SNOMED CT", code="14106009",
                code_display="Cardiac pacemaker", status="active",
                udi_carrier="(01)00643169007222(17)270301(10)M320(21)AC221",
                udi_device_identifier="00643169007222", manufacturer="Medtronic",
                model_number="A2DR01", serial_number="AC221", lot_number="M320",
                manufactured_on=date(2022, 3, 1), expires_on=date(2027, 3, 1),
                implanted_on=date(2022, 9, 12),
            )
        ],
        K.MEDICATIONS: [
            clinical.MedicationRequest(
                patient_id=pid, code_system="RxNorm", code="314077",
                code_display="lisinopril 20 MG Oral Tablet", status="active", intent="order",
                authored_at=AT, dosage_text="Take 1 tablet by mouth once daily", route="oral",
                refills=3, prescriber_id=clinician.id, encounter_id=visit.id,
            )
        ],
        K.PROCEDURES: [
            clinical.Procedure(
                patient_id=pid, code_system="CPT", code="45378",
                code_display="Colonoscopy, flexible; diagnostic", status="completed",
                performed_at=AT, body_site="Colon", encounter_id=visit.id,
            )
        ],
        K.REFERRALS: [
            clinical.Referral(
                patient_id=pid, code_system="SNOMED CT", code="183519002",
                code_display="Referral to cardiology service", status="active",
                authored_at=AT, reason_system="SNOMED CT", reason_code="38341003",
                reason_display="Hypertensive disorder", reason_text="BP not at goal",
                referred_to="Lakeside Cardiology", requester_id=clinician.id,
                encounter_id=visit.id,
            )
        ],
    }  # fmt: skip
    for key, category_rows in rows.items():
        if key not in (K.DEMOGRAPHICS, K.CARE_TEAM, K.ENCOUNTERS):
            session.add_all(category_rows)
    await session.flush()
    return rows

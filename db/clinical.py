"""Clinical tables other than observations and conditions: one table per USCDI category."""

from datetime import date, datetime
from typing import ClassVar

from sqlmodel import Field

from db.columns import UTCDateTime
from db.records import ClinicalRecord, PatientOwned


class CareTeamMember(PatientOwned, table=True):
    """A clinician or other member of the patient's care team (USCDI Care Team Members)."""

    __tablename__ = "care_team_member"
    record_date: ClassVar[str] = "period_start"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # Role as a NUCC provider taxonomy or SNOMED CT code.
    role_system: str = Field(max_length=120)
    role_code: str = Field(max_length=40)
    role_display: str = Field(max_length=255)
    npi: str | None = Field(default=None, max_length=10)
    organization: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    status: str = Field(max_length=20)
    period_start: date
    period_end: date | None = None


class AllergyIntolerance(ClinicalRecord, table=True):
    """An allergy or intolerance; the code is the substance (RxNorm or SNOMED CT)."""

    __tablename__ = "allergy_intolerance"
    record_date: ClassVar[str] = "recorded_at"
    record_status: ClassVar[str] = "clinical_status"

    id: int | None = Field(default=None, primary_key=True)
    clinical_status: str = Field(max_length=20)
    verification_status: str = Field(max_length=20)
    category: str = Field(max_length=20)
    criticality: str | None = Field(default=None, max_length=20)
    reaction_code: str | None = Field(default=None, max_length=40)
    reaction_display: str | None = Field(default=None, max_length=255)
    reaction_severity: str | None = Field(default=None, max_length=20)
    onset_date: date | None = None
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class Encounter(ClinicalRecord, table=True):
    """A visit; the code is the visit type (CPT or SNOMED CT)."""

    __tablename__ = "encounter"
    record_date: ClassVar[str] = "start_at"

    id: int | None = Field(default=None, primary_key=True)
    # HL7 v3 ActCode encounter class: AMB, IMP, EMER, VR, HH.
    class_code: str = Field(max_length=10)
    status: str = Field(max_length=20)
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    location: str | None = Field(default=None, max_length=200)
    provider_id: int | None = Field(
        default=None, foreign_key="care_team_member.id", ondelete="SET NULL"
    )


class CarePlan(ClinicalRecord, table=True):
    """An assessment and plan of treatment written at a visit."""

    __tablename__ = "care_plan"
    record_date: ClassVar[str] = "authored_at"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=20)
    assessment: str
    plan: str
    authored_at: datetime = Field(sa_type=UTCDateTime)
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id", ondelete="SET NULL")


class Goal(ClinicalRecord, table=True):
    """A patient goal; the code is SNOMED CT (or LOINC for a measurable target)."""

    __tablename__ = "goal"
    record_date: ClassVar[str] = "start_date"
    record_status: ClassVar[str] = "lifecycle_status"

    id: int | None = Field(default=None, primary_key=True)
    description: str
    lifecycle_status: str = Field(max_length=20)
    achievement_status: str | None = Field(default=None, max_length=30)
    start_date: date
    target_date: date | None = None
    expressed_by: str | None = Field(default=None, max_length=200)


class Immunization(ClinicalRecord, table=True):
    """A vaccine given or refused; the code is CVX."""

    __tablename__ = "immunization"
    record_date: ClassVar[str] = "occurred_at"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=20)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    lot_number: str | None = Field(default=None, max_length=40)
    site: str | None = Field(default=None, max_length=100)
    performer: str | None = Field(default=None, max_length=200)
    primary_source: bool = True


class ImplantableDevice(ClinicalRecord, table=True):
    """An implantable device (USCDI UDI); the code is a SNOMED CT device type."""

    __tablename__ = "implantable_device"
    record_date: ClassVar[str] = "implanted_on"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=20)
    udi_carrier: str = Field(max_length=255)
    udi_device_identifier: str = Field(max_length=60)
    manufacturer: str | None = Field(default=None, max_length=200)
    model_number: str | None = Field(default=None, max_length=100)
    serial_number: str | None = Field(default=None, max_length=100)
    lot_number: str | None = Field(default=None, max_length=100)
    manufactured_on: date | None = None
    expires_on: date | None = None
    implanted_on: date


class MedicationRequest(ClinicalRecord, table=True):
    """A prescription; the code is RxNorm."""

    __tablename__ = "medication_request"
    record_date: ClassVar[str] = "authored_at"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=20)
    intent: str = Field(max_length=20)
    authored_at: datetime = Field(sa_type=UTCDateTime)
    dosage_text: str | None = None
    route: str | None = Field(default=None, max_length=60)
    refills: int | None = None
    prescriber_id: int | None = Field(
        default=None, foreign_key="care_team_member.id", ondelete="SET NULL"
    )
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id", ondelete="SET NULL")


class Procedure(ClinicalRecord, table=True):
    """A procedure performed; the code is CPT or SNOMED CT."""

    __tablename__ = "procedure"
    record_date: ClassVar[str] = "performed_at"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=20)
    performed_at: datetime = Field(sa_type=UTCDateTime)
    body_site: str | None = Field(default=None, max_length=100)
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id", ondelete="SET NULL")


class Referral(ClinicalRecord, table=True):
    """A referral (ServiceRequest); the code is SNOMED CT, the reason is coded separately."""

    __tablename__ = "referral"
    record_date: ClassVar[str] = "authored_at"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=20)
    authored_at: datetime = Field(sa_type=UTCDateTime)
    reason_system: str | None = Field(default=None, max_length=120)
    reason_code: str | None = Field(default=None, max_length=40)
    reason_display: str | None = Field(default=None, max_length=255)
    reason_text: str | None = None
    referred_to: str | None = Field(default=None, max_length=200)
    requester_id: int | None = Field(
        default=None, foreign_key="care_team_member.id", ondelete="SET NULL"
    )
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id", ondelete="SET NULL")

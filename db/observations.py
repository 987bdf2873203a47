"""Observation and condition tables: one table per category (docs/contract.md)."""

from datetime import date, datetime
from typing import ClassVar

from sqlmodel import Field

from db.columns import UTCDateTime
from db.records import ClinicalRecord


class ObservationBase(ClinicalRecord):
    """A LOINC-coded measurement or assessment with a quantity (UCUM unit) or a coded answer."""

    status: str = Field(max_length=20)
    effective_at: datetime = Field(sa_type=UTCDateTime)
    value_quantity: float | None = None
    value_unit: str | None = Field(default=None, max_length=40)
    value_code_system: str | None = Field(default=None, max_length=120)
    value_code: str | None = Field(default=None, max_length=40)
    value_display: str | None = Field(default=None, max_length=255)
    value_text: str | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    # HL7 v3 ObservationInterpretation: N, H, L, HH, LL, A.
    interpretation: str | None = Field(default=None, max_length=4)
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id", ondelete="SET NULL")


class LabResult(ObservationBase, table=True):
    """A laboratory result."""

    __tablename__ = "lab_result"
    record_date: ClassVar[str] = "effective_at"

    id: int | None = Field(default=None, primary_key=True)


class VitalSign(ObservationBase, table=True):
    """A vital sign measurement."""

    __tablename__ = "vital_sign"
    record_date: ClassVar[str] = "effective_at"

    id: int | None = Field(default=None, primary_key=True)


class SmokingStatus(ObservationBase, table=True):
    """A smoking status assessment; the answer is SNOMED CT."""

    __tablename__ = "smoking_status"
    record_date: ClassVar[str] = "effective_at"

    id: int | None = Field(default=None, primary_key=True)


class FunctionalStatus(ObservationBase, table=True):
    """A functional status assessment."""

    __tablename__ = "functional_status"
    record_date: ClassVar[str] = "effective_at"

    id: int | None = Field(default=None, primary_key=True)


class MentalStatus(ObservationBase, table=True):
    """A cognitive or mental status assessment."""

    __tablename__ = "mental_status"
    record_date: ClassVar[str] = "effective_at"

    id: int | None = Field(default=None, primary_key=True)


class ConditionBase(ClinicalRecord):
    """A SNOMED CT coded condition, with its ICD-10-CM code where one applies."""

    icd10_code: str | None = Field(default=None, max_length=10)
    icd10_display: str | None = Field(default=None, max_length=255)
    clinical_status: str = Field(max_length=20)
    verification_status: str = Field(max_length=20)
    onset_date: date | None = None
    abatement_date: date | None = None
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class Problem(ConditionBase, table=True):
    """A problem-list item (diagnosis)."""

    __tablename__ = "problem"
    record_date: ClassVar[str] = "recorded_at"
    record_status: ClassVar[str] = "clinical_status"

    id: int | None = Field(default=None, primary_key=True)


class HealthConcern(ConditionBase, table=True):
    """A health concern raised by the patient or a clinician."""

    __tablename__ = "health_concern"
    record_date: ClassVar[str] = "recorded_at"
    record_status: ClassVar[str] = "clinical_status"

    id: int | None = Field(default=None, primary_key=True)


class EncounterDiagnosis(ConditionBase, table=True):
    """A diagnosis made at one encounter."""

    __tablename__ = "encounter_diagnosis"
    record_date: ClassVar[str] = "recorded_at"
    record_status: ClassVar[str] = "clinical_status"

    id: int | None = Field(default=None, primary_key=True)
    encounter_id: int = Field(foreign_key="encounter.id", ondelete="CASCADE", index=True)

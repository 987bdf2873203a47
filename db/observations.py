"""Observation and condition tables: one table per category (docs/contract.md)."""

from datetime import date, datetime
from typing import ClassVar

from sqlmodel import Field

from db.columns import UTCDateTime
from db.records import ClinicalRecord


class ObservationBase(ClinicalRecord):
    """A LOINC-coded measurement or assessment with a quantity (UCUM unit) or a coded answer."""

    record_date: ClassVar[str] = "effective_at"

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
    # Last, as in the tables' migrations: every observation table has the same columns.
    id: int | None = Field(default=None, primary_key=True)


class LabResult(ObservationBase, table=True):
    """A laboratory result."""

    __tablename__ = "lab_result"


class VitalSign(ObservationBase, table=True):
    """A vital sign measurement."""

    __tablename__ = "vital_sign"


class SmokingStatus(ObservationBase, table=True):
    """A smoking status assessment; the answer is SNOMED CT."""

    __tablename__ = "smoking_status"


class FunctionalStatus(ObservationBase, table=True):
    """A functional status assessment."""

    __tablename__ = "functional_status"


class MentalStatus(ObservationBase, table=True):
    """A cognitive or mental status assessment."""

    __tablename__ = "mental_status"


class ConditionBase(ClinicalRecord):
    """A SNOMED CT coded condition, with its ICD-10-CM code where one applies."""

    record_date: ClassVar[str] = "recorded_at"
    record_status: ClassVar[str] = "clinical_status"

    icd10_code: str | None = Field(default=None, max_length=10)
    icd10_display: str | None = Field(default=None, max_length=255)
    clinical_status: str = Field(max_length=20)
    verification_status: str = Field(max_length=20)
    onset_date: date | None = None
    abatement_date: date | None = None
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    # After the shared columns, as in the tables' migrations.
    id: int | None = Field(default=None, primary_key=True)


class Problem(ConditionBase, table=True):
    """A problem-list item (diagnosis)."""

    __tablename__ = "problem"


class HealthConcern(ConditionBase, table=True):
    """A health concern raised by the patient or a clinician."""

    __tablename__ = "health_concern"


class EncounterDiagnosis(ConditionBase, table=True):
    """A diagnosis made at one encounter."""

    __tablename__ = "encounter_diagnosis"

    encounter_id: int = Field(foreign_key="encounter.id", ondelete="CASCADE", index=True)

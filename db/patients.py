"""Patients and their demographics (the USCDI "Patient Demographics" class)."""

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from db.columns import UTCDateTime, utcnow
from db.records import Sourced


class PatientBase(SQLModel):
    """Demographics as the record keeps them; codes are OMB/CDC race and ethnicity."""

    given_name: str = Field(max_length=100)
    middle_name: str | None = Field(default=None, max_length=100)
    family_name: str = Field(max_length=100)
    name_suffix: str | None = Field(default=None, max_length=20)
    birth_date: date
    # US Core birth sex: F, M or UNK.
    sex: str = Field(max_length=3)
    # CDC Race & Ethnicity code set (urn:oid:2.16.840.1.113883.6.238), OMB categories.
    race_code: str | None = Field(default=None, max_length=16)
    race_display: str | None = Field(default=None, max_length=100)
    ethnicity_code: str | None = Field(default=None, max_length=16)
    ethnicity_display: str | None = Field(default=None, max_length=100)
    # BCP 47 language tag, e.g. "en", "es", "zh-Hant".
    preferred_language: str | None = Field(default=None, max_length=35)
    medical_record_number: str = Field(max_length=40, unique=True)


class Patient(PatientBase, Sourced, table=True):
    """A person whose record chartshare holds."""

    __tablename__ = "patient"
    __table_args__ = (Index("uq_patient_source", "source_system", "source_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

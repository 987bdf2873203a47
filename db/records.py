"""Shared columns of clinical rows: the owning patient, the code, the source, and the indexes."""

from typing import ClassVar

from sqlalchemy import Index
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

# A FHIR id has at most 64 characters; split observation components add a suffix.
SOURCE_ID_LENGTH = 100
SOURCE_SYSTEM_LENGTH = 255
# Filled only by `chartshare import`; rows chartshare makes itself (the seed) leave them NULL.
SOURCE_COLUMNS = ("source_system", "source_id")


class Sourced(SQLModel):
    """Where an imported row came from: the source system and its FHIR resource id (else NULL)."""

    source_system: str | None = Field(default=None, max_length=SOURCE_SYSTEM_LENGTH)
    source_id: str | None = Field(default=None, max_length=SOURCE_ID_LENGTH)


class PatientOwned(Sourced):
    """Every clinical row belongs to exactly one patient."""

    # The column a patient's rows are ordered (newest first) and filtered by day by,
    # and the column the `status` filter reads; each table names its own.
    record_date: ClassVar[str]
    record_status: ClassVar[str] = "status"

    patient_id: int = Field(foreign_key="patient.id", ondelete="CASCADE")

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        """Every patient's table: its rows newest first, and one row per imported resource."""
        table = str(cls.__tablename__)
        return (recency_index(table, cls.record_date), source_index(table))


class Coded(SQLModel):
    """A code from the standard code system of the row's category."""

    code_system: str = Field(max_length=120)
    code: str = Field(max_length=40)
    code_display: str = Field(max_length=255)


class ClinicalRecord(PatientOwned, Coded):
    """A coded clinical row of one patient."""


def recency_index(table: str, date_column: str) -> Index:
    """Index that serves "this patient's rows of this table, newest first" (scanned backwards)."""
    return Index(f"ix_{table}_patient_recent", "patient_id", date_column, "id")


def source_index(table: str) -> Index:
    """One row per imported resource and patient: what makes a re-import an update."""
    return Index(f"uq_{table}_source", "patient_id", "source_system", "source_id", unique=True)

"""Shared columns of clinical rows: the owning patient, the code, and the recency index."""

from typing import ClassVar

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class PatientOwned(SQLModel):
    """Every clinical row belongs to exactly one patient."""

    # The column a patient's rows are ordered (newest first) and filtered by day by,
    # and the column the `status` filter reads; each table names its own.
    record_date: ClassVar[str]
    record_status: ClassVar[str] = "status"

    patient_id: int = Field(foreign_key="patient.id", ondelete="CASCADE")


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

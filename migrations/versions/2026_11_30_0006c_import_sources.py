"""Remember where imported rows came from, so that importing the same data again updates them.

`chartshare import` writes FHIR resources from another system. Every patient and clinical
row gains `source_system` (the name the import was given, see docs/import.md) and
`source_id` (the FHIR resource id there; for a care team member, its Practitioner's id).
Both stay NULL for rows chartshare created itself (the demo seed, tests). A unique index
per table on (patient, source system, source id) lets the import upsert with
INSERT ... ON CONFLICT; NULLs never collide, so existing rows are unaffected.
"""

import sqlalchemy as sa
from alembic import op

revision: str = "c3e91a7f5d20"
down_revision: str | None = "6b0e3f5a9c21"

CLINICAL_TABLES = (
    "care_team_member", "allergy_intolerance", "care_plan", "encounter", "functional_status",
    "mental_status", "lab_result", "vital_sign", "smoking_status", "goal", "problem",
    "health_concern", "encounter_diagnosis", "immunization", "implantable_device",
    "medication_request", "procedure", "referral",
)  # fmt: skip


def _add_source_columns(table: str) -> None:
    op.add_column(table, sa.Column("source_system", sa.String(length=255), nullable=True))
    op.add_column(table, sa.Column("source_id", sa.String(length=100), nullable=True))


def upgrade() -> None:
    _add_source_columns("patient")
    op.create_index("uq_patient_source", "patient", ["source_system", "source_id"], unique=True)
    for table in CLINICAL_TABLES:
        _add_source_columns(table)
        op.create_index(
            f"uq_{table}_source", table, ["patient_id", "source_system", "source_id"], unique=True
        )


def downgrade() -> None:
    # Imported rows stay; they merely forget their origin, so a later import would add them again.
    for table in (*CLINICAL_TABLES, "patient"):
        op.drop_index(f"uq_{table}_source", table_name=table)
        op.drop_column(table, "source_id")
        op.drop_column(table, "source_system")

"""Goals may lack a start date and a code, as US Core allows; they are listed by `listed_on`.

US Core's Goal needs neither `startDate` (a goal may have only a target date) nor a coded
`description` (text alone is common). `goal.start_date` and the code columns become
nullable, and goals are ordered and filtered by a new, never-NULL `listed_on`: the start
date, else the target date, else the day its status was set (FHIR `Goal.statusDate`). Existing goals all have
a start date, so their `listed_on` is their start date and their order is unchanged.

Revision ID: 7d2c41e9b8a6
Revises: c3e91a7f5d20
Create Date: 2026-11-30 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2c41e9b8a6"
down_revision: str | None = "c3e91a7f5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE_COLUMNS = (("code_system", 120), ("code", 40), ("code_display", 255))


def upgrade() -> None:
    op.add_column("goal", sa.Column("listed_on", sa.Date(), nullable=True))
    op.execute("UPDATE goal SET listed_on = start_date")
    with op.batch_alter_table("goal") as batch:
        batch.alter_column("listed_on", existing_type=sa.Date(), nullable=False)
        batch.alter_column("start_date", existing_type=sa.Date(), nullable=True)
        for name, length in CODE_COLUMNS:
            batch.alter_column(name, existing_type=sa.String(length=length), nullable=True)
        batch.drop_index("ix_goal_patient_recent")
        batch.create_index("ix_goal_patient_recent", ["patient_id", "listed_on", "id"])


def downgrade() -> None:
    # A goal without a start date or a code cannot be kept by the older schema.
    op.execute("DELETE FROM goal WHERE start_date IS NULL OR code IS NULL")
    with op.batch_alter_table("goal") as batch:
        batch.drop_index("ix_goal_patient_recent")
        batch.create_index("ix_goal_patient_recent", ["patient_id", "start_date", "id"])
        for name, length in CODE_COLUMNS:
            batch.alter_column(name, existing_type=sa.String(length=length), nullable=False)
        batch.alter_column("start_date", existing_type=sa.Date(), nullable=False)
        batch.drop_column("listed_on")

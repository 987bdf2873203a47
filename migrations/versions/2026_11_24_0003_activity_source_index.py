"""Index failed logins by source address for the per-address login slow-down.

The slow-down counts failed logins from one address in the last minutes; without
this index every failed login would scan the whole activity log.
"""

from alembic import op

revision: str = "5d2b7c9e1f03"
down_revision: str | None = "a1e0c7d4b2f9"


def upgrade() -> None:
    op.create_index(
        "ix_activity_event_source_recent",
        "activity_event",
        ["source_address", "kind", "occurred_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_activity_event_source_recent", table_name="activity_event")

"""Remember when a developer deleted an app's registration (RFC 7592).

A deleted app is not removed: grants, codes and activity events refer to its row,
and the activity log must keep naming the app. Instead the row is suspended, its
registration access token and secret are cleared, and `deleted_at` marks it as
gone for good, so the operator cannot approve it again and the authorization
server treats its client_id as unknown.
"""

import sqlalchemy as sa
from alembic import op

import db.columns

revision: str = "8f4a2d6c3b17"
down_revision: str | None = "5d2b7c9e1f03"


def upgrade() -> None:
    op.add_column(
        "app", sa.Column("deleted_at", db.columns.UTCDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # Deleted apps stay suspended without their tokens, so going back loses no safety.
    op.drop_column("app", "deleted_at")

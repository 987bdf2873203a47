"""One record per authorization request, and failed client authentications per client_id.

`authorization_request` replaces the single pending request a browser session used
to carry: each /oauth/authorize gets its own row, named by an unguessable id the
browser carries through login, patient choice and consent (the row keeps only its
SHA-256), so Allow answers exactly the request the patient saw. A row belongs to one
web session, may be answered once (`answered_at`) and expires (`expires_at`); expired
rows are deleted when a new request is stored (hence the index on `expires_at`).

`client_auth_failure` counts wrong client secrets (and unknown client_ids) per
client_id, so that secret guessing at the token endpoints slows down and then pauses,
as failed logins do.
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import db.columns

revision: str = "6b0e3f5a9c21"
down_revision: str | None = "ab04480a252c"


def upgrade() -> None:
    op.create_table(
        "authorization_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_hash", AutoString(length=64), nullable=False),
        sa.Column("web_session_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("redirect_uri", AutoString(length=2000), nullable=False),
        sa.Column("scopes", AutoString(), nullable=False),
        sa.Column("params", AutoString(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["web_session_id"],
            ["web_session.id"],
            name=op.f("fk_authorization_request_web_session_id_web_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["app.id"],
            name=op.f("fk_authorization_request_app_id_app"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_authorization_request_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization_request")),
        sa.UniqueConstraint("request_hash", name=op.f("uq_authorization_request_request_hash")),
    )
    op.create_index("ix_authorization_request_session", "authorization_request", ["web_session_id"])
    op.create_index("ix_authorization_request_expires", "authorization_request", ["expires_at"])
    op.create_table(
        "client_auth_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", AutoString(length=255), nullable=False),
        sa.Column("source_address", AutoString(length=64), nullable=True),
        sa.Column("failed_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_auth_failure")),
    )
    op.create_index(
        "ix_client_auth_failure_client_recent", "client_auth_failure", ["client_id", "failed_at"]
    )


def downgrade() -> None:
    # Pending requests are minutes-long browser state and failures a rolling count:
    # dropping them only makes patients start their authorization again.
    op.drop_index("ix_client_auth_failure_client_recent", table_name="client_auth_failure")
    op.drop_table("client_auth_failure")
    op.drop_index("ix_authorization_request_expires", table_name="authorization_request")
    op.drop_index("ix_authorization_request_session", table_name="authorization_request")
    op.drop_table("authorization_request")

"""Initial schema: patients, one table per clinical category, accounts, apps, grants, tokens, activity.

Every clinical table carries patient_id and an index (patient_id, date, id) that
serves "this patient's rows, newest first". Downgrade drops everything.

Revision ID: 3c1f15b9010d
Revises:
Create Date: 2026-11-24 22:47:02.663135
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import db.columns

revision: str = "3c1f15b9010d"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("username", AutoString(length=80), nullable=False),
        sa.Column("email", AutoString(length=254), nullable=False),
        sa.Column("display_name", AutoString(length=200), nullable=False),
        sa.Column("role", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_hash", AutoString(length=255), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("last_failed_login_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    op.create_table(
        "activity_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", AutoString(length=30), nullable=False),
        sa.Column("outcome", AutoString(length=20), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("app_id", sa.Integer(), nullable=True),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("source_address", AutoString(length=64), nullable=True),
        sa.Column("details", AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_event")),
    )
    with op.batch_alter_table("activity_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_event_account_recent", ["account_id", "occurred_at", "id"], unique=False
        )
        batch_op.create_index("ix_activity_event_app", ["app_id"], unique=False)
        batch_op.create_index(
            "ix_activity_event_patient_recent", ["patient_id", "occurred_at", "id"], unique=False
        )

    op.create_table(
        "operator_setting",
        sa.Column("key", AutoString(length=80), nullable=False),
        sa.Column("value", AutoString(), nullable=False),
        sa.Column("updated_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_operator_setting")),
    )
    op.create_table(
        "patient",
        sa.Column("given_name", AutoString(length=100), nullable=False),
        sa.Column("middle_name", AutoString(length=100), nullable=True),
        sa.Column("family_name", AutoString(length=100), nullable=False),
        sa.Column("name_suffix", AutoString(length=20), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", AutoString(length=3), nullable=False),
        sa.Column("race_code", AutoString(length=16), nullable=True),
        sa.Column("race_display", AutoString(length=100), nullable=True),
        sa.Column("ethnicity_code", AutoString(length=16), nullable=True),
        sa.Column("ethnicity_display", AutoString(length=100), nullable=True),
        sa.Column("preferred_language", AutoString(length=35), nullable=True),
        sa.Column("medical_record_number", AutoString(length=40), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("medical_record_number", name=op.f("uq_patient_medical_record_number")),
    )
    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", AutoString(length=64), nullable=False),
        sa.Column("private_key_pem", AutoString(), nullable=False),
        sa.Column("public_jwk", AutoString(), nullable=False),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_key")),
        sa.UniqueConstraint("kid", name=op.f("uq_signing_key_kid")),
    )
    op.create_table(
        "account_patient",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("relationship", AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_patient_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_account_patient_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "patient_id", name=op.f("pk_account_patient")),
    )
    op.create_table(
        "allergy_intolerance",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinical_status", AutoString(length=20), nullable=False),
        sa.Column("verification_status", AutoString(length=20), nullable=False),
        sa.Column("category", AutoString(length=20), nullable=False),
        sa.Column("criticality", AutoString(length=20), nullable=True),
        sa.Column("reaction_code", AutoString(length=40), nullable=True),
        sa.Column("reaction_display", AutoString(length=255), nullable=True),
        sa.Column("reaction_severity", AutoString(length=20), nullable=True),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_allergy_intolerance_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allergy_intolerance")),
    )
    with op.batch_alter_table("allergy_intolerance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_allergy_intolerance_patient_recent",
            ["patient_id", "recorded_at", "id"],
            unique=False,
        )

    op.create_table(
        "app",
        sa.Column("name", AutoString(length=120), nullable=False),
        sa.Column("description", AutoString(), nullable=True),
        sa.Column("homepage_url", AutoString(length=2000), nullable=True),
        sa.Column("logo_url", AutoString(length=2000), nullable=True),
        sa.Column("privacy_policy_url", AutoString(length=2000), nullable=True),
        sa.Column("terms_url", AutoString(length=2000), nullable=True),
        sa.Column("redirect_uris", AutoString(), nullable=False),
        sa.Column("allowed_scopes", AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", AutoString(length=64), nullable=False),
        sa.Column("client_secret_hash", AutoString(length=255), nullable=True),
        sa.Column("is_confidential", sa.Boolean(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("developer_account_id", sa.Integer(), nullable=True),
        sa.Column("registered_via", AutoString(length=20), nullable=False),
        sa.Column("registration_token_hash", AutoString(length=64), nullable=True),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("secret_rotated_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_changed_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["developer_account_id"],
            ["account.id"],
            name=op.f("fk_app_developer_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app")),
        sa.UniqueConstraint("client_id", name=op.f("uq_app_client_id")),
    )
    op.create_table(
        "care_team_member",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("role_system", AutoString(length=120), nullable=False),
        sa.Column("role_code", AutoString(length=40), nullable=False),
        sa.Column("role_display", AutoString(length=255), nullable=False),
        sa.Column("npi", AutoString(length=10), nullable=True),
        sa.Column("organization", AutoString(length=200), nullable=True),
        sa.Column("phone", AutoString(length=40), nullable=True),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_care_team_member_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_team_member")),
    )
    with op.batch_alter_table("care_team_member", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_team_member_patient_recent", ["patient_id", "period_start", "id"], unique=False
        )

    op.create_table(
        "goal",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("description", AutoString(), nullable=False),
        sa.Column("lifecycle_status", AutoString(length=20), nullable=False),
        sa.Column("achievement_status", AutoString(length=30), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("expressed_by", AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_goal_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_goal_patient_recent", ["patient_id", "start_date", "id"], unique=False
        )

    op.create_table(
        "health_concern",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("icd10_code", AutoString(length=10), nullable=True),
        sa.Column("icd10_display", AutoString(length=255), nullable=True),
        sa.Column("clinical_status", AutoString(length=20), nullable=False),
        sa.Column("verification_status", AutoString(length=20), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("abatement_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_health_concern_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_concern")),
    )
    with op.batch_alter_table("health_concern", schema=None) as batch_op:
        batch_op.create_index(
            "ix_health_concern_patient_recent", ["patient_id", "recorded_at", "id"], unique=False
        )

    op.create_table(
        "immunization",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("occurred_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lot_number", AutoString(length=40), nullable=True),
        sa.Column("site", AutoString(length=100), nullable=True),
        sa.Column("performer", AutoString(length=200), nullable=True),
        sa.Column("primary_source", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_immunization_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_immunization")),
    )
    with op.batch_alter_table("immunization", schema=None) as batch_op:
        batch_op.create_index(
            "ix_immunization_patient_recent", ["patient_id", "occurred_at", "id"], unique=False
        )

    op.create_table(
        "implantable_device",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("udi_carrier", AutoString(length=255), nullable=False),
        sa.Column("udi_device_identifier", AutoString(length=60), nullable=False),
        sa.Column("manufacturer", AutoString(length=200), nullable=True),
        sa.Column("model_number", AutoString(length=100), nullable=True),
        sa.Column("serial_number", AutoString(length=100), nullable=True),
        sa.Column("lot_number", AutoString(length=100), nullable=True),
        sa.Column("manufactured_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("implanted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_implantable_device_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implantable_device")),
    )
    with op.batch_alter_table("implantable_device", schema=None) as batch_op:
        batch_op.create_index(
            "ix_implantable_device_patient_recent",
            ["patient_id", "implanted_on", "id"],
            unique=False,
        )

    op.create_table(
        "problem",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("icd10_code", AutoString(length=10), nullable=True),
        sa.Column("icd10_display", AutoString(length=255), nullable=True),
        sa.Column("clinical_status", AutoString(length=20), nullable=False),
        sa.Column("verification_status", AutoString(length=20), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("abatement_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_problem_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(
            "ix_problem_patient_recent", ["patient_id", "recorded_at", "id"], unique=False
        )

    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("csrf_token", AutoString(length=64), nullable=False),
        sa.Column("data", AutoString(), nullable=False),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_web_session_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_web_session_patient_id_patient"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_web_session_session_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index("ix_web_session_account", ["account_id"], unique=False)

    op.create_table(
        "encounter",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_code", AutoString(length=10), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("start_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("location", AutoString(length=200), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_encounter_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["care_team_member.id"],
            name=op.f("fk_encounter_provider_id_care_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounter")),
    )
    with op.batch_alter_table("encounter", schema=None) as batch_op:
        batch_op.create_index(
            "ix_encounter_patient_recent", ["patient_id", "start_at", "id"], unique=False
        )

    op.create_table(
        "grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("scopes", AutoString(), nullable=False),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", AutoString(length=40), nullable=True),
        sa.Column("last_used_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_grant_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"], ["app.id"], name=op.f("fk_grant_app_id_app"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_grant_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant")),
    )
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.create_index("ix_grant_patient_app", ["patient_id", "app_id"], unique=False)

    op.create_table(
        "authorization_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", AutoString(length=64), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("redirect_uri", AutoString(length=2000), nullable=False),
        sa.Column("code_challenge", AutoString(length=128), nullable=False),
        sa.Column("code_challenge_method", AutoString(length=10), nullable=False),
        sa.Column("scopes", AutoString(), nullable=False),
        sa.Column("nonce", AutoString(length=255), nullable=True),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["app.id"],
            name=op.f("fk_authorization_code_app_id_app"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grant.id"],
            name=op.f("fk_authorization_code_grant_id_grant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_authorization_code_code_hash")),
    )
    op.create_table(
        "care_plan",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("assessment", AutoString(), nullable=False),
        sa.Column("plan", AutoString(), nullable=False),
        sa.Column("authored_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_care_plan_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_care_plan_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan")),
    )
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_plan_patient_recent", ["patient_id", "authored_at", "id"], unique=False
        )

    op.create_table(
        "encounter_diagnosis",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("icd10_code", AutoString(length=10), nullable=True),
        sa.Column("icd10_display", AutoString(length=255), nullable=True),
        sa.Column("clinical_status", AutoString(length=20), nullable=False),
        sa.Column("verification_status", AutoString(length=20), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("abatement_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_encounter_diagnosis_encounter_id_encounter"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_encounter_diagnosis_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounter_diagnosis")),
    )
    with op.batch_alter_table("encounter_diagnosis", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_encounter_diagnosis_encounter_id"), ["encounter_id"], unique=False
        )
        batch_op.create_index(
            "ix_encounter_diagnosis_patient_recent",
            ["patient_id", "recorded_at", "id"],
            unique=False,
        )

    op.create_table(
        "functional_status",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("effective_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value_quantity", sa.Float(), nullable=True),
        sa.Column("value_unit", AutoString(length=40), nullable=True),
        sa.Column("value_code_system", AutoString(length=120), nullable=True),
        sa.Column("value_code", AutoString(length=40), nullable=True),
        sa.Column("value_display", AutoString(length=255), nullable=True),
        sa.Column("value_text", AutoString(), nullable=True),
        sa.Column("reference_low", sa.Float(), nullable=True),
        sa.Column("reference_high", sa.Float(), nullable=True),
        sa.Column("interpretation", AutoString(length=4), nullable=True),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_functional_status_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_functional_status_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_functional_status")),
    )
    with op.batch_alter_table("functional_status", schema=None) as batch_op:
        batch_op.create_index(
            "ix_functional_status_patient_recent",
            ["patient_id", "effective_at", "id"],
            unique=False,
        )

    op.create_table(
        "lab_result",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("effective_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value_quantity", sa.Float(), nullable=True),
        sa.Column("value_unit", AutoString(length=40), nullable=True),
        sa.Column("value_code_system", AutoString(length=120), nullable=True),
        sa.Column("value_code", AutoString(length=40), nullable=True),
        sa.Column("value_display", AutoString(length=255), nullable=True),
        sa.Column("value_text", AutoString(), nullable=True),
        sa.Column("reference_low", sa.Float(), nullable=True),
        sa.Column("reference_high", sa.Float(), nullable=True),
        sa.Column("interpretation", AutoString(length=4), nullable=True),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_lab_result_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_lab_result_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_result")),
    )
    with op.batch_alter_table("lab_result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lab_result_patient_recent", ["patient_id", "effective_at", "id"], unique=False
        )

    op.create_table(
        "medication_request",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("intent", AutoString(length=20), nullable=False),
        sa.Column("authored_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dosage_text", AutoString(), nullable=True),
        sa.Column("route", AutoString(length=60), nullable=True),
        sa.Column("refills", sa.Integer(), nullable=True),
        sa.Column("prescriber_id", sa.Integer(), nullable=True),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_medication_request_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_medication_request_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"],
            ["care_team_member.id"],
            name=op.f("fk_medication_request_prescriber_id_care_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication_request")),
    )
    with op.batch_alter_table("medication_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_medication_request_patient_recent",
            ["patient_id", "authored_at", "id"],
            unique=False,
        )

    op.create_table(
        "mental_status",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("effective_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value_quantity", sa.Float(), nullable=True),
        sa.Column("value_unit", AutoString(length=40), nullable=True),
        sa.Column("value_code_system", AutoString(length=120), nullable=True),
        sa.Column("value_code", AutoString(length=40), nullable=True),
        sa.Column("value_display", AutoString(length=255), nullable=True),
        sa.Column("value_text", AutoString(), nullable=True),
        sa.Column("reference_low", sa.Float(), nullable=True),
        sa.Column("reference_high", sa.Float(), nullable=True),
        sa.Column("interpretation", AutoString(length=4), nullable=True),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_mental_status_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_mental_status_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mental_status")),
    )
    with op.batch_alter_table("mental_status", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mental_status_patient_recent", ["patient_id", "effective_at", "id"], unique=False
        )

    op.create_table(
        "procedure",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("performed_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("body_site", AutoString(length=100), nullable=True),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_procedure_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_procedure_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure")),
    )
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_procedure_patient_recent", ["patient_id", "performed_at", "id"], unique=False
        )

    op.create_table(
        "referral",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("authored_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason_system", AutoString(length=120), nullable=True),
        sa.Column("reason_code", AutoString(length=40), nullable=True),
        sa.Column("reason_display", AutoString(length=255), nullable=True),
        sa.Column("reason_text", AutoString(), nullable=True),
        sa.Column("referred_to", AutoString(length=200), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_referral_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_referral_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["care_team_member.id"],
            name=op.f("fk_referral_requester_id_care_team_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_patient_recent", ["patient_id", "authored_at", "id"], unique=False
        )

    op.create_table(
        "smoking_status",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("effective_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value_quantity", sa.Float(), nullable=True),
        sa.Column("value_unit", AutoString(length=40), nullable=True),
        sa.Column("value_code_system", AutoString(length=120), nullable=True),
        sa.Column("value_code", AutoString(length=40), nullable=True),
        sa.Column("value_display", AutoString(length=255), nullable=True),
        sa.Column("value_text", AutoString(), nullable=True),
        sa.Column("reference_low", sa.Float(), nullable=True),
        sa.Column("reference_high", sa.Float(), nullable=True),
        sa.Column("interpretation", AutoString(length=4), nullable=True),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_smoking_status_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_smoking_status_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smoking_status")),
    )
    with op.batch_alter_table("smoking_status", schema=None) as batch_op:
        batch_op.create_index(
            "ix_smoking_status_patient_recent", ["patient_id", "effective_at", "id"], unique=False
        )

    op.create_table(
        "vital_sign",
        sa.Column("code_system", AutoString(length=120), nullable=False),
        sa.Column("code", AutoString(length=40), nullable=False),
        sa.Column("code_display", AutoString(length=255), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("effective_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value_quantity", sa.Float(), nullable=True),
        sa.Column("value_unit", AutoString(length=40), nullable=True),
        sa.Column("value_code_system", AutoString(length=120), nullable=True),
        sa.Column("value_code", AutoString(length=40), nullable=True),
        sa.Column("value_display", AutoString(length=255), nullable=True),
        sa.Column("value_text", AutoString(), nullable=True),
        sa.Column("reference_low", sa.Float(), nullable=True),
        sa.Column("reference_high", sa.Float(), nullable=True),
        sa.Column("interpretation", AutoString(length=4), nullable=True),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounter.id"],
            name=op.f("fk_vital_sign_encounter_id_encounter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_vital_sign_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vital_sign")),
    )
    with op.batch_alter_table("vital_sign", schema=None) as batch_op:
        batch_op.create_index(
            "ix_vital_sign_patient_recent", ["patient_id", "effective_at", "id"], unique=False
        )

    op.create_table(
        "token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", AutoString(length=64), nullable=False),
        sa.Column("kind", AutoString(length=10), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("scopes", AutoString(), nullable=False),
        sa.Column("created_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rotated_at", db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("issued_from_code_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grant.id"], name=op.f("fk_token_grant_id_grant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["issued_from_code_id"],
            ["authorization_code.id"],
            name=op.f("fk_token_issued_from_code_id_authorization_code"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_token_token_hash")),
    )
    with op.batch_alter_table("token", schema=None) as batch_op:
        batch_op.create_index("ix_token_grant", ["grant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("token", schema=None) as batch_op:
        batch_op.drop_index("ix_token_grant")

    op.drop_table("token")
    with op.batch_alter_table("vital_sign", schema=None) as batch_op:
        batch_op.drop_index("ix_vital_sign_patient_recent")

    op.drop_table("vital_sign")
    with op.batch_alter_table("smoking_status", schema=None) as batch_op:
        batch_op.drop_index("ix_smoking_status_patient_recent")

    op.drop_table("smoking_status")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_patient_recent")

    op.drop_table("referral")
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.drop_index("ix_procedure_patient_recent")

    op.drop_table("procedure")
    with op.batch_alter_table("mental_status", schema=None) as batch_op:
        batch_op.drop_index("ix_mental_status_patient_recent")

    op.drop_table("mental_status")
    with op.batch_alter_table("medication_request", schema=None) as batch_op:
        batch_op.drop_index("ix_medication_request_patient_recent")

    op.drop_table("medication_request")
    with op.batch_alter_table("lab_result", schema=None) as batch_op:
        batch_op.drop_index("ix_lab_result_patient_recent")

    op.drop_table("lab_result")
    with op.batch_alter_table("functional_status", schema=None) as batch_op:
        batch_op.drop_index("ix_functional_status_patient_recent")

    op.drop_table("functional_status")
    with op.batch_alter_table("encounter_diagnosis", schema=None) as batch_op:
        batch_op.drop_index("ix_encounter_diagnosis_patient_recent")
        batch_op.drop_index(batch_op.f("ix_encounter_diagnosis_encounter_id"))

    op.drop_table("encounter_diagnosis")
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.drop_index("ix_care_plan_patient_recent")

    op.drop_table("care_plan")
    op.drop_table("authorization_code")
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_index("ix_grant_patient_app")

    op.drop_table("grant")
    with op.batch_alter_table("encounter", schema=None) as batch_op:
        batch_op.drop_index("ix_encounter_patient_recent")

    op.drop_table("encounter")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index("ix_web_session_account")

    op.drop_table("web_session")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_patient_recent")

    op.drop_table("problem")
    with op.batch_alter_table("implantable_device", schema=None) as batch_op:
        batch_op.drop_index("ix_implantable_device_patient_recent")

    op.drop_table("implantable_device")
    with op.batch_alter_table("immunization", schema=None) as batch_op:
        batch_op.drop_index("ix_immunization_patient_recent")

    op.drop_table("immunization")
    with op.batch_alter_table("health_concern", schema=None) as batch_op:
        batch_op.drop_index("ix_health_concern_patient_recent")

    op.drop_table("health_concern")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index("ix_goal_patient_recent")

    op.drop_table("goal")
    with op.batch_alter_table("care_team_member", schema=None) as batch_op:
        batch_op.drop_index("ix_care_team_member_patient_recent")

    op.drop_table("care_team_member")
    op.drop_table("app")
    with op.batch_alter_table("allergy_intolerance", schema=None) as batch_op:
        batch_op.drop_index("ix_allergy_intolerance_patient_recent")

    op.drop_table("allergy_intolerance")
    op.drop_table("account_patient")
    op.drop_table("signing_key")
    op.drop_table("patient")
    op.drop_table("operator_setting")
    with op.batch_alter_table("activity_event", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_event_patient_recent")
        batch_op.drop_index("ix_activity_event_app")
        batch_op.drop_index("ix_activity_event_account_recent")

    op.drop_table("activity_event")
    op.drop_table("account")

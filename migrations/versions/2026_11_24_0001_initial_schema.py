"""Initial schema: patients, one table per clinical category, accounts, apps, grants, tokens, activity.

Every clinical table carries patient_id and an index (patient_id, date, id) that
serves "this patient's rows, newest first". Downgrade drops everything.

The clinical tables share their column groups (the coded concept, the condition and
observation families), so this migration builds them from the small helpers below;
the tables, columns, constraints and indexes are exactly those the models declare.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import db.columns

revision: str = "3c1f15b9010d"
down_revision: str | None = None

# Every table this migration creates, in creation order (downgrade drops them in reverse).
TABLES = (
    "account",
    "activity_event",
    "operator_setting",
    "patient",
    "signing_key",
    "account_patient",
    "allergy_intolerance",
    "app",
    "care_team_member",
    "goal",
    "health_concern",
    "immunization",
    "implantable_device",
    "problem",
    "web_session",
    "encounter",
    "grant",
    "authorization_code",
    "care_plan",
    "encounter_diagnosis",
    "functional_status",
    "lab_result",
    "medication_request",
    "mental_status",
    "procedure",
    "referral",
    "smoking_status",
    "vital_sign",
    "token",
)


def _text(name: str, length: int | None = None, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, AutoString(length=length), nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _float(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Float(), nullable=True)


def _date(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Date(), nullable=nullable)


def _at(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, db.columns.UTCDateTime(timezone=True), nullable=nullable)


def _references(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _primary_key(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def _unique(table: str, column: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(column, name=op.f(f"uq_{table}_{column}"))


def _indexes(table: str, *indexes: tuple[str, list[str]]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, columns in indexes:
            batch_op.create_index(name, columns, unique=False)


def _coded() -> list[sa.Column[Any]]:
    """The coded concept every clinical row starts with, and its patient."""
    return [
        _text("code_system", 120),
        _text("code", 40),
        _text("code_display", 255),
        _int("patient_id"),
    ]


def _condition() -> list[sa.Column[Any]]:
    """Problems, health concerns and encounter diagnoses (after the coded concept)."""
    return [
        _text("icd10_code", 10, nullable=True),
        _text("icd10_display", 255, nullable=True),
        _text("clinical_status", 20),
        _text("verification_status", 20),
        _date("onset_date", nullable=True),
        _date("abatement_date", nullable=True),
        _at("recorded_at"),
        _int("id"),
    ]


def _observation() -> list[sa.Column[Any]]:
    """Lab results, vital signs, smoking, functional and mental status (after the concept)."""
    return [
        _text("status", 20),
        _at("effective_at"),
        _float("value_quantity"),
        _text("value_unit", 40, nullable=True),
        _text("value_code_system", 120, nullable=True),
        _text("value_code", 40, nullable=True),
        _text("value_display", 255, nullable=True),
        _text("value_text", nullable=True),
        _float("reference_low"),
        _float("reference_high"),
        _text("interpretation", 4, nullable=True),
        _int("encounter_id", nullable=True),
        _int("id"),
    ]


def _clinical_table(
    table: str,
    date_column: str,
    columns: list[sa.Column[Any]],
    references: dict[str, tuple[str, str]],
    *,
    indexed: tuple[str, ...] = (),
) -> None:
    """A clinical table: its columns, a foreign key per reference, the patient's recent index.

    `references` maps a column to (target table, ON DELETE); the patient reference is implied.
    Columns in `indexed` get an index of their own, created before the recent index.
    """
    links = {"patient_id": ("patient", "CASCADE"), **references}
    op.create_table(
        table,
        *columns,
        *(
            _references(table, column, target, ondelete)
            for column, (target, ondelete) in sorted(links.items())
        ),
        _primary_key(table),
    )
    _indexes(
        table,
        *((op.f(f"ix_{table}_{column}"), [column]) for column in indexed),
        (f"ix_{table}_patient_recent", ["patient_id", date_column, "id"]),
    )


ENCOUNTER = {"encounter_id": ("encounter", "SET NULL")}


def upgrade() -> None:
    op.create_table(
        "account",
        _text("username", 80),
        _text("email", 254),
        _text("display_name", 200),
        _text("role", 20),
        _int("id"),
        _text("password_hash", 255),
        _int("failed_logins"),
        _at("last_failed_login_at", nullable=True),
        _at("locked_until", nullable=True),
        _at("created_at"),
        _primary_key("account"),
        _unique("account", "email"),
        _unique("account", "username"),
    )
    op.create_table(
        "activity_event",
        _int("id"),
        _at("occurred_at"),
        _text("kind", 30),
        _text("outcome", 20),
        _int("account_id", nullable=True),
        _int("patient_id", nullable=True),
        _int("app_id", nullable=True),
        _int("grant_id", nullable=True),
        _text("source_address", 64, nullable=True),
        _text("details"),
        _primary_key("activity_event"),
    )
    _indexes(
        "activity_event",
        ("ix_activity_event_account_recent", ["account_id", "occurred_at", "id"]),
        ("ix_activity_event_app", ["app_id"]),
        ("ix_activity_event_patient_recent", ["patient_id", "occurred_at", "id"]),
    )
    op.create_table(
        "operator_setting",
        _text("key", 80),
        _text("value"),
        _at("updated_at"),
        _primary_key("operator_setting", "key"),
    )
    op.create_table(
        "patient",
        _text("given_name", 100),
        _text("middle_name", 100, nullable=True),
        _text("family_name", 100),
        _text("name_suffix", 20, nullable=True),
        _date("birth_date"),
        _text("sex", 3),
        _text("race_code", 16, nullable=True),
        _text("race_display", 100, nullable=True),
        _text("ethnicity_code", 16, nullable=True),
        _text("ethnicity_display", 100, nullable=True),
        _text("preferred_language", 35, nullable=True),
        _text("medical_record_number", 40),
        _int("id"),
        _at("created_at"),
        _primary_key("patient"),
        _unique("patient", "medical_record_number"),
    )
    op.create_table(
        "signing_key",
        _int("id"),
        _text("kid", 64),
        _text("private_key_pem"),
        _text("public_jwk"),
        _at("created_at"),
        _at("retired_at", nullable=True),
        _primary_key("signing_key"),
        _unique("signing_key", "kid"),
    )
    op.create_table(
        "account_patient",
        _int("account_id"),
        _int("patient_id"),
        _text("relationship", 20),
        _references("account_patient", "account_id", "account", "CASCADE"),
        _references("account_patient", "patient_id", "patient", "CASCADE"),
        _primary_key("account_patient", "account_id", "patient_id"),
    )
    _clinical_table(
        "allergy_intolerance",
        "recorded_at",
        [
            *_coded(),
            _int("id"),
            _text("clinical_status", 20),
            _text("verification_status", 20),
            _text("category", 20),
            _text("criticality", 20, nullable=True),
            _text("reaction_code", 40, nullable=True),
            _text("reaction_display", 255, nullable=True),
            _text("reaction_severity", 20, nullable=True),
            _date("onset_date", nullable=True),
            _at("recorded_at"),
        ],
        {},
    )
    op.create_table(
        "app",
        _text("name", 120),
        _text("description", nullable=True),
        _text("homepage_url", 2000, nullable=True),
        _text("logo_url", 2000, nullable=True),
        _text("privacy_policy_url", 2000, nullable=True),
        _text("terms_url", 2000, nullable=True),
        _text("redirect_uris"),
        _text("allowed_scopes"),
        _int("id"),
        _text("client_id", 64),
        _text("client_secret_hash", 255, nullable=True),
        sa.Column("is_confidential", sa.Boolean(), nullable=False),
        _text("status", 20),
        _int("developer_account_id", nullable=True),
        _text("registered_via", 20),
        _text("registration_token_hash", 64, nullable=True),
        _at("created_at"),
        _at("secret_rotated_at", nullable=True),
        _at("status_changed_at", nullable=True),
        _references("app", "developer_account_id", "account", "SET NULL"),
        _primary_key("app"),
        _unique("app", "client_id"),
    )
    _clinical_table(
        "care_team_member",
        "period_start",
        [
            _int("patient_id"),
            _int("id"),
            _text("name", 200),
            _text("role_system", 120),
            _text("role_code", 40),
            _text("role_display", 255),
            _text("npi", 10, nullable=True),
            _text("organization", 200, nullable=True),
            _text("phone", 40, nullable=True),
            _text("status", 20),
            _date("period_start"),
            _date("period_end", nullable=True),
        ],
        {},
    )
    _clinical_table(
        "goal",
        "start_date",
        [
            *_coded(),
            _int("id"),
            _text("description"),
            _text("lifecycle_status", 20),
            _text("achievement_status", 30, nullable=True),
            _date("start_date"),
            _date("target_date", nullable=True),
            _text("expressed_by", 200, nullable=True),
        ],
        {},
    )
    _clinical_table("health_concern", "recorded_at", [*_coded(), *_condition()], {})
    _clinical_table(
        "immunization",
        "occurred_at",
        [
            *_coded(),
            _int("id"),
            _text("status", 20),
            _at("occurred_at"),
            _text("lot_number", 40, nullable=True),
            _text("site", 100, nullable=True),
            _text("performer", 200, nullable=True),
            sa.Column("primary_source", sa.Boolean(), nullable=False),
        ],
        {},
    )
    _clinical_table(
        "implantable_device",
        "implanted_on",
        [
            *_coded(),
            _int("id"),
            _text("status", 20),
            _text("udi_carrier", 255),
            _text("udi_device_identifier", 60),
            _text("manufacturer", 200, nullable=True),
            _text("model_number", 100, nullable=True),
            _text("serial_number", 100, nullable=True),
            _text("lot_number", 100, nullable=True),
            _date("manufactured_on", nullable=True),
            _date("expires_on", nullable=True),
            _date("implanted_on"),
        ],
        {},
    )
    _clinical_table("problem", "recorded_at", [*_coded(), *_condition()], {})
    op.create_table(
        "web_session",
        _int("id"),
        _text("session_hash", 64),
        _int("account_id", nullable=True),
        _int("patient_id", nullable=True),
        _text("csrf_token", 64),
        _text("data"),
        _at("created_at"),
        _at("last_seen_at"),
        _at("expires_at"),
        _at("ended_at", nullable=True),
        _references("web_session", "account_id", "account", "CASCADE"),
        _references("web_session", "patient_id", "patient", "SET NULL"),
        _primary_key("web_session"),
        _unique("web_session", "session_hash"),
    )
    _indexes("web_session", ("ix_web_session_account", ["account_id"]))
    _clinical_table(
        "encounter",
        "start_at",
        [
            *_coded(),
            _int("id"),
            _text("class_code", 10),
            _text("status", 20),
            _at("start_at"),
            _at("end_at", nullable=True),
            _text("location", 200, nullable=True),
            _int("provider_id", nullable=True),
        ],
        {"provider_id": ("care_team_member", "SET NULL")},
    )
    op.create_table(
        "grant",
        _int("id"),
        _int("account_id"),
        _int("patient_id"),
        _int("app_id"),
        _text("scopes"),
        _at("created_at"),
        _at("expires_at", nullable=True),
        _at("revoked_at", nullable=True),
        _text("revoked_reason", 40, nullable=True),
        _at("last_used_at", nullable=True),
        _references("grant", "account_id", "account", "CASCADE"),
        _references("grant", "app_id", "app", "CASCADE"),
        _references("grant", "patient_id", "patient", "CASCADE"),
        _primary_key("grant"),
    )
    _indexes("grant", ("ix_grant_patient_app", ["patient_id", "app_id"]))
    op.create_table(
        "authorization_code",
        _int("id"),
        _text("code_hash", 64),
        _int("app_id"),
        _int("grant_id"),
        _text("redirect_uri", 2000),
        _text("code_challenge", 128),
        _text("code_challenge_method", 10),
        _text("scopes"),
        _text("nonce", 255, nullable=True),
        _at("created_at"),
        _at("expires_at"),
        _at("used_at", nullable=True),
        _references("authorization_code", "app_id", "app", "CASCADE"),
        _references("authorization_code", "grant_id", "grant", "CASCADE"),
        _primary_key("authorization_code"),
        _unique("authorization_code", "code_hash"),
    )
    _clinical_table(
        "care_plan",
        "authored_at",
        [
            *_coded(),
            _int("id"),
            _text("status", 20),
            _text("assessment"),
            _text("plan"),
            _at("authored_at"),
            _int("encounter_id", nullable=True),
        ],
        ENCOUNTER,
    )
    _clinical_table(
        "encounter_diagnosis",
        "recorded_at",
        [*_coded(), *_condition(), _int("encounter_id")],
        {"encounter_id": ("encounter", "CASCADE")},
        indexed=("encounter_id",),
    )
    _clinical_table("functional_status", "effective_at", [*_coded(), *_observation()], ENCOUNTER)
    _clinical_table("lab_result", "effective_at", [*_coded(), *_observation()], ENCOUNTER)
    _clinical_table(
        "medication_request",
        "authored_at",
        [
            *_coded(),
            _int("id"),
            _text("status", 20),
            _text("intent", 20),
            _at("authored_at"),
            _text("dosage_text", nullable=True),
            _text("route", 60, nullable=True),
            _int("refills", nullable=True),
            _int("prescriber_id", nullable=True),
            _int("encounter_id", nullable=True),
        ],
        {**ENCOUNTER, "prescriber_id": ("care_team_member", "SET NULL")},
    )
    _clinical_table("mental_status", "effective_at", [*_coded(), *_observation()], ENCOUNTER)
    _clinical_table(
        "procedure",
        "performed_at",
        [
            *_coded(),
            _int("id"),
            _text("status", 20),
            _at("performed_at"),
            _text("body_site", 100, nullable=True),
            _int("encounter_id", nullable=True),
        ],
        ENCOUNTER,
    )
    _clinical_table(
        "referral",
        "authored_at",
        [
            *_coded(),
            _int("id"),
            _text("status", 20),
            _at("authored_at"),
            _text("reason_system", 120, nullable=True),
            _text("reason_code", 40, nullable=True),
            _text("reason_display", 255, nullable=True),
            _text("reason_text", nullable=True),
            _text("referred_to", 200, nullable=True),
            _int("requester_id", nullable=True),
            _int("encounter_id", nullable=True),
        ],
        {**ENCOUNTER, "requester_id": ("care_team_member", "SET NULL")},
    )
    _clinical_table("smoking_status", "effective_at", [*_coded(), *_observation()], ENCOUNTER)
    _clinical_table("vital_sign", "effective_at", [*_coded(), *_observation()], ENCOUNTER)
    op.create_table(
        "token",
        _int("id"),
        _text("token_hash", 64),
        _text("kind", 10),
        _int("grant_id"),
        _text("scopes"),
        _at("created_at"),
        _at("expires_at"),
        _at("revoked_at", nullable=True),
        _at("rotated_at", nullable=True),
        _int("issued_from_code_id", nullable=True),
        _references("token", "grant_id", "grant", "CASCADE"),
        _references("token", "issued_from_code_id", "authorization_code", "SET NULL"),
        _primary_key("token"),
        _unique("token", "token_hash"),
    )
    _indexes("token", ("ix_token_grant", ["grant_id"]))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)

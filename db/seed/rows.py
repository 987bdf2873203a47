"""Generated rows as plain tuples: the column order of every seeded table and id allocation."""

from typing import Any

Row = tuple[Any, ...]

OBSERVATION_COLUMNS = (
    "id", "patient_id", "code_system", "code", "code_display", "status", "effective_at",
    "value_quantity", "value_unit", "value_code_system", "value_code", "value_display",
    "value_text", "reference_low", "reference_high", "interpretation", "encounter_id",
)  # fmt: skip

CONDITION_COLUMNS = (
    "id", "patient_id", "code_system", "code", "code_display", "icd10_code", "icd10_display",
    "clinical_status", "verification_status", "onset_date", "abatement_date", "recorded_at",
)  # fmt: skip

# Insertion order: a table comes after every table its rows point to.
COLUMNS: dict[str, tuple[str, ...]] = {
    "patient": (
        "id", "given_name", "middle_name", "family_name", "name_suffix", "birth_date", "sex",
        "race_code", "race_display", "ethnicity_code", "ethnicity_display", "preferred_language",
        "medical_record_number", "created_at",
    ),
    "care_team_member": (
        "id", "patient_id", "name", "role_system", "role_code", "role_display", "npi",
        "organization", "phone", "status", "period_start", "period_end",
    ),
    "encounter": (
        "id", "patient_id", "code_system", "code", "code_display", "class_code", "status",
        "start_at", "end_at", "location", "provider_id",
    ),
    "allergy_intolerance": (
        "id", "patient_id", "code_system", "code", "code_display", "clinical_status",
        "verification_status", "category", "criticality", "reaction_code", "reaction_display",
        "reaction_severity", "onset_date", "recorded_at",
    ),
    "care_plan": (
        "id", "patient_id", "code_system", "code", "code_display", "status", "assessment", "plan",
        "authored_at", "encounter_id",
    ),
    "goal": (
        "id", "patient_id", "code_system", "code", "code_display", "description",
        "lifecycle_status", "achievement_status", "start_date", "target_date", "expressed_by",
    ),
    "immunization": (
        "id", "patient_id", "code_system", "code", "code_display", "status", "occurred_at",
        "lot_number", "site", "performer", "primary_source",
    ),
    "implantable_device": (
        "id", "patient_id", "code_system", "code", "code_display", "status", "udi_carrier",
        "udi_device_identifier", "manufacturer", "model_number", "serial_number", "lot_number",
        "manufactured_on", "expires_on", "implanted_on",
    ),
    "medication_request": (
        "id", "patient_id", "code_system", "code", "code_display", "status", "intent",
        "authored_at", "dosage_text", "route", "refills", "prescriber_id", "encounter_id",
    ),
    "procedure": (
        "id", "patient_id", "code_system", "code", "code_display", "status", "performed_at",
        "body_site", "encounter_id",
    ),
    "referral": (
        "id", "patient_id", "code_system", "code", "code_display", "status", "authored_at",
        "reason_system", "reason_code", "reason_display", "reason_text", "referred_to",
        "requester_id", "encounter_id",
    ),
    "lab_result": OBSERVATION_COLUMNS,
    "vital_sign": OBSERVATION_COLUMNS,
    "smoking_status": OBSERVATION_COLUMNS,
    "functional_status": OBSERVATION_COLUMNS,
    "mental_status": OBSERVATION_COLUMNS,
    "problem": CONDITION_COLUMNS,
    "health_concern": CONDITION_COLUMNS,
    "encounter_diagnosis": (*CONDITION_COLUMNS, "encounter_id"),
}  # fmt: skip

TABLES: tuple[str, ...] = tuple(COLUMNS)


class Batch:
    """Rows generated for a chunk of patients, per table, ready for a bulk insert."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = {table: [] for table in TABLES}

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


class Ids:
    """Hands out primary keys, continuing after the largest id already in each table."""

    def __init__(self, last_ids: dict[str, int]) -> None:
        self.next = {table: last_ids.get(table, 0) + 1 for table in TABLES}

    def take(self, table: str) -> int:
        """The next free id of a table."""
        value = self.next[table]
        self.next[table] = value + 1
        return value

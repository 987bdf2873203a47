"""Imports every table so that `metadata` is complete (for migrations and tests)."""

from sqlmodel import SQLModel

from db.accounts import Account, AccountPatient, WebSession
from db.activity import ActivityEvent
from db.activity_chain import ActivityChainHead
from db.apps import App, OperatorSetting
from db.clinical import (
    AllergyIntolerance,
    CarePlan,
    CareTeamMember,
    Encounter,
    Goal,
    Immunization,
    ImplantableDevice,
    MedicationRequest,
    Procedure,
    Referral,
)
from db.grants import Grant
from db.keys import SigningKey
from db.observations import (
    EncounterDiagnosis,
    FunctionalStatus,
    HealthConcern,
    LabResult,
    MentalStatus,
    Problem,
    SmokingStatus,
    VitalSign,
)
from db.patients import Patient
from db.tokens import AuthorizationCode, Token

CLINICAL_TABLES = (
    CareTeamMember,
    AllergyIntolerance,
    CarePlan,
    Encounter,
    FunctionalStatus,
    MentalStatus,
    LabResult,
    VitalSign,
    SmokingStatus,
    Goal,
    Problem,
    HealthConcern,
    EncounterDiagnosis,
    Immunization,
    ImplantableDevice,
    MedicationRequest,
    Procedure,
    Referral,
)

metadata = SQLModel.metadata

__all__ = [
    "CLINICAL_TABLES",
    "Account",
    "AccountPatient",
    "ActivityChainHead",
    "ActivityEvent",
    "AllergyIntolerance",
    "App",
    "AuthorizationCode",
    "CarePlan",
    "CareTeamMember",
    "Encounter",
    "EncounterDiagnosis",
    "FunctionalStatus",
    "Goal",
    "Grant",
    "HealthConcern",
    "Immunization",
    "ImplantableDevice",
    "LabResult",
    "MedicationRequest",
    "MentalStatus",
    "OperatorSetting",
    "Patient",
    "Problem",
    "Procedure",
    "Referral",
    "SigningKey",
    "SmokingStatus",
    "Token",
    "VitalSign",
    "WebSession",
    "metadata",
]

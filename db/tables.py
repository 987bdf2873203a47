"""Imports every table so that `metadata` is complete (for migrations and tests)."""

from sqlmodel import SQLModel

from db.accounts import Account, AccountPatient, WebSession
from db.activity import ActivityEvent
from db.activity_chain import ActivityChainHead
from db.apps import App, OperatorSetting
from db.authorization_requests import AuthorizationRequest
from db.client_auth import ClientAuthFailure
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
from db.records import PatientOwned
from db.tokens import AuthorizationCode, Token

metadata = SQLModel.metadata

# Every table of clinical rows, found from the models rather than listed a second time.
CLINICAL_TABLES: tuple[type[PatientOwned], ...] = tuple(
    sorted(
        (
            mapper.class_
            for mapper in SQLModel._sa_registry.mappers
            if issubclass(mapper.class_, PatientOwned)
        ),
        key=lambda model: str(model.__tablename__),
    )
)

__all__ = [
    "CLINICAL_TABLES",
    "Account",
    "AccountPatient",
    "ActivityChainHead",
    "ActivityEvent",
    "AllergyIntolerance",
    "App",
    "AuthorizationCode",
    "AuthorizationRequest",
    "CarePlan",
    "CareTeamMember",
    "ClientAuthFailure",
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

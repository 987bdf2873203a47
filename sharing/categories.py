"""The category registry: the one table of data categories everything per-category derives from.

Each entry says how a patient reads the category (label, explanation, nouns), which SMART
scope grants it (FHIR resource type and category coding), which table holds its rows (the
table names its own date and status columns), and how GraphQL serves it (the `Patient`
field, the node type, and the links from that type to other categories). Scopes, the
consent page, the GraphQL `Patient` type, record lookups by id, the activity summary and
the FHIR export all read this table; docs/contract.md describes it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import SQLModel

from db import clinical, observations, patients

US_CORE_OBSERVATION = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
US_CORE_CONDITION = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
ALL_PATIENT_DATA = "patient/*.rs"


class CategoryKey(StrEnum):
    """Stable names of the data categories (the activity log, the API and the table below)."""

    DEMOGRAPHICS = "demographics"
    CARE_TEAM = "care_team"
    ALLERGIES = "allergies"
    ASSESSMENT_AND_PLAN = "assessment_and_plan"
    ENCOUNTERS = "encounters"
    FUNCTIONAL_STATUS = "functional_status"
    MENTAL_STATUS = "mental_status"
    LAB_RESULTS = "lab_results"
    VITAL_SIGNS = "vital_signs"
    SMOKING_STATUS = "smoking_status"
    GOALS = "goals"
    PROBLEMS = "problems"
    HEALTH_CONCERNS = "health_concerns"
    ENCOUNTER_DIAGNOSES = "encounter_diagnoses"
    IMMUNIZATIONS = "immunizations"
    MEDICAL_EQUIPMENT = "medical_equipment"
    MEDICATIONS = "medications"
    PROCEDURES = "procedures"
    REFERRALS = "referrals"


@dataclass(frozen=True)
class Link:
    """A field of a category's node type that leads to rows of another category.

    `foreign_key` is the row's column holding the target's id (a link to one row); without
    one, the target's rows point back at this row (a list).
    """

    field: str
    target: CategoryKey
    foreign_key: str | None = None


@dataclass(frozen=True)
class Category:
    """One data category: who grants it, what it guards, how the patient and GraphQL read it."""

    key: CategoryKey
    label: str
    explanation: str
    noun: tuple[str, str]  # one, many: "12 lab results" in the activity summary
    resource_type: str
    model: type[SQLModel]
    node_type: str  # the GraphQL type of one row
    field: str | None = None  # the `Patient` connection; None when reached only by a link
    description: str = ""  # the `Patient` field's description
    category_system: str | None = None
    category_code: str | None = None
    links: tuple[Link, ...] = ()
    profile: str | None = None  # the US Core profile its FHIR resources claim, when per category

    @property
    def scope(self) -> str:
        """The narrowest scope that grants this category, in SMART v2 syntax."""
        if self.category_code is None:
            return self.type_scope
        return f"{self.type_scope}?category={self.category_system}|{self.category_code}"

    @property
    def type_scope(self) -> str:
        """The whole-type scope that also grants this category."""
        return f"patient/{self.resource_type}.rs"

    @property
    def required_scopes(self) -> list[str]:
        """Scopes that would grant the category, narrowest first (for INSUFFICIENT_SCOPE errors)."""
        return list(dict.fromkeys([self.scope, self.type_scope, ALL_PATIENT_DATA]))

    @property
    def is_patient(self) -> bool:
        """Whether the category is the patient row itself (demographics), not rows it owns."""
        return self.model is patients.Patient

    @property
    def table(self) -> str:
        """The name of the table that holds the category's rows."""
        return str(self.model.__tablename__)


class Registry:
    """The categories in order, indexed by key, `Patient` field, node type and table."""

    def __init__(self, categories: Iterable[Category]) -> None:
        self.categories = tuple(categories)
        self.by_key = {c.key: c for c in self.categories}
        self.by_field = {c.field: c for c in self.categories if c.field is not None}
        self.by_node_type = {c.node_type: c for c in self.categories}
        self.by_model = {c.model: c for c in self.categories}
        for index in (self.by_key, self.by_node_type, self.by_model):
            if len(index) != len(self.categories):
                raise ValueError("two categories share a key, a node type or a table")
        for category in self.categories:
            for link in category.links:
                if link.target not in self.by_key:
                    raise ValueError(f"{category.key} links to an unknown category")
                column = link.foreign_key
                if column is not None and column not in category.model.model_fields:
                    raise ValueError(f"{category.key}.{link.field}: no column {link.foreign_key}")

    def link_target(self, node_type: str) -> Category:
        """The category a link to `node_type` leads to (and is guarded by)."""
        return self.by_node_type[node_type]


K = CategoryKey
ENCOUNTER = Link("encounter", K.ENCOUNTERS, "encounter_id")
REGISTRY = Registry((
    Category(K.DEMOGRAPHICS, "Name, date of birth, sex, race, ethnicity and language",
             "Who you are: your name, date of birth, sex, race, ethnicity and preferred language.",
             ("set of demographic details", "sets of demographic details"),
             "Patient", patients.Patient, "Patient"),
    Category(K.CARE_TEAM, "Care team",
             "The doctors, nurses and other clinicians caring for you, and how to reach them.",
             ("care team member", "care team members"),
             "CareTeam", clinical.CareTeamMember, "CareTeamMember",
             "careTeam", "Care team members."),
    Category(K.ALLERGIES, "Allergies",
             "Things you are allergic to or cannot tolerate, and how you react to them.",
             ("allergy", "allergies"),
             "AllergyIntolerance", clinical.AllergyIntolerance, "AllergyIntolerance",
             "allergies", "Allergies and intolerances."),
    Category(K.ASSESSMENT_AND_PLAN, "Assessment and plan",
             "What your clinicians concluded at your visits and the treatment they planned.",
             ("assessment and plan", "assessments and plans"),
             "CarePlan", clinical.CarePlan, "CarePlan",
             "assessmentAndPlan", "Assessments and plans of treatment.", links=(ENCOUNTER,)),
    Category(K.ENCOUNTERS, "Visits",
             "When and where you were seen: office visits, hospital stays and emergency visits.",
             ("visit", "visits"),
             "Encounter", clinical.Encounter, "Encounter", "encounters", "Visits.",
             links=(Link("provider", K.CARE_TEAM, "provider_id"),
                    Link("diagnoses", K.ENCOUNTER_DIAGNOSES))),
    Category(K.FUNCTIONAL_STATUS, "Functional status",
             "How well you manage daily activities such as walking, dressing and eating.",
             ("functional status assessment", "functional status assessments"),
             "Observation", observations.FunctionalStatus, "FunctionalStatus",
             "functionalStatus", "Functional status assessments.",
             US_CORE_OBSERVATION, "functional-status", (ENCOUNTER,),
             profile="us-core-observation-screening-assessment"),
    Category(K.MENTAL_STATUS, "Mental status",
             "Assessments of your memory, thinking and mood.",
             ("mental status assessment", "mental status assessments"),
             "Observation", observations.MentalStatus, "MentalStatus",
             "mentalStatus", "Cognitive and mental status assessments.",
             US_CORE_OBSERVATION, "cognitive-status", (ENCOUNTER,),
             profile="us-core-observation-screening-assessment"),
    Category(K.LAB_RESULTS, "Lab results",
             "Results of your blood, urine and other laboratory tests.",
             ("lab result", "lab results"),
             "Observation", observations.LabResult, "LabResult",
             "labResults", "Laboratory results.",
             OBSERVATION_CATEGORY, "laboratory", (ENCOUNTER,),
             profile="us-core-observation-lab"),
    Category(K.VITAL_SIGNS, "Vital signs",
             "Measurements such as blood pressure, heart rate, weight, height and temperature.",
             ("vital sign", "vital signs"),
             "Observation", observations.VitalSign, "VitalSign",
             "vitalSigns", "Vital signs.",
             OBSERVATION_CATEGORY, "vital-signs", (ENCOUNTER,),
             profile="us-core-vital-signs"),
    Category(K.SMOKING_STATUS, "Smoking status",
             "Whether you smoke or used to smoke.",
             ("smoking status", "smoking statuses"),
             "Observation", observations.SmokingStatus, "SmokingStatus",
             "smokingStatus", "Smoking status assessments.",
             OBSERVATION_CATEGORY, "social-history", (ENCOUNTER,),
             profile="us-core-smokingstatus"),
    Category(K.GOALS, "Goals",
             "Health goals you and your clinicians agreed on.",
             ("goal", "goals"),
             "Goal", clinical.Goal, "Goal", "goals", "Goals."),
    Category(K.PROBLEMS, "Problems and diagnoses",
             "Your diagnoses and health problems, current and past.",
             ("problem", "problems"),
             "Condition", observations.Problem, "Problem",
             "problems", 'Problems (diagnoses); `status: ["active"]` for current.',
             CONDITION_CATEGORY, "problem-list-item",
             profile="us-core-condition-problems-health-concerns"),
    Category(K.HEALTH_CONCERNS, "Health concerns",
             "Health concerns you or your clinicians raised.",
             ("health concern", "health concerns"),
             "Condition", observations.HealthConcern, "HealthConcern",
             "healthConcerns", "Health concerns.",
             US_CORE_CONDITION, "health-concern",
             profile="us-core-condition-problems-health-concerns"),
    Category(K.ENCOUNTER_DIAGNOSES, "Visit diagnoses",
             "The diagnoses made at each visit.",
             ("visit diagnosis", "visit diagnoses"),
             "Condition", observations.EncounterDiagnosis, "EncounterDiagnosis",
             category_system=CONDITION_CATEGORY, category_code="encounter-diagnosis",
             links=(ENCOUNTER,),
             profile="us-core-condition-encounter-diagnosis"),
    Category(K.IMMUNIZATIONS, "Immunizations",
             "Vaccines you have received.",
             ("immunization", "immunizations"),
             "Immunization", clinical.Immunization, "Immunization",
             "immunizations", "Immunizations."),
    Category(K.MEDICAL_EQUIPMENT, "Implanted devices",
             "Devices implanted in your body, such as pacemakers or joint replacements.",
             ("implanted device", "implanted devices"),
             "Device", clinical.ImplantableDevice, "ImplantableDevice",
             "medicalEquipment", "Implantable devices."),
    Category(K.MEDICATIONS, "Medications",
             "Medicines prescribed to you, with doses and who prescribed them.",
             ("medication", "medications"),
             "MedicationRequest", clinical.MedicationRequest, "Medication",
             "medications", 'Prescriptions; `status: ["active"]` for current.',
             links=(ENCOUNTER, Link("prescriber", K.CARE_TEAM, "prescriber_id"))),
    Category(K.PROCEDURES, "Procedures",
             "Surgeries and other procedures you have had.",
             ("procedure", "procedures"),
             "Procedure", clinical.Procedure, "Procedure",
             "procedures", "Procedures.", links=(ENCOUNTER,)),
    Category(K.REFERRALS, "Referrals",
             "Referrals to other clinicians or services, and the reasons for them.",
             ("referral", "referrals"),
             "ServiceRequest", clinical.Referral, "Referral",
             "referrals", "Referrals.",
             links=(ENCOUNTER, Link("requester", K.CARE_TEAM, "requester_id"))),
))  # fmt: skip

CATEGORIES: tuple[Category, ...] = REGISTRY.categories
BY_KEY: dict[CategoryKey, Category] = REGISTRY.by_key

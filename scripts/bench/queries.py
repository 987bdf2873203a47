"""The benchmark's GraphQL workloads (W1 to W3) and their grants."""

CONNECTION = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { %s } }"
OBSERVATION = (
    "id code { system code display } status effectiveAt valueQuantity { value unit } "
    "valueText referenceRange { low { value unit } high { value unit } } "
    "interpretation { code display } encounter { id location }"
)
CONDITION = "id code { code display } icd10 { code display } clinicalStatus recordedAt"
PATIENT_FIELDS = {
    "careTeam": "id name role { code display } status",
    "allergies": "id code { display } clinicalStatus reaction { manifestation { display } }",
    "assessmentAndPlan": "id assessment plan encounter { id }",
    "encounters": (
        "id code { display } class status startAt location provider { id name } "
        "diagnoses { id code { display } icd10 { display } }"
    ),
    "functionalStatus": OBSERVATION,
    "mentalStatus": OBSERVATION,
    "labResults": OBSERVATION,
    "vitalSigns": OBSERVATION,
    "smokingStatus": OBSERVATION,
    "goals": "id description lifecycleStatus startDate",
    "problems": CONDITION,
    "healthConcerns": CONDITION,
    "immunizations": "id code { system code display } occurredAt performer",
    "medicalEquipment": "id udiCarrier deviceIdentifier implantedOn",
    "medications": "id code { display } status dosageText prescriber { id name } encounter { id }",
    "procedures": "id code { display } performedAt bodySite encounter { id }",
    "referrals": "id reasonText requester { id name } encounter { id }",
}
DEMOGRAPHICS = "name { given family text } birthDate sex race { code display } preferredLanguage"

W1 = (
    "query FullRecord { patient { id "
    + DEMOGRAPHICS
    + " "
    + " ".join(f"{name}(first: 20) {{ {CONNECTION % f} }}" for name, f in PATIENT_FIELDS.items())
    + " } }"
)
W2 = (
    "query Labs { patient { labResults(first: 10) { edges { node "
    "{ id code { code display } effectiveAt valueQuantity { value unit } } } } } }"
)
W3 = W1
EVERYTHING = ["launch/patient", "patient/*.rs"]
LABS_ONLY = [
    "launch/patient",
    "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/"
    "observation-category|laboratory",
]
THREE_CATEGORIES = [
    "launch/patient",
    "patient/Patient.rs",
    "patient/Encounter.rs",
    "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/"
    "observation-category|laboratory",
]

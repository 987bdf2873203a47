"""The benchmark's GraphQL workloads (W1 to W3) and their grants."""

from tests.builders.graphql import CONNECTION, PATIENT_FIELDS

# W1 is the tests' full-record query at 20 items a page (demographics without ethnicity).
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

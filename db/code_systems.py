"""The canonical URIs of the code systems clinical rows are coded in, and HL7's small value sets.

Rows may name a system by OID or common name (sharing/fhir/codes.py maps those); what the
API and the FHIR export emit are these URIs.
"""

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"
NUCC = "http://nucc.org/provider-taxonomy"
NDC = "http://hl7.org/fhir/sid/ndc"
CDC_RACE_ETHNICITY = "urn:oid:2.16.840.1.113883.6.238"
BCP47 = "urn:ietf:bcp:47"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
NULL_FLAVOR = TERMINOLOGY + "v3-NullFlavor"
OBSERVATION_INTERPRETATION = TERMINOLOGY + "v3-ObservationInterpretation"

# HL7 v3 ObservationInterpretation codes the record uses, with their displays.
INTERPRETATIONS = {
    "N": "Normal",
    "H": "High",
    "L": "Low",
    "HH": "Critical high",
    "LL": "Critical low",
    "A": "Abnormal",
}

"""Every link between record types and the category of the record it reaches."""

from sharing.scopes import CategoryKey

K = CategoryKey
# (type, field) -> the category of the record the link reaches; a new link must be listed here.
LINKS = {
    ("CarePlan", "encounter"): K.ENCOUNTERS,
    ("Encounter", "provider"): K.CARE_TEAM,
    ("Encounter", "diagnoses"): K.ENCOUNTER_DIAGNOSES,
    ("EncounterDiagnosis", "encounter"): K.ENCOUNTERS,
    ("FunctionalStatus", "encounter"): K.ENCOUNTERS,
    ("LabResult", "encounter"): K.ENCOUNTERS,
    ("Medication", "encounter"): K.ENCOUNTERS,
    ("Medication", "prescriber"): K.CARE_TEAM,
    ("MentalStatus", "encounter"): K.ENCOUNTERS,
    ("Procedure", "encounter"): K.ENCOUNTERS,
    ("Referral", "encounter"): K.ENCOUNTERS,
    ("Referral", "requester"): K.CARE_TEAM,
    ("SmokingStatus", "encounter"): K.ENCOUNTERS,
    ("VitalSign", "encounter"): K.ENCOUNTERS,
}

"""Framework-free rules for sharing a record: category registry, scopes, consent, apps, FHIR."""

"""The mapping between chartshare rows and FHIR R4 (US Core) resources."""

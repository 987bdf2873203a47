"""The FHIR R4 API at /fhir: US Core read and search under the same grants as GraphQL."""

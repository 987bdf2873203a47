"""Adding a category takes one registry entry plus its table, node type and FHIR mapping.

Everything else (scopes, GraphQL, activity sentences, the FHIR export, queries) derives
from the registry.
"""

import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

import strawberry

from db.observations import ObservationBase
from db.records_query import sorts_by_timestamp
from schema.records import NODE_MODULES, node_types, record_kinds
from schema.types.observations import Observation
from schema.types.patient import with_connections
from schema.types.relay import Node, implementation
from sharing.activity_summary import describe_counts
from sharing.categories import CATEGORIES, Category, CategoryKey, Link, Registry
from sharing.fhir.bundle import CONVERTERS
from sharing.fhir.codes import References
from sharing.scopes import categories_of_scope, scopes_for, supported_scopes

NOTES_SYSTEM = "http://example.org/fhir/CodeSystem/observation-category"


class ExtraKey(StrEnum):
    CLINICAL_NOTES = "clinical_notes"


class ClinicalNoteRow(ObservationBase):
    """The new category's table (not created here: a test must not change the database)."""

    __tablename__ = "clinical_note"
    record_date: ClassVar[str] = "effective_at"
    id: int | None = None


ClinicalNote = implementation(Observation, "ClinicalNote", "A clinical note.")


NOTES = Category(
    ExtraKey.CLINICAL_NOTES,
    "Clinical notes",
    "Notes your clinicians wrote.",
    ("clinical note", "clinical notes"),
    "Observation",
    ClinicalNoteRow,
    "ClinicalNote",
    "clinicalNotes",
    "Clinical notes.",
    NOTES_SYSTEM,
    "clinical-note",
    (Link("encounter", CategoryKey.ENCOUNTERS),),
)
REGISTRY = Registry((*CATEGORIES, NOTES))


def _row() -> ClinicalNoteRow:
    return ClinicalNoteRow(
        id=7,
        patient_id=1,
        code_system="http://loinc.org",
        code="11506-3",
        code_display="Progress note",
        status="final",
        effective_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        value_text="Doing well.",
    )


def test_scopes_grant_advertise_and_name_the_new_category() -> None:
    assert categories_of_scope(NOTES.scope, REGISTRY) == (NOTES,)
    assert NOTES in categories_of_scope("patient/Observation.rs", REGISTRY)
    assert NOTES.scope in supported_scopes(REGISTRY)
    assert NOTES.scope not in supported_scopes()
    others = [c.key for c in REGISTRY.categories if c.resource_type == "Observation"][:-1]
    assert "patient/Observation.rs" not in scopes_for(others, registry=REGISTRY)
    assert "patient/Observation.rs" in scopes_for([*others, NOTES.key], registry=REGISTRY)


def test_graphql_gets_a_guarded_connection_and_a_node_kind() -> None:
    kinds = record_kinds(REGISTRY, node_types([*NODE_MODULES, sys.modules[__name__]]))
    assert kinds[-1].category is NOTES
    assert isinstance(kinds[-1].build(_row()), ClinicalNote)

    @strawberry.type(description="A patient.")
    @with_connections(kinds)
    class TestPatient(Node):
        db_id: strawberry.Private[int]

    @strawberry.type
    class Query:
        patient: TestPatient | None = None

    sdl = strawberry.Schema(query=Query).as_str()
    assert "clinicalNotes(" in sdl
    assert f"Clinical notes. Newest first. Requires scope: {NOTES.scope} or" in sdl
    assert "labResults(" in sdl


def test_activity_sentences_fhir_and_queries_pick_it_up() -> None:
    assert describe_counts({"clinical_notes": 3, "goals": 1}, REGISTRY) == (
        "1 goal and 3 clinical notes"
    )
    refs = References(base_url="https://chartshare.test", patient_url="urn:uuid:p")
    resource: dict[str, Any] = CONVERTERS[NOTES.resource_type](_row(), NOTES, refs)
    assert resource["category"] == [{"coding": [{"system": NOTES_SYSTEM, "code": "clinical-note"}]}]
    assert resource["valueString"] == "Doing well."
    assert sorts_by_timestamp(ClinicalNoteRow)

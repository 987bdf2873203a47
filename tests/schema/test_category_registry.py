"""Every consumer of the category registry serves exactly the categories the registry lists."""

from dataclasses import replace
from datetime import date, datetime

import pytest
from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLObjectType
from sqlalchemy import Table
from sqlmodel import SQLModel

from db.records import PatientOwned
from db.tables import CLINICAL_TABLES
from schema.compiled.catalog import TYPES
from schema.graph import SCHEMA
from schema.permissions import RequireCategory
from schema.records import BY_TYPE_NAME, RECORD_KINDS
from sharing.activity_summary import describe_counts
from sharing.categories import CATEGORIES, REGISTRY, CategoryKey, Link, Registry
from sharing.fhir.bundle import CONVERTERS
from sharing.scopes import supported_scopes

CLINICAL = [c for c in CATEGORIES if not c.is_patient]


def _guards(type_name: str) -> dict[str, CategoryKey]:
    """The guarded fields of a GraphQL object type and the category guarding each."""
    definition = SCHEMA.get_type_by_name(type_name)
    assert definition is not None, type_name
    return {
        SCHEMA.config.name_converter.from_field(f): e.key
        for f in definition.fields  # type: ignore[union-attr]
        for e in f.extensions
        if isinstance(e, RequireCategory)
    }


def test_the_key_enum_and_the_table_list_the_same_categories_in_order() -> None:
    assert [c.key for c in CATEGORIES] == list(CategoryKey)
    data_category = SCHEMA._schema.get_type("DataCategory")
    assert isinstance(data_category, GraphQLEnumType)
    assert [v.value for v in data_category.values.values()] == list(CategoryKey)


def test_patient_has_one_guarded_nullable_connection_per_category_field() -> None:
    graph_patient = SCHEMA._schema.get_type("Patient")
    assert isinstance(graph_patient, GraphQLObjectType)
    guards = _guards("Patient")
    connections = {name: key for name, key in guards.items() if key != CategoryKey.DEMOGRAPHICS}
    assert connections == {c.field: c.key for c in CATEGORIES if c.field is not None}
    for category in CATEGORIES:
        if category.field is None:
            continue
        field = graph_patient.fields[category.field]
        assert not isinstance(field.type, GraphQLNonNull), category.field
        assert str(field.type) == f"{category.node_type}Connection"
    demographic = {name for name, key in guards.items() if key == CategoryKey.DEMOGRAPHICS}
    # `id` and `fhirId` name the patient the token is bound to: no category guards them.
    assert demographic | set(connections) == set(graph_patient.fields) - {"id", "fhirId"}


def test_links_between_node_types_are_the_registry_links() -> None:
    for category in CLINICAL:
        declared = {link.field: link.target for link in category.links}
        assert _guards(category.node_type) == declared, category.key


def test_the_compiled_read_path_takes_its_links_from_the_registry() -> None:
    for category in CLINICAL:
        compiled = {f: s for f, s in TYPES[category.node_type].items() if isinstance(s, Link)}
        assert compiled == {link.field: link for link in category.links}, category.key


def test_a_link_by_a_column_the_table_lacks_is_refused() -> None:
    medications = REGISTRY.by_key[CategoryKey.MEDICATIONS]
    broken = replace(medications, links=(Link("prescriber", CategoryKey.CARE_TEAM, "doctor_id"),))
    others = [c for c in CATEGORIES if c.key != CategoryKey.MEDICATIONS]
    with pytest.raises(ValueError, match=r"medications\.prescriber: no column doctor_id"):
        Registry([*others, broken])


def test_every_clinical_category_has_a_node_type_a_table_and_a_fhir_mapping() -> None:
    assert [kind.category for kind in RECORD_KINDS] == CLINICAL
    assert set(BY_TYPE_NAME) == {c.node_type for c in CLINICAL}
    assert {c.model for c in CLINICAL} == set(CLINICAL_TABLES)
    for category in CLINICAL:
        assert category.resource_type in CONVERTERS or category.resource_type == "CareTeam"
        model = category.model
        assert issubclass(model, PatientOwned)
        assert model.model_fields[model.record_date].annotation in (date, datetime)
        assert model.record_status in model.model_fields
        indexed = {tuple(c.name for c in index.columns) for index in _table(model).indexes}
        assert ("patient_id", model.record_date, "id") in indexed, category.key


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def test_scopes_and_activity_sentences_cover_every_category() -> None:
    advertised = supported_scopes()
    counts = {c.key.value: 2 for c in CATEGORIES}
    sentence = describe_counts(counts)
    for category in CATEGORIES:
        assert category.scope in advertised
        assert f"2 {category.noun[1]}" in sentence
    assert REGISTRY.by_key == {c.key: c for c in CATEGORIES}

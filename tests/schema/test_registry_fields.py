"""Every field the scope registry names exists in the schema, nullable, and is guarded."""

from graphql import GraphQLNonNull

from schema.graph import SCHEMA
from schema.permissions import RequireCategory
from schema.types.patient import Patient
from sharing.scopes import CATEGORIES


def test_registry_fields_exist_and_are_nullable() -> None:
    graph = SCHEMA._schema
    for category in CATEGORIES:
        for name in category.fields:
            type_name, _, field_name = name.rpartition(".")
            field = graph.get_type(type_name or "Patient").fields[field_name]  # type: ignore[union-attr]
            assert not isinstance(field.type, GraphQLNonNull), name


def test_every_patient_field_but_the_ids_is_guarded_by_its_category() -> None:
    definition = Patient.__strawberry_definition__  # type: ignore[attr-defined]
    guarded = {
        SCHEMA.config.name_converter.from_field(f): next(
            e.key for e in f.extensions if isinstance(e, RequireCategory)
        )
        for f in definition.fields
        if any(isinstance(e, RequireCategory) for e in f.extensions)
    }
    names = {f.python_name for f in definition.fields}
    unguarded = {
        f.python_name
        for f in definition.fields
        if not any(isinstance(e, RequireCategory) for e in f.extensions)
    }
    # `id` and `fhirId` name the patient the token is already bound to: no category.
    assert unguarded == {"id", "fhir_id"}
    assert len(guarded) == len(names) - 2
    for category in CATEGORIES:
        for name in category.fields:
            if "." not in name:
                assert guarded[name] == category.key, name

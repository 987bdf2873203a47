"""Every link between records is guarded by the category of the record it reaches."""

from graphql import GraphQLObjectType, get_named_type

from schema.graph import SCHEMA
from schema.permissions import RequireCategory
from schema.records import BY_TYPE_NAME
from sharing.scopes import CategoryKey
from tests.builders.links import LINKS


def _links() -> dict[tuple[str, str], list[CategoryKey]]:
    """Every field of a record type that returns a record, with the categories guarding it."""
    found: dict[tuple[str, str], list[CategoryKey]] = {}
    for name, graphql_type in SCHEMA._schema.type_map.items():
        if name not in BY_TYPE_NAME or not isinstance(graphql_type, GraphQLObjectType):
            continue
        definition = graphql_type.extensions["strawberry-definition"]
        for field in definition.fields:
            graphql_name = SCHEMA.config.name_converter.from_field(field)
            target = get_named_type(graphql_type.fields[graphql_name].type).name
            if target in BY_TYPE_NAME:
                found[(name, graphql_name)] = [
                    e.key for e in field.extensions if isinstance(e, RequireCategory)
                ]
    return found


def test_every_link_is_guarded_by_its_targets_category() -> None:
    links = _links()
    assert set(links) == set(LINKS)
    for link, guards in links.items():
        assert guards == [LINKS[link]], link

"""Schema lint: every type, field, argument and enum value says what it is, for codegen users."""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)

from schema.graph import SCHEMA


def _ours(named: GraphQLNamedType) -> bool:
    return not named.name.startswith("__") and named.name not in {
        "String", "Int", "Float", "Boolean", "ID",
    }  # fmt: skip


def undescribed() -> list[str]:
    """Every schema element without a description, as `Type`, `Type.field` or `Type.field(arg)`."""
    graph = SCHEMA._schema
    missing: list[str] = []
    for named in graph.type_map.values():
        if not _ours(named):
            continue
        if not named.description:
            missing.append(named.name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in named.fields.items():
                if not field.description:
                    missing.append(f"{named.name}.{name}")
                missing.extend(
                    f"{named.name}.{name}({arg})"
                    for arg, argument in field.args.items()
                    if not argument.description
                )
        elif isinstance(named, GraphQLInputObjectType):
            missing.extend(
                f"{named.name}.{name}" for name, f in named.fields.items() if not f.description
            )
        elif isinstance(named, GraphQLEnumType):
            missing.extend(
                f"{named.name}.{name}" for name, v in named.values.items() if not v.description
            )
        elif not isinstance(named, GraphQLScalarType | GraphQLUnionType):
            raise AssertionError(f"unexpected kind of type {named.name}")
    return missing


def test_every_type_field_argument_and_enum_value_has_a_description() -> None:
    assert undescribed() == []


def test_date_scalars_say_which_format_they_follow() -> None:
    graph = SCHEMA._schema
    for name in ("Date", "DateTime"):
        scalar = graph.get_type(name)
        assert isinstance(scalar, GraphQLScalarType)
        assert scalar.specified_by_url and scalar.specified_by_url.startswith("https://")
        assert "ISO 8601" in (scalar.description or "")


def test_days_and_instants_are_named_consistently() -> None:
    """`...At` is always a DateTime; a Date is `...Date` or `...On` (deprecated names aside)."""
    graph = SCHEMA._schema
    wrong: list[str] = []
    for named in graph.type_map.values():
        if not _ours(named) or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, field in named.fields.items():
            kind = get_named_type(field.type).name
            if field.deprecation_reason:
                continue
            if kind == "DateTime" and not name.endswith("At"):
                wrong.append(f"{named.name}.{name}")
            if kind == "Date" and not name.endswith(("Date", "On")):
                wrong.append(f"{named.name}.{name}")
            if name.endswith("At") and kind != "DateTime":
                wrong.append(f"{named.name}.{name}")
    assert wrong == []

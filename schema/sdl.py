"""The published SDL: what `chartshare export-schema` writes to schema.graphql."""

from schema.graph import SCHEMA


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return SCHEMA.as_str() + "\n"

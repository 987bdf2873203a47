"""Tables, the async engine and keyword-only query functions. Knows no HTTP, GraphQL or OAuth."""

from sqlmodel import SQLModel

# Set before any table is defined: named constraints keep migrations identical on
# SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

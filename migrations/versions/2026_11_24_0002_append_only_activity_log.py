"""Make the activity log append-only in the database itself.

The product never updates or deletes an activity event; these triggers make the
database refuse it too, so that a bug or a stray script cannot rewrite history.
"""

from alembic import op

revision: str = "a1e0c7d4b2f9"
down_revision: str | None = "3c1f15b9010d"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION activity_event_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'activity_event is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            """
            CREATE TRIGGER activity_event_append_only
            BEFORE UPDATE OR DELETE ON activity_event
            FOR EACH ROW EXECUTE FUNCTION activity_event_append_only()
            """
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"""
                CREATE TRIGGER activity_event_no_{action.lower()}
                BEFORE {action} ON activity_event
                BEGIN SELECT RAISE(ABORT, 'activity_event is append-only'); END
                """
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER activity_event_append_only ON activity_event")
        op.execute("DROP FUNCTION activity_event_append_only()")
    else:
        op.execute("DROP TRIGGER activity_event_no_update")
        op.execute("DROP TRIGGER activity_event_no_delete")

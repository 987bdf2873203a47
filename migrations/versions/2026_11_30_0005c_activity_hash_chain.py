"""Chain every activity event to the one before it, so that tampering can be detected.

Adds `chain`, `prev_hash` and `hash` to activity_event and the table
activity_chain_head (each chain's newest hash and length, moved to each new event by
the trigger activity_event_move_chain_head), then links the events already stored,
oldest first. The append-only triggers are lifted for the backfill
only and restored at once. `chartshare audit verify` walks the chains.

The digest is written out here rather than imported, so that this migration keeps
computing what it computed when it was written (db/activity_chain.py must agree).
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import db.columns

revision: str = "ab04480a252c"
down_revision: str | None = "8f4a2d6c3b17"

BATCH = 1000

events = sa.table(
    "activity_event",
    sa.column("id", sa.Integer()),
    sa.column("occurred_at", db.columns.UTCDateTime(timezone=True)),
    sa.column("kind", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("account_id", sa.Integer()),
    sa.column("patient_id", sa.Integer()),
    sa.column("app_id", sa.Integer()),
    sa.column("grant_id", sa.Integer()),
    sa.column("source_address", sa.String()),
    sa.column("details", sa.String()),
    sa.column("chain", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
heads = sa.table(
    "activity_chain_head",
    sa.column("chain", sa.String()),
    sa.column("last_event_id", sa.Integer()),
    sa.column("last_hash", sa.String()),
    sa.column("length", sa.Integer()),
)


def _chain(row: Any) -> str:
    if row.patient_id is not None:
        return f"patient:{row.patient_id}"
    if row.account_id is not None:
        return f"account:{row.account_id}"
    return "system"


def _digest(row: Any, chain: str, prev_hash: str) -> str:
    occurred: datetime = row.occurred_at
    content = [
        chain,
        prev_hash,
        occurred.astimezone(UTC).isoformat(timespec="microseconds"),
        row.kind,
        row.outcome,
        row.account_id,
        row.patient_id,
        row.app_id,
        row.grant_id,
        row.source_address,
        row.details,
    ]
    canonical = json.dumps(content, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lift_append_only(postgresql: bool) -> None:
    if postgresql:
        op.execute("ALTER TABLE activity_event DISABLE TRIGGER activity_event_append_only")
    else:
        op.execute("DROP TRIGGER activity_event_no_update")


def _restore_append_only(postgresql: bool) -> None:
    if postgresql:
        op.execute("ALTER TABLE activity_event ENABLE TRIGGER activity_event_append_only")
    else:
        op.execute(
            """
            CREATE TRIGGER activity_event_no_update
            BEFORE UPDATE ON activity_event
            BEGIN SELECT RAISE(ABORT, 'activity_event is append-only'); END
            """
        )


def _backfill() -> None:
    connection = op.get_bind()
    last: dict[str, tuple[int, str, int]] = {}
    update = (
        events.update()
        .where(events.c.id == sa.bindparam("row_id"))
        .values(chain=sa.bindparam("new_chain"), prev_hash=sa.bindparam("new_prev"),
                hash=sa.bindparam("new_hash"))
    )  # fmt: skip
    after = 0
    while True:
        rows = connection.execute(
            sa.select(events).where(events.c.id > after).order_by(events.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        changes = []
        for row in rows:
            chain = _chain(row)
            _, prev_hash, length = last.get(chain, (0, "", 0))
            digest = _digest(row, chain, prev_hash)
            changes.append(
                {"row_id": row.id, "new_chain": chain, "new_prev": prev_hash, "new_hash": digest}
            )
            last[chain] = (row.id, digest, length + 1)
        connection.execute(update, changes)
        after = rows[-1].id
    if last:
        connection.execute(
            heads.insert(),
            [
                {"chain": chain, "last_event_id": event_id, "last_hash": digest, "length": length}
                for chain, (event_id, digest, length) in last.items()
            ],
        )


MOVE_HEAD = (
    "UPDATE activity_chain_head SET last_hash = NEW.hash, last_event_id = NEW.id "
    "WHERE chain = NEW.chain"
)


def _create_head_trigger(postgresql: bool) -> None:
    # The writer has already locked and counted the head (db/activity_chain.py); the
    # database points it at the new event, saving the writer a round trip.
    if postgresql:
        op.execute(
            f"""
            CREATE FUNCTION activity_event_move_chain_head() RETURNS trigger AS $$
            BEGIN
                {MOVE_HEAD};
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            """
            CREATE TRIGGER activity_event_move_chain_head
            AFTER INSERT ON activity_event
            FOR EACH ROW EXECUTE FUNCTION activity_event_move_chain_head()
            """
        )
    else:
        op.execute(
            f"""
            CREATE TRIGGER activity_event_move_chain_head
            AFTER INSERT ON activity_event
            BEGIN {MOVE_HEAD}; END
            """
        )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "activity_chain_head",
        sa.Column("chain", AutoString(length=40), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", AutoString(length=64), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_activity_chain_head")),
    )
    # SQLite adds a NOT NULL column only with a default; rows get their real values below.
    for name, length in (("chain", 40), ("prev_hash", 64), ("hash", 64)):
        op.add_column(
            "activity_event",
            sa.Column(name, AutoString(length=length), nullable=False, server_default=""),
        )
    _lift_append_only(postgresql)
    _backfill()
    _restore_append_only(postgresql)
    if postgresql:
        for name in ("chain", "prev_hash", "hash"):
            op.alter_column("activity_event", name, server_default=None)
    op.create_index("ix_activity_event_chain", "activity_event", ["chain", "id"], unique=False)
    _create_head_trigger(postgresql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER activity_event_move_chain_head ON activity_event")
        op.execute("DROP FUNCTION activity_event_move_chain_head()")
    else:
        op.execute("DROP TRIGGER activity_event_move_chain_head")
    op.drop_index("ix_activity_event_chain", table_name="activity_event")
    for name in ("hash", "prev_hash", "chain"):
        op.drop_column("activity_event", name)
    op.drop_table("activity_chain_head")

"""${message}."""

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel types
from alembic import op
${imports if imports else ""}

import db.columns

revision: str = ${repr(up_revision)}
down_revision: str | None = ${repr(down_revision)}
% if branch_labels:
branch_labels: tuple[str, ...] = ${repr(tuple(branch_labels) if not isinstance(branch_labels, str) else (branch_labels,))}
% endif
% if depends_on:
depends_on: tuple[str, ...] = ${repr(tuple(depends_on) if not isinstance(depends_on, str) else (depends_on,))}
% endif


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}

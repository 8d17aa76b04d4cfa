"""When the RCA team was chartered: the analysis started, judged against the 72-hour start.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:05:00

`chartered_at` is naive local wall-clock time, like the investigation's other event times.
RCA2 asks that the team be chartered within 72 hours of the decision that an RCA is needed;
without this date that deadline could be shown but never judged met or not. Investigations
already there have none recorded (NULL), which the report says in words.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("investigation", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("chartered_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # In place where SQLite can drop a column (3.35+): copying the investigation table would
    # delete every row that hangs off it (ON DELETE CASCADE) on a connection with foreign keys.
    bind = op.get_bind()
    in_place = bind.dialect.name != "sqlite" or _sqlite_version(bind) >= (3, 35)
    with op.batch_alter_table(
        "investigation", recreate="never" if in_place else "auto"
    ) as batch_op:
        batch_op.drop_column("chartered_at")


def _sqlite_version(bind: sa.engine.Connection) -> tuple[int, ...]:
    version = bind.exec_driver_sql("SELECT sqlite_version()").scalar_one()
    return tuple(int(part) for part in str(version).split("."))

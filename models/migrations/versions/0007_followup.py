"""Follow-up after approval: implementation, measurements, effectiveness, how feedback was given.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:30:00

- `action.started_on`, `done_on`: when the action was started and done.
- `action.effectiveness` (effective / not effective / pending), `effectiveness_by` (the login),
  `effectiveness_name`, `effectiveness_at`, `effectiveness_note`: the verdict of the action's
  owner or a reviewer. `closed_reason`, `closed_by`, `closed_at`: a reviewer closed the action
  without it being verified effective, and why. `imported_followup`: a verdict or closure that
  came in a file, history only.
- `feedback.method`: how the feedback was given (in person, by phone, by letter ...).
- `measurement`: one result of an action's measure (a value, or numerator over denominator), on
  a date, with who entered it. Not append-only like the audit table: rows go with their
  investigation (ON DELETE CASCADE), and every row made or removed is in the audit trail.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXTS = (
    "effectiveness_by",
    "effectiveness_name",
    "effectiveness_note",
    "closed_reason",
    "closed_by",
    "imported_followup",
)


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy), as in 0006.
    with op.batch_alter_table("action", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("done_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("effectiveness", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("effectiveness_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        for name in _TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("feedback", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("method", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Integer(), nullable=True),
        sa.Column("denominator", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.Text(), nullable=False),
        sa.Column("entered_name", sa.Text(), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("imported", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigation.id"],
            name=op.f("fk_measurement_investigation_id_investigation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_measurement_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement")),
    )
    with op.batch_alter_table("measurement") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measurement_investigation_id"), ["investigation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_measurement_action_id"), ["action_id"], unique=False)


def downgrade() -> None:
    op.drop_table("measurement")
    with op.batch_alter_table("feedback") as batch_op:
        batch_op.drop_column("method")
    with op.batch_alter_table("action") as batch_op:
        for name in (*reversed(_TEXTS), "closed_at", "effectiveness_at", "effectiveness"):
            batch_op.drop_column(name)
        batch_op.drop_column("done_on")
        batch_op.drop_column("started_on")

"""Corrected results: a measurement entered by mistake is superseded by a correction, not edited.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 03:50:00

`superseded_by` is the id of the correction (a measurement of the same action), and
`superseded_reason` why the earlier one was wrong. Results are evidence: the wrong one stays,
shown as corrected, and no rule counts it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measurement", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("superseded_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("superseded_reason", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("measurement") as batch_op:
        batch_op.drop_column("superseded_reason")
        batch_op.drop_column("superseded_by")

"""Fishbone categories per investigation (the bones; none stored means the default set).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 02:01:45.493304
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate may render sqlmodel types
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fishbone_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigation.id"],
            name=op.f("fk_fishbone_category_investigation_id_investigation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fishbone_category")),
        sa.UniqueConstraint(
            "investigation_id", "name", name=op.f("uq_fishbone_category_investigation_id")
        ),
    )
    with op.batch_alter_table("fishbone_category", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fishbone_category_investigation_id"), ["investigation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("fishbone_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fishbone_category_investigation_id"))

    op.drop_table("fishbone_category")

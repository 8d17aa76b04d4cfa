"""Users and their roles; why a root cause has no action, or only weaker ones.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 02:14:22.147974

The user table starts empty: the first person to open the database after this migration (or the
creator of a new one) is recorded as its admin by the service.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("name", name=op.f("uq_app_user_name")),
    )
    # Existing causes get "" (no reason written), as new ones do.
    with op.batch_alter_table("cause", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("no_action_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weak_only_reason", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("cause", schema=None) as batch_op:
        batch_op.drop_column("weak_only_reason")
        batch_op.drop_column("no_action_reason")

    op.drop_table("app_user")

"""Cause codes: a hospital's own codes (and retired seed codes) and the codes each cause carries.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:40:00

The seed codes are data (models/rules/cause_codes.toml), not rows: `cause_code` holds only what
a hospital added or retired. `cause_code_link` keeps the investigation beside the cause so that
counts across investigations need no join.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cause_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("parent", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cause_code")),
        sa.UniqueConstraint("key", name=op.f("uq_cause_code_key")),
    )
    op.create_table(
        "cause_code_link",
        sa.Column("cause_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cause_id"],
            ["cause.id"],
            name=op.f("fk_cause_code_link_cause_id_cause"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigation.id"],
            name=op.f("fk_cause_code_link_investigation_id_investigation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cause_id", "code", name=op.f("pk_cause_code_link")),
    )
    with op.batch_alter_table("cause_code_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cause_code_link_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cause_code_link_investigation_id"), ["investigation_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("cause_code_link")
    op.drop_table("cause_code")

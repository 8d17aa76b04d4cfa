"""Who did what, for real: the login beside the typed name; imported sign-offs as history only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:30:00

- `audit_entry.display_name`: from now on `user` holds the login (the operating-system account,
  or the PostgreSQL session's role) and `display_name` the name given with --user or RCA_USER.
  Both are covered by the entry's hash. Older rows keep what they had (the given name).
- `sign_off.login`, `imported`, `override_reason`, `chain_seq`, `chain_hash`: who signed, a row
  that came in an imported file (never a live approval), an admin's reason for setting
  separation of duties aside, and the audit chain's head at the moment of signing.
- `action.concurrence_name`, `concurrence_override` and `imported_concurrence`: the name shown
  beside the login that concurred, an admin's reason for concurring although an author, and a
  concurrence that came in a file, kept as history.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy): the audit table's append-only triggers stay in place.
    with op.batch_alter_table("audit_entry", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.Text(), nullable=True))
    with op.batch_alter_table("sign_off", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("login", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("imported", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("override_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chain_hash", sa.Text(), nullable=True))
    with op.batch_alter_table("action", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("concurrence_name", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("concurrence_override", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("imported_concurrence", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a table copy would lose the append-only triggers.
    op.execute("ALTER TABLE audit_entry DROP COLUMN display_name")
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_column("imported_concurrence")
        batch_op.drop_column("concurrence_override")
        batch_op.drop_column("concurrence_name")
    with op.batch_alter_table("sign_off") as batch_op:
        for name in ("chain_hash", "chain_seq", "override_reason", "imported", "login"):
            batch_op.drop_column(name)

"""The audit trail is append-only on PostgreSQL too: UPDATE, DELETE and TRUNCATE are refused.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:00:00

SQLite got its triggers in 0001. On PostgreSQL a trigger function raises for any row update or
delete of `audit_entry`, and a statement trigger refuses TRUNCATE (which row triggers do not
see). Database privileges (see README, "Running on a hospital server") keep the role people use
from dropping them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit entries are never changed or removed"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; "
        "END $$"
    )
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
    op.execute(
        "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for verb in ("update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_entry_no_{verb} ON audit_entry")
    op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")

"""RCA2 report sections the other tables do not hold, and other people involved.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:45:00

- `report_note`: lessons learned, risk-reduction strategies considered and not taken (with the
  reason), literature and evidence reviewed; one row each, in the investigator's order.
- `involved_person`: people involved in the event who are neither the patient nor on the team
  (the other patient of a wrong-patient event); their names are scrubbed from de-identified
  copies like the patient's.

Both are new tables: nothing already stored changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _child(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        *columns,
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigation.id"],
            name=op.f(f"fk_{name}_investigation_id_investigation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(op.f(f"ix_{name}_investigation_id"), name, ["investigation_id"], unique=False)


def upgrade() -> None:
    _child(
        "report_note",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    _child(
        "involved_person",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("involvement", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for name in ("involved_person", "report_note"):
        op.drop_index(op.f(f"ix_{name}_investigation_id"), table_name=name)
        op.drop_table(name)

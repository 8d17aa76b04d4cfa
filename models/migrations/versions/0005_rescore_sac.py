"""Recompute every SAC score with the rule that scores an incident on the higher severity.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:10:00

Releases before this one scored an incident on its actual severity alone, so an incident with
little harm but a catastrophic credible outcome showed SAC 1 where RCA2 triage gives 3. The score
is derived (never typed), so it is simply computed again from the stored severities and
probability, and each score that moves gets its audit entry (the next link of the hash chain),
signed as this migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.audit import GENESIS, entry_hash
from models.rules.sac import sac_score
from models.tables import _now

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, report_type, severity_actual, severity_potential, probability, sac_score "
            "FROM investigation ORDER BY id"
        )
    ).all()
    head = conn.execute(
        sa.text("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
    ).first()
    seq, prev = (head[0], head[1]) if head else (0, GENESIS)
    at = _now()
    insert = sa.text(
        'INSERT INTO audit_entry (seq, at, "user", investigation_id, entity, entity_id, action, '
        "field, old, new, prev_hash, hash) VALUES (:seq, :at, :user, :investigation_id, "
        ":entity, :entity_id, :action, :field, :old, :new, :prev_hash, :hash)"
    )
    for row in rows:
        score = sac_score(row[1], row[2], row[3], row[4])
        if score == row[5]:
            continue
        conn.execute(
            sa.text("UPDATE investigation SET sac_score = :s WHERE id = :i"),
            {"s": score, "i": row[0]},
        )
        seq += 1
        entry = {
            "seq": seq,
            "at": at,
            "user": "rca-tui (schema 0005: SAC rule)",
            "investigation_id": row[0],
            "entity": "investigation",
            "entity_id": row[0],
            "action": "update",
            "field": "sac_score",
            "old": None if row[5] is None else str(row[5]),
            "new": None if score is None else str(score),
        }
        digest = entry_hash(**entry, prev_hash=prev)
        conn.execute(insert, {**entry, "prev_hash": prev, "hash": digest})
        prev = digest


def downgrade() -> None:
    """Nothing to undo: the older rule's scores are not kept."""

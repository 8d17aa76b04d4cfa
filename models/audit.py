"""The audit trail's hash chain.

Each entry stores the SHA-256 of its own content together with the previous entry's hash, so an
entry edited or removed outside the app breaks the chain from that point. `verify` recomputes
the chain and names the first entry that does not match. (Removing the newest entries leaves a
shorter but valid chain; a later issue can anchor the head elsewhere.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    user: str,
    investigation_id: int | None,
    entity: str,
    entity_id: int | None,
    action: str,
    field: str | None,
    old: str | None,
    new: str | None,
    prev_hash: str,
    display_name: str | None = None,
) -> str:
    """The hash of one entry: canonical JSON of every stored field plus the previous hash.

    `display_name` (schema 0006) joins the list only when there is one, so that entries written
    before it existed keep their hash; blanking it on a newer entry changes the hash too.
    """
    fields: list[object] = [
        seq,
        at.isoformat(timespec="seconds"),
        user,
        investigation_id,
        entity,
        entity_id,
        action,
        field,
        old,
        new,
        prev_hash,
    ]
    if display_name is not None:
        fields.append(display_name)
    payload = json.dumps(
        fields,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int | None
    entry_id: int | None
    message: str


def verify(rows: Iterable[object]) -> ChainProblem | None:
    """Check rows (ordered by seq) of the audit table; the first problem, or None if intact."""
    prev = GENESIS
    expected_seq = 1
    for row in rows:
        seq = row.seq  # type: ignore[attr-defined]
        if seq != expected_seq:
            return ChainProblem(
                seq,
                row.id,  # type: ignore[attr-defined]
                f"audit entries {expected_seq} to {seq - 1} are missing (removed outside the app)",
            )
        if row.prev_hash != prev:  # type: ignore[attr-defined]
            return ChainProblem(seq, row.id, f"audit entry {seq} does not follow entry {seq - 1}")  # type: ignore[attr-defined]
        recomputed = entry_hash(
            seq=seq,
            at=row.at,  # type: ignore[attr-defined]
            user=row.user,  # type: ignore[attr-defined]
            investigation_id=row.investigation_id,  # type: ignore[attr-defined]
            entity=row.entity,  # type: ignore[attr-defined]
            entity_id=row.entity_id,  # type: ignore[attr-defined]
            action=row.action,  # type: ignore[attr-defined]
            field=row.field,  # type: ignore[attr-defined]
            old=row.old,  # type: ignore[attr-defined]
            new=row.new,  # type: ignore[attr-defined]
            prev_hash=prev,
            display_name=getattr(row, "display_name", None),
        )
        if recomputed != row.hash:  # type: ignore[attr-defined]
            return ChainProblem(
                seq,
                row.id,  # type: ignore[attr-defined]
                f"audit entry {seq} was altered after it was written",
            )
        prev = row.hash  # type: ignore[attr-defined]
        expected_seq += 1
    return None

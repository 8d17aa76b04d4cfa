"""The audit trail's hash chain, and the anchors that hold its head where a cut cannot reach.

Each entry stores the SHA-256 of its own content together with the previous entry's hash, so an
entry edited or removed outside the app breaks the chain from that point. `verify` recomputes
the chain and names the first entry that does not match.

Removing the newest entries leaves a shorter chain that is still valid in itself. So the head
(sequence and hash) is also recorded elsewhere: on every sign-off, in every exported report, and
in a checkpoint file outside the database (`models.checkpoint`). These are `Anchor`s: `verify`
checks that the chain still reaches each one and passes through it with the same hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

GENESIS = "0" * 64


class AuditRecord(Protocol):
    """A stored audit entry as `verify` reads it (the audit table's row)."""

    id: int | None
    seq: int
    at: dt.datetime
    user: str
    investigation_id: int | None
    entity: str
    entity_id: int | None
    action: str
    field: str | None
    old: str | None
    new: str | None
    prev_hash: str
    hash: str


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


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where the chain once stood: entry `seq` had `hash` (a prefix of at least 12 hex digits is
    enough, as a printed report gives it). `source` says who recorded it, for the message."""

    seq: int
    hash: str
    source: str


def verify(rows: Iterable[AuditRecord], anchors: Iterable[Anchor] = ()) -> ChainProblem | None:
    """Check rows (ordered by seq) of the audit table against themselves and against the
    anchors; the first problem, or None if intact."""
    wanted: dict[int, Anchor] = {}
    for anchor in sorted(anchors, key=lambda a: a.seq):
        wanted.setdefault(anchor.seq, anchor)
    seen: dict[int, str] = {}
    problem = _walk(rows, wanted, seen)
    if problem is not None:
        return problem
    last = max(seen, default=0)
    for seq, anchor in wanted.items():
        if seq > last:
            first = last + 1
            span = f"entry {seq}" if first == seq else f"entries {first} to {seq}"
            return ChainProblem(
                first,
                None,
                f"audit {span} missing from the end of the trail: {anchor.source} recorded "
                f"entry {seq}, the trail now ends at {last}",
            )
        if not seen[seq].startswith(anchor.hash.lower()):
            return ChainProblem(
                seq,
                None,
                f"audit entry {seq} is not the one {anchor.source} recorded: the trail was "
                "rewritten from there",
            )
    return None


def _walk(rows: Iterable[AuditRecord], wanted: dict[int, Anchor], seen: dict[int, str]):
    """Recompute the chain; note the hashes of the anchored entries (and the last one)."""
    prev = GENESIS
    expected_seq = 1
    seq = 0
    for row in rows:
        seq = row.seq
        if seq != expected_seq:
            return ChainProblem(
                seq,
                row.id,
                f"audit entries {expected_seq} to {seq - 1} are missing (removed outside the app)",
            )
        if row.prev_hash != prev:
            return ChainProblem(seq, row.id, f"audit entry {seq} does not follow entry {seq - 1}")
        recomputed = entry_hash(
            seq=seq,
            at=row.at,
            user=row.user,
            investigation_id=row.investigation_id,
            entity=row.entity,
            entity_id=row.entity_id,
            action=row.action,
            field=row.field,
            old=row.old,
            new=row.new,
            prev_hash=prev,
            display_name=getattr(row, "display_name", None),
        )
        if recomputed != row.hash:
            return ChainProblem(
                seq,
                row.id,
                f"audit entry {seq} was altered after it was written",
            )
        prev = row.hash
        if seq in wanted:
            seen[seq] = prev
        expected_seq += 1
    if seq:
        seen[seq] = prev
    return None

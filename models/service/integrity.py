"""Does the data still say what the audit trail says? Replaying the trail against the rows.

The hash chain proves the trail itself was not edited; it says nothing of a cause whose text
was changed in the database with the sqlite3 shell, which leaves no entry at all. So `verify`
also replays the trail: every record made (create, import, restore), every field changed, every
record deleted, every link made and removed. The rows must match what that replay gives:

* a row the trail never made was added outside the app; a record the trail made and never
  deleted that is gone was removed outside the app;
* each field the trail gave a value must still hold it;
* a record made by this release or later (its entries carry the name given beside the login,
  schema 0006) has every field in the trail from the start (`Transaction.created`), so a field
  the trail never set must still hold its default. Older records are checked on what their
  entries held.

Derived or bookkeeping columns (versions, updated-at, list positions) are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models import values
from models.service.core import TRACKED
from models.tables import ActionCauseRow, AuditRow, CausalLinkRow


@dataclass
class _Record:
    investigation_id: int | None
    strict: bool
    fields: dict[str, str | None] = field(default_factory=dict)
    exists: bool = True
    #: The trail has the entry that made it (create, import, restore); every record made by the
    #: app has one, since the first schema.
    made: bool = True


@dataclass
class _Replay:
    records: dict[tuple[str, int], _Record] = field(default_factory=dict)
    #: investigation -> the (cause, effect) links the trail left.
    links: dict[int, set[tuple[int, int]]] = field(default_factory=dict)
    #: action -> the causes it addresses.
    addresses: dict[int, set[int]] = field(default_factory=dict)

    def entry(self, e: Any) -> None:
        if e.entity == "causal_link":
            self._link(e)
        elif e.entity in TRACKED and e.entity_id is not None:
            self._record(e)

    def _link(self, e: Any) -> None:
        pair = _pair(e.new if e.action != "delete" else e.old)
        if pair is None or e.investigation_id is None:
            return
        links = self.links.setdefault(e.investigation_id, set())
        if e.action == "delete":
            links.discard(pair)
        else:
            links.add(pair)

    def _record(self, e: Any) -> None:
        key = (e.entity, e.entity_id)
        spec = TRACKED[e.entity]
        record = self.records.get(key)
        if e.action in ("create", "import"):
            record = _Record(e.investigation_id, strict=e.display_name is not None)
            if spec.name_field:
                record.fields[spec.name_field] = e.new
            self.records[key] = record
        elif e.action == "restore":  # undo of a delete: the record as it was
            if record is None:
                record = self.records[key] = _Record(e.investigation_id, strict=False)
            record.exists = True
        elif e.action == "update":
            if record is None:  # changed, but never made by the app
                record = self.records[key] = _Record(e.investigation_id, strict=False, made=False)
            if e.entity == "action" and e.field == "addresses":
                causes = self.addresses.setdefault(e.entity_id, set())
                if e.new is not None:
                    causes.add(int(e.new))
                if e.old is not None:
                    causes.discard(int(e.old))
            elif e.field in spec.fields:
                record.fields[e.field] = e.new
        elif e.action == "delete":
            if record is not None:
                record.exists = False
            if e.entity == "investigation":
                self._forget_investigation(e.entity_id)
            elif e.entity == "cause":
                for causes in self.addresses.values():
                    causes.discard(e.entity_id)

    def _forget_investigation(self, investigation_id: int) -> None:
        """Deleting an investigation removes its records with it (one entry for all)."""
        for record in self.records.values():
            if record.investigation_id == investigation_id:
                record.exists = False
        self.links.pop(investigation_id, None)


def _pair(text: str | None) -> tuple[int, int] | None:
    if not text or "->" not in text:
        return None
    a, _, b = text.partition("->")
    try:
        return int(a), int(b)
    except ValueError:
        return None


def _label(entity: str, row_id: int) -> str:
    return f"{entity.replace('_', ' ')} {row_id}"


def problems(s: Session, limit: int = 20) -> list[str]:
    """What the rows say that the trail does not, in words (at most `limit`)."""
    replay = _Replay()
    for e in s.execute(select(AuditRow).order_by(col(AuditRow.seq))).scalars():
        replay.entry(e)
    found: list[str] = []

    def say(message: str) -> bool:
        found.append(message)
        return len(found) >= limit

    for entity, spec in TRACKED.items():
        seen: set[int] = set()
        for row in s.execute(select(spec.table)).scalars():
            seen.add(row.id)
            record = replay.records.get((entity, row.id))
            if record is None or not record.exists or not record.made:
                if say(
                    f"{_label(entity, row.id)} is in the database with no audit entry "
                    "that made it (added outside the app)"
                ):
                    return found
                continue
            for name in spec.fields:
                actual = values.audit_text(getattr(row, name))
                if name in record.fields:
                    expected = record.fields[name]
                elif record.strict:
                    expected = values.audit_text(spec.default(name))
                else:
                    continue
                if actual != expected and say(
                    f"{_label(entity, row.id)}: {name} was changed outside the app (the audit "
                    f"trail says {_shown(expected)}, the database holds {_shown(actual)})"
                ):
                    return found
        for (kind, record_id), record in replay.records.items():
            gone = kind == entity and record.exists and record_id not in seen
            if gone and say(f"{_label(entity, record_id)} was removed outside the app"):
                return found

    stored: dict[int, set[tuple[int, int]]] = {}
    for inv, a, b in s.execute(
        select(
            col(CausalLinkRow.investigation_id),
            col(CausalLinkRow.cause_id),
            col(CausalLinkRow.effect_id),
        )
    ):
        stored.setdefault(inv, set()).add((a, b))
    for inv in sorted(set(stored) | set(replay.links)):
        for a, b in sorted(stored.get(inv, set()) - replay.links.get(inv, set())):
            if say(f"link {a}->{b} is in the database with no audit entry (added outside the app)"):
                return found
        for a, b in sorted(replay.links.get(inv, set()) - stored.get(inv, set())):
            if say(f"link {a}->{b} was removed outside the app"):
                return found

    addressed: dict[int, set[int]] = {}
    for action_id, cause_id in s.execute(
        select(col(ActionCauseRow.action_id), col(ActionCauseRow.cause_id))
    ):
        addressed.setdefault(action_id, set()).add(cause_id)
    for action_id in sorted(set(addressed) | set(replay.addresses)):
        record = replay.records.get(("action", action_id))
        if record is None or not record.strict:
            continue
        if addressed.get(action_id, set()) != replay.addresses.get(action_id, set()) and say(
            f"action {action_id}: the root causes it addresses were changed outside the app"
        ):
            return found
    return found


def _shown(value: str | None) -> str:
    if value is None:
        return "nothing"
    text = " ".join(value.split())
    return repr(text if len(text) <= 60 else text[:59] + "…")

"""Undo and redo of cause and link edits, for one session.

The screens that edit the cause graph (fishbone, five whys, graph) call these methods instead of
the service's, and each edit is recorded with its inverse. Undo performs the inverse through the
service, so it is itself a normal, audited change: the trail shows both the edit and its undo.
A deleted cause comes back under its old id with its links (`Service.restore_cause`), so older
entries in the history still point at the right causes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models.domain import Cause, Link
from models.errors import RcaError

#: How many edits are remembered.
LIMIT = 200


@dataclass
class Step:
    """One recorded edit: what it was, and how to do and undo it again."""

    label: str
    investigation_id: int
    undo: Callable[[], Any]
    redo: Callable[[], Any]
    extra: dict[str, Any] = field(default_factory=dict)


class NothingToUndo(RcaError):
    """Undo or redo was asked for with an empty history."""


class EditHistory:
    """Records cause and link edits made through it; undo/redo replay their inverses."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self._done: list[Step] = []
        self._undone: list[Step] = []
        self._lock = threading.Lock()
        #: Counts every edit, undo and redo: a screen that drew the graph at another count
        #: knows it must read it again.
        self.changes = 0

    # --- what the screens call -------------------------------------------------------------
    def add_cause(self, investigation_id: int, text: str, **fields: Any) -> Cause:
        cause = self.service.add_cause(investigation_id, text, **fields)
        state = {"cause": cause}
        links = [(cause.id, fields["effect_id"])] if fields.get("effect_id") is not None else []

        def undo() -> None:
            self.service.delete_cause(state["cause"].id)

        def redo() -> None:
            state["cause"] = self.service.restore_cause(state["cause"], links)

        self._record(Step(f"add '{_short(text)}'", investigation_id, undo, redo))
        return cause

    def update_cause(self, cause_id: int, version: int | None, **changes: Any) -> Cause:
        before = self.service.get_cause(cause_id)
        after = self.service.update_cause(cause_id, version, **changes)
        old = {k: getattr(before, k) for k in changes}
        new = {k: getattr(after, k) for k in changes}

        def undo() -> None:
            self.service.update_cause(cause_id, None, **old)

        def redo() -> None:
            self.service.update_cause(cause_id, None, **new)

        self._record(Step(f"edit '{_short(before.text)}'", before.investigation_id, undo, redo))
        return after

    def delete_cause(self, cause_id: int) -> None:
        cause = self.service.get_cause(cause_id)
        links = self.service.links_of(cause_id)
        self.service.delete_cause(cause_id)

        def undo() -> None:
            self.service.restore_cause(cause, links)

        def redo() -> None:
            self.service.delete_cause(cause_id)

        self._record(Step(f"delete '{_short(cause.text)}'", cause.investigation_id, undo, redo))

    def link(self, cause_id: int, effect_id: int) -> Link:
        link = self.service.link(cause_id, effect_id)

        def undo() -> None:
            self.service.unlink(cause_id, effect_id)

        def redo() -> None:
            self.service.link(cause_id, effect_id)

        self._record(Step("link", link.investigation_id, undo, redo))
        return link

    def unlink(self, cause_id: int, effect_id: int) -> None:
        investigation_id = self.service.get_cause(cause_id).investigation_id
        self.service.unlink(cause_id, effect_id)

        def undo() -> None:
            self.service.link(cause_id, effect_id)

        def redo() -> None:
            self.service.unlink(cause_id, effect_id)

        self._record(Step("unlink", investigation_id, undo, redo))

    # --- undo / redo -----------------------------------------------------------------------
    def _record(self, step: Step) -> None:
        with self._lock:
            self.changes += 1
            self._done.append(step)
            del self._done[:-LIMIT]
            self._undone.clear()

    def can_undo(self, investigation_id: int | None = None) -> bool:
        return any(investigation_id in (None, s.investigation_id) for s in self._done[-1:])

    def can_redo(self, investigation_id: int | None = None) -> bool:
        return any(investigation_id in (None, s.investigation_id) for s in self._undone[-1:])

    def undo(self) -> str:
        """Undo the newest edit; returns what was undone, in words."""
        with self._lock:
            if not self._done:
                raise NothingToUndo("Nothing to undo")
            step = self._done.pop()
        try:
            step.undo()
        except Exception:
            with self._lock:
                self._done.append(step)
            raise
        with self._lock:
            self._undone.append(step)
            self.changes += 1
        return f"Undone: {step.label}"

    def redo(self) -> str:
        with self._lock:
            if not self._undone:
                raise NothingToUndo("Nothing to redo")
            step = self._undone.pop()
        try:
            step.redo()
        except Exception:
            with self._lock:
                self._undone.append(step)
            raise
        with self._lock:
            self._done.append(step)
            self.changes += 1
        return f"Redone: {step.label}"


def _short(text: str, width: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

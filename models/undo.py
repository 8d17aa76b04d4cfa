"""Undo and redo of cause and link edits: one history per investigation, for one session.

The screens that edit the cause graph (fishbone, five whys, graph) call these methods instead of
the service's, and each edit is recorded with its inverse, under the investigation it belongs
to: `u` in one investigation never undoes an edit of another. Undo performs the inverse through
the service, so it is itself a normal, audited change: the trail shows both the edit and its
undo. A deleted cause comes back under its old id with its links (`Service.restore_cause`), so
older entries in the history still point at the right causes.

An undo or redo of an edit of one cause's fields also says what it wrote (`Replayed.cause`), so a
screen can draw that one cause again instead of reading a 5,000-cause graph for it.

An undo is an edit like any other: it passes the version this session's own edits left on the
cause, so a cause that someone else changed since is a `ConflictError` (who, when), and the
step stays in the history. The history also remembers which versions its own edits produced:
a screen that passes the version it read before its own previous edit (two quick key presses)
is not told that it conflicts with itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from models.errors import ConflictError, RcaError

if TYPE_CHECKING:
    from models.domain import Cause, Link

#: How many edits are remembered, per investigation.
LIMIT = 200


@dataclass
class Step:
    """One recorded edit: what it was, and how to do and undo it again."""

    label: str
    investigation_id: int
    undo: Callable[[], Any]
    redo: Callable[[], Any]


@dataclass(frozen=True)
class Replayed:
    """What an undo or redo did, in words; for a step that changed one cause's fields, the
    cause as written and, when its codes changed, its codes now (None: not touched)."""

    message: str
    cause: Cause | None = None
    codes: tuple[str, ...] | None = None


class NothingToUndo(RcaError):
    """Undo or redo was asked for with an empty history."""


class EditHistory:
    """Records cause and link edits made through it; undo/redo replay their inverses."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self._done: dict[int, list[Step]] = {}
        self._undone: dict[int, list[Step]] = {}
        #: cause id -> {version before: version after} for each write this session made.
        self._own: dict[int, dict[int, int]] = {}
        self._lock = threading.Lock()
        #: Counts every edit, undo and redo: a screen that drew the graph at another count
        #: knows it must read it again.
        self.changes = 0

    # --- versions --------------------------------------------------------------------------
    def _current(self, cause_id: int, version: int) -> int:
        """The version `version` became through this session's own writes since."""
        with self._lock:
            chain = self._own.get(cause_id, {})
            while version in chain:
                version = chain[version]
        return version

    def _wrote(self, cause_id: int, before: int, after: int) -> None:
        if before != after:
            with self._lock:
                self._own.setdefault(cause_id, {})[before] = after

    def _update(self, cause_id: int, version: int, values: dict[str, Any]) -> Cause:
        """Write `values` on a cause expected at `version` (after our own writes since)."""
        expected = self._current(cause_id, version)
        after = self.service.update_cause(cause_id, expected, **values)
        self._wrote(cause_id, expected, after.version)
        return after

    def _delete(self, cause_id: int, version: int | None) -> tuple[Cause, list[tuple[int, int]]]:
        expected = None if version is None else self._current(cause_id, version)
        return self.service.delete_cause(cause_id, expected)

    def _restore(self, cause: Cause, links: list[tuple[int, int]]) -> Cause:
        restored = self.service.restore_cause(cause, links)
        self._wrote(cause.id, cause.version, restored.version)
        return restored

    # --- what the screens call -------------------------------------------------------------
    def add_cause(self, investigation_id: int, text: str, **fields: Any) -> Cause:
        cause = self.service.add_cause(investigation_id, text, **fields)
        state: dict[str, Any] = {"version": cause.version}

        def undo() -> None:
            state["deleted"] = self._delete(cause.id, state["version"])

        def redo() -> None:
            state["version"] = self._restore(*state["deleted"]).version

        self._record(Step(f"add '{_short(text)}'", investigation_id, undo, redo))
        return cause

    def update_cause(self, cause_id: int, version: int | None, **changes: Any) -> Cause:
        before = self.service.get_cause(cause_id)
        old_codes = self.service.codes_of(cause_id) if "codes" in changes else ()
        after = self._update(cause_id, before.version if version is None else version, changes)
        old = {k: getattr(before, k) for k in changes if k != "codes"}
        new = {k: getattr(after, k) for k in changes if k != "codes"}
        if "codes" in changes:  # a cause's codes are not fields of the cause
            old["codes"] = old_codes
            new["codes"] = self.service.codes_of(cause_id)
        if old == new:
            return after  # nothing changed: nothing to undo
        state = {"version": after.version}

        def write(values: dict[str, Any]) -> tuple[Cause, tuple[str, ...] | None]:
            written = self._update(cause_id, state["version"], values)
            state["version"] = written.version
            codes = self.service.codes_of(cause_id) if "codes" in values else None
            return written, codes

        def undo() -> tuple[Cause, tuple[str, ...] | None]:
            return write(old)

        def redo() -> tuple[Cause, tuple[str, ...] | None]:
            return write(new)

        self._record(Step(f"edit '{_short(before.text)}'", before.investigation_id, undo, redo))
        return after

    def delete_cause(self, cause_id: int, version: int | None = None) -> None:
        deleted = self._delete(cause_id, version)
        state: dict[str, Any] = {"deleted": deleted}

        def undo() -> None:
            state["version"] = self._restore(*state["deleted"]).version

        def redo() -> None:
            state["deleted"] = self._delete(cause_id, state["version"])

        cause = deleted[0]
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
            done = self._done.setdefault(step.investigation_id, [])
            done.append(step)
            del done[:-LIMIT]
            self._undone.pop(step.investigation_id, None)

    def undo(self, investigation_id: int) -> str:
        """Undo the newest edit of this investigation; returns what was undone, in words."""
        return self.undo_edit(investigation_id).message

    def redo(self, investigation_id: int) -> str:
        """Redo the newest undone edit of this investigation."""
        return self.redo_edit(investigation_id).message

    def undo_edit(self, investigation_id: int) -> Replayed:
        """`undo`, saying also what it wrote (see `Replayed`)."""
        step, result = self._replay(investigation_id, self._done, self._undone, "undo")
        return _replayed(f"Undone: {step.label}", result)

    def redo_edit(self, investigation_id: int) -> Replayed:
        """`redo`, saying also what it wrote (see `Replayed`)."""
        step, result = self._replay(investigation_id, self._undone, self._done, "redo")
        return _replayed(f"Redone: {step.label}", result)

    def _replay(
        self,
        investigation_id: int,
        source: dict[int, list[Step]],
        target: dict[int, list[Step]],
        what: str,
    ) -> tuple[Step, Any]:
        """Run the newest step of `source` one way and move it to `target`.

        If it fails (a conflict, a read-only investigation), the step stays where it was.
        Returns the step and what its undo or redo returned.
        """
        with self._lock:
            steps = source.get(investigation_id)
            if not steps:
                raise NothingToUndo(f"Nothing to {what}")
            step = steps.pop()
        try:
            result = step.undo() if what == "undo" else step.redo()
        except Exception as exc:
            with self._lock:
                steps.append(step)
            if isinstance(exc, ConflictError):
                raise ConflictError(
                    f"Cannot {what} {step.label}: {exc.message}. The {what} stays in the history."
                ) from None
            raise
        with self._lock:
            target.setdefault(investigation_id, []).append(step)
            self.changes += 1
        return step, result


def _replayed(message: str, result: Any) -> Replayed:
    from models.domain import Cause  # not at start-up: the app builds its history before home

    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Cause):
        return Replayed(message, result[0], result[1])
    return Replayed(message)


def _short(text: str, width: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

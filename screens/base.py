"""Service calls from screens and dialogs: reads that may be replaced, saves that run in order.

- `self.call(service.method, *args, then=handler)` is a **read**. It runs in a thread worker,
  one per screen and group: a newer read of the same group replaces an older one, whose answer
  is dropped. A read never overtakes a save: asked for while saves are waiting, it starts when
  they are done, and a read that was running when a save was asked for is read again after it.
- `self.save(service.method, *args, then=handler)` is a **write**. Saves go into the app's one
  `SaveQueue` and run one at a time, in the order they were asked for, from every screen and
  dialog. None is ever cancelled, and each result is handled: `then(result)` on success,
  `on_failure(error)` otherwise (the app's error dialog, with "Reload" for an edit conflict).

Both post a message back (`ServiceDone`, `ServiceFailed`); the handler runs on the UI thread. A
worker never touches a widget.

A screen or dialog that holds typed work not saved yet says so with its `dirty` property; the
app asks before quitting (see `unsaved()`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual import events, on
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from screens.footer_room import with_room
from screens.host import Hosted
from screens.messages import ServiceDone, ServiceFailed

#: The keys of every save: ctrl+s, and F2 for terminals that take ctrl+s for flow control
#: (GNU screen with `screen -f`, a terminal with XON/XOFF on: ctrl+s freezes the screen).
SAVE_KEYS = "ctrl+s,f2"
SAVE_KEYS_SHOWN = "^s/f2"

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import ActiveBinding

    from models.service import Service
    from models.undo import Replayed
    from screens.host import AppHost


@dataclass
class _Save:
    target: ServiceCalls
    run: Callable[[], Any]
    then: Callable[[Any], None] | None


class SaveQueue:
    """The app's writes, one at a time, in the order they were asked for (`app.saves`).

    It runs as one async worker of the app, so a save asked for by a screen that closes before
    it ran still runs; if that save fails, the error is shown by the app.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self._jobs: deque[_Save] = deque()
        self._running = False
        #: Reads waiting for the saves to finish: (screen, group) -> how to start it.
        self._waiting: dict[tuple[int, str], Callable[[], None]] = {}
        #: Counts the saves asked for: a read that started at another count may be stale.
        self.generation = 0

    @property
    def busy(self) -> bool:
        """True while a save is waiting or running."""
        return bool(self._jobs)

    def put(self, target: ServiceCalls, run: Callable[[], Any], then: Any) -> None:
        self.generation += 1
        self._jobs.append(_Save(target, run, then))
        if not self._running:
            self._running = True
            self.app.run_worker(self._drain(), name="saves", group="rca-saves")

    def wait(self, key: tuple[int, str], start: Callable[[], None]) -> None:
        """Start a read once the saves are done (a newer read of the same key replaces it)."""
        self._waiting[key] = start

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._jobs:
                job = self._jobs[0]
                try:
                    result = await loop.run_in_executor(None, job.run)
                except Exception as exc:  # every failure is shown: on_failure, or the app
                    outcome: ServiceDone | ServiceFailed = ServiceFailed(exc)
                else:
                    outcome = ServiceDone(job.then, result)
                self._jobs.popleft()
                delivered = job.target.is_attached and job.target.post_message(outcome)
                if not delivered and isinstance(outcome, ServiceFailed):
                    cast("AppHost", self.app).show_error(outcome.error)
        finally:
            self._running = False
        waiting, self._waiting = self._waiting, {}
        for start in waiting.values():
            start()


class ServiceCalls(Hosted):
    """`call()` (reads) and `save()` (writes) for a screen or a dialog; see the module.

    Mixed into a Screen or a ModalScreen (to the type checker, `Hosted` is a Screen)."""

    def _saves(self) -> SaveQueue:
        return self.host.saves

    def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], None] | None = None,
        group: str = "load",
        **kwargs: Any,
    ) -> None:
        """Read in a worker; `then(result)` on the UI thread. Only the newest read of a group
        counts, and no read overtakes a save."""
        saves = self._saves()
        reads: dict[str, int] = self.__dict__.setdefault("_reads", {})
        reads[group] = number = reads.get(group, 0) + 1

        def again() -> None:
            # Only if no newer read of this group was asked for, and the screen is still open.
            if reads.get(group) == number and self.is_attached:
                self.call(fn, *args, then=then, group=group, **kwargs)

        if saves.busy:
            saves.wait((id(self), group), again)
            return
        generation = saves.generation

        def job() -> None:
            worker = get_current_worker()
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # shown to the user; the app keeps running
                if not worker.is_cancelled:
                    self.post_message(ServiceFailed(exc))
            else:
                if not worker.is_cancelled:
                    self.post_message(
                        ServiceDone(then, result, read=(group, number, generation, again))
                    )

        self.run_worker(job, thread=True, exclusive=True, group=f"{id(self)}-{group}")

    def save(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Write in the app's save queue: in order, never cancelled; `then(result)` on success,
        `on_failure(error)` on failure."""
        self._saves().put(self, partial(fn, *args, **kwargs), then)

    def on_service_done(self, message: ServiceDone) -> None:
        message.stop()
        if message.read is not None:
            group, number, generation, again = message.read
            if self.__dict__.get("_reads", {}).get(group) != number:
                return  # a newer read of this group is on its way
            if generation != self._saves().generation:
                again()  # a save was asked for while this read ran: read after it
                return
        if message.then is not None and self.is_attached:
            message.then(message.result)

    def on_service_failed(self, message: ServiceFailed) -> None:
        message.stop()
        self.on_failure(message.error)

    def on_failure(self, error: BaseException) -> None:
        """Show a failure; a screen that can say more (what changed) overrides this."""
        self.host.show_error(error, reload=self.reload)

    def reload(self) -> None:
        """Read this screen's data again (after a conflict, or when coming back to it)."""

    @property
    def dirty(self) -> bool:
        """True while this screen or dialog holds typed work that is not saved."""
        return False


def unsaved(screens: Iterable[object]) -> list[object]:
    """The screens and dialogs (of a stack) that hold unsaved work."""
    return [s for s in screens if getattr(s, "dirty", False)]


class ServiceScreen(ServiceCalls, Screen):
    """A screen backed by the service. Subclasses implement `reload()`."""

    #: The group name shown in the command palette ("Team: add member").
    PALETTE_GROUP = "Screen"

    BINDINGS = [Binding("escape", "back", "Back")]

    @property
    def service(self) -> Service:
        return self.host.service

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """On a wide terminal the footer shows more of this screen's keys (`footer_room`)."""
        return with_room(self, super().active_bindings)

    @on(events.Resize)
    def _footer_room_changed(self) -> None:
        self.refresh_bindings()  # which keys fit the footer is asked again

    @property
    def can_go_back(self) -> bool:
        """Escape has a screen to go back to (home, at the bottom, has none, even while a screen
        is open above it: its footer does not change when one is)."""
        stack = self.app.screen_stack
        return len(stack) > 2 and self not in stack[:2]

    #: Read the data again whenever the screen comes back to the top (after a dialog or a
    #: screen above it). A form being edited turns this off so typing is not overwritten.
    RELOAD_ON_RESUME = True

    def on_screen_resume(self) -> None:
        # Textual calls this handler of every class in the MRO, so a subclass cannot simply
        # override it to opt out: it sets RELOAD_ON_RESUME instead.
        if self.RELOAD_ON_RESUME:
            self.reload()

    def action_back(self) -> None:
        if self.can_go_back:
            self.app.pop_screen()


if TYPE_CHECKING:
    _UndoBase = ServiceScreen
else:
    _UndoBase = object


class UndoActions(_UndoBase):
    """Undo/redo of cause and link edits (this investigation's steps in the session's
    EditHistory), for the screens that edit the cause graph. Mixed into a ServiceScreen with an
    `investigation_id`; each screen binds the keys itself."""

    investigation_id: int

    def action_undo(self) -> None:
        self.save(self.host.history.undo_edit, self.investigation_id, then=self._undone)

    def action_redo(self) -> None:
        self.save(self.host.history.redo_edit, self.investigation_id, then=self._undone)

    def _undone(self, replayed: Replayed) -> None:
        self.notify(replayed.message, markup=False)
        self._replayed(replayed)

    def _replayed(self, replayed: Replayed) -> None:
        """Show the graph after an undo or redo: read it again (a screen that can draw one
        cause's edit alone does that instead)."""
        self.reload()

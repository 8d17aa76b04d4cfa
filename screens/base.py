"""The base of every screen that reads or writes data: service calls in worker threads.

`self.call(service_method, *args, then=handler)` runs the method in a thread worker (one
exclusive worker per group, so a newer load replaces an older one), posts the result back as a
message and calls `handler(result)` on the UI thread. Failures go to one place: the app's error
dialog, which offers "Reload" for edit conflicts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from screens.messages import ServiceDone, ServiceFailed

if TYPE_CHECKING:
    from models.service import Service


class ServiceScreen(Screen):
    """A screen backed by the service. Subclasses implement `reload()`."""

    #: The group name shown in the command palette ("Team: add member").
    PALETTE_GROUP = "Screen"

    BINDINGS = [Binding("escape", "back", "Back")]

    @property
    def service(self) -> Service:
        return self.app.service  # type: ignore[attr-defined]

    def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], None] | None = None,
        group: str = "load",
        **kwargs: Any,
    ) -> None:
        def job() -> None:
            worker = get_current_worker()
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # shown to the user; the app keeps running
                if not worker.is_cancelled:
                    self.post_message(ServiceFailed(exc))
            else:
                # A newer call in the same group replaced this one: its answer is stale.
                if not worker.is_cancelled:
                    self.post_message(ServiceDone(then, result))

        self.run_worker(job, thread=True, exclusive=True, group=f"{id(self)}-{group}")

    @on(ServiceDone)
    def _service_done(self, message: ServiceDone) -> None:
        message.stop()
        if message.then is not None and self.is_attached:
            message.then(message.result)

    @on(ServiceFailed)
    def _service_failed(self, message: ServiceFailed) -> None:
        message.stop()
        self.on_failure(message.error)

    def on_failure(self, error: BaseException) -> None:
        """Show a failure; a screen that can say more (what changed) overrides this."""
        self.app.show_error(error, reload=self.reload)  # type: ignore[attr-defined]

    def reload(self) -> None:
        """Read this screen's data again (after a conflict, or when coming back to it)."""

    #: Read the data again whenever the screen comes back to the top (after a dialog or a
    #: screen above it). A form being edited turns this off so typing is not overwritten.
    RELOAD_ON_RESUME = True

    def on_screen_resume(self) -> None:
        # Textual calls this handler of every class in the MRO, so a subclass cannot simply
        # override it to opt out: it sets RELOAD_ON_RESUME instead.
        if self.RELOAD_ON_RESUME:
            self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()


class UndoActions:
    """Undo/redo of cause and link edits (the session's EditHistory), for the screens that
    edit the cause graph. Mixed into a ServiceScreen; each screen binds the keys itself."""

    def action_undo(self) -> None:
        self.call(self.app.history.undo, then=self._undone, group="save")  # type: ignore[attr-defined]

    def action_redo(self) -> None:
        self.call(self.app.history.redo, then=self._undone, group="save")  # type: ignore[attr-defined]

    def _undone(self, message: str) -> None:
        self.notify(message, markup=False)  # type: ignore[attr-defined]
        self.reload()  # type: ignore[attr-defined]

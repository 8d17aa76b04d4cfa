"""What screens ask of the app, typed: `self.host` in every screen and dialog.

Screens may not import `rca_tui` (the layers contract), so the app they run in is described
here as a Protocol; `rca_tui/app.py` checks that `RcaApp` satisfies it, so mypy catches a
screen calling something the app does not have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.screen import Screen

    from models.service import Service
    from models.undo import EditHistory
    from screens.base import SaveQueue

    # Mixed into a Screen or ModalScreen only: to the type checker it is one.
    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object


class AppHost(Protocol):
    """The parts of `rca_tui.app.RcaApp` that screens use (besides Textual's `App`)."""

    service: Service
    #: Undo/redo of cause and link edits for this session.
    history: EditHistory
    #: Every save of every screen and dialog, one at a time.
    saves: SaveQueue

    def today(self) -> dt.date: ...

    def show_error(
        self,
        error: BaseException,
        reload: Callable[[], None] | None = None,
        title: str | None = None,
    ) -> None: ...

    def startup_done(self) -> None: ...

    def open_investigation(self, investigation_id: int) -> None: ...

    def new_investigation(self) -> None: ...

    def export_choices(self) -> list[tuple[str, str, bool]]: ...

    def run_export(
        self,
        investigation_id: int,
        formats: list[str],
        folder: str,
        *,
        deidentify: bool = False,
        force: bool = False,
        progress: Callable[[str, int, int], object] | None = None,
    ) -> list[str]: ...


class Hosted(_ScreenBase):
    """Mixin for screens and dialogs: `self.host`, the app they run in, typed."""

    @property
    def host(self) -> AppHost:
        """The app as `AppHost` (rca_tui/app.py checks that RcaApp is one)."""
        return cast("AppHost", self.app)

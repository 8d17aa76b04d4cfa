"""The Textual application: one App, built by `make_app()` for the command line and the tests.

It holds the service (never a session), the settings, the undo history, the one queue that
runs saves in order, and the app-wide keys (F1/? help, ctrl+p commands, ctrl+q quit, which asks
first while a screen or dialog holds unsaved work), opens screens, and owns the one error path:
a modal dialog that says what went wrong and, for an edit conflict, offers to reload.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.content import Content
from textual.filter import LineFilter, Monochrome, NoColor

from models.errors import ConflictError, RcaError, ReadOnlyError
from models.undo import EditHistory
from rca_tui.commands import ScreenCommands
from rca_tui.themes import RCA_16, RCA_16_CSS, RCA_MONO, ReadableColors
from screens.base import SaveQueue, unsaved
from screens.formatting import one_line, visible
from screens.home import HomeScreen

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from textual.driver import Driver

    from models.service import Service
    from rca_tui.config import Settings
    from screens.host import AppHost

_NO_COLOR = NoColor()
_READABLE = ReadableColors()


class RcaApp(App):
    TITLE = "rca-tui"
    SUB_TITLE = "Root cause analysis"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    CSS = RCA_16_CSS
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help"),
        # Shown in the footer of the home screen only (its own binding): at 80 columns the other
        # screens' footers need the room; F1 help and the palette name it on every screen.
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        # Tab and shift+tab move between fields before the next key is delivered. Textual's own
        # (screen-level) bindings run only after the key has bubbled up from the focused field,
        # so a burst typed ahead ("title<Tab>unit", a paste over a slow link) went into the
        # field being left; a priority binding is handled by the App in the order typed.
        Binding("tab", "focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(
        self,
        service: Service,
        settings: Settings | None = None,
        *,
        today: dt.date | None = None,
        mouse: bool = True,
        slow_link: bool = False,
    ) -> None:
        super().__init__(driver_class=_driver_class())
        self.service = service
        self.settings = settings
        #: Undo/redo of cause and link edits for this session (fishbone, five whys, graph),
        #: one list of steps per investigation.
        self.history = EditHistory(service)
        #: Every save of every screen and dialog, run one at a time in order.
        self.saves = SaveQueue(self)
        self._asking = False
        self._today = today
        self._started = False
        #: Mouse reporting (`run(mouse=app.mouse)`); the palette switches it while running.
        self.mouse = mouse
        #: Over SSH: no animations (an animated scroll sends a screen per frame), and no
        #: blinking cursor (a repaint twice a second while idle).
        self.slow_link = slow_link
        if slow_link:
            self.animation_level = "none"
        self.register_theme(RCA_16)
        self.register_theme(RCA_MONO)

    def startup_done(self) -> None:
        """The first screen has its data: keep what start-up built out of the collector."""
        import gc

        if not self._started:
            self._started = True
            gc.freeze()
            gc.enable()
            # The ORM was left out of start-up (models.service.warm); import it now, off
            # the UI thread, so opening the first investigation does not wait for it.
            import threading

            from models.service import warm

            threading.Thread(target=warm, name="warm-service", daemon=True).start()

    # --- user text never drives the terminal ----------------------------------------------
    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Every notification of every screen: its text with control characters visible."""
        super().notify(visible(message), title=visible(title), **options)

    def format_title(self, title: str, sub_title: str) -> Content:
        """Every header: titles are user text (the investigation's), shown on one line."""
        return super().format_title(one_line(title), one_line(sub_title))

    def today(self) -> dt.date:
        """The date deadlines are counted against (fixed in tests and snapshots)."""
        return self._today or dt.date.today()

    def get_line_filters(self) -> Sequence[LineFilter]:
        """rca-16: colours that read on any background (`ReadableColors`). NO_COLOR: the
        filter that leaves the terminal's own colours; Textual picks Monochrome when its first
        theme is not made of ANSI colours, and Monochrome drew rca-16 black on black."""
        filters = list(super().get_line_filters())
        if self.no_color:
            filters = [_NO_COLOR if isinstance(f, Monochrome) else f for f in filters]
        elif self.theme == "rca-16":
            filters.append(_READABLE)
        return filters

    def on_mount(self) -> None:
        wanted = getattr(self.settings, "theme", None)
        if self.no_color:
            self.theme = "rca-mono"
        elif wanted and wanted in self.available_themes:
            self.theme = wanted
        elif self.console.color_system in ("standard", "windows", None):
            self.theme = "rca-16"
        if self.service.readonly:
            self.sub_title = "read-only"
        self.push_screen(HomeScreen())

    # --- navigation ------------------------------------------------------------------------
    def open_investigation(self, investigation_id: int) -> None:
        from screens.overview import OverviewScreen

        self.push_screen(OverviewScreen(investigation_id))

    def new_investigation(self) -> None:
        from screens.intake import IntakeScreen

        self.push_screen(IntakeScreen(None))

    def action_go_home(self) -> None:
        def go() -> None:
            while len(self.screen_stack) > 2:
                self.pop_screen()

        self._unless_unsaved(self.screen_stack[2:], "Go home", go)

    async def action_quit(self) -> None:
        """ctrl+q: quit, but ask first if anything typed would be lost (as Escape does)."""
        self._unless_unsaved(self.screen_stack, "Quit", self.exit)

    def _unless_unsaved(self, screens: list, verb: str, proceed: Callable[[], object]) -> None:
        """Run `proceed` now, or after a question if `screens` hold unsaved work or a save is
        still running."""
        holding = unsaved(screens)
        if not holding and not self.saves.busy:
            proceed()
            return
        if self._asking:
            return  # the question is on screen already
        where = ", ".join(
            dict.fromkeys(getattr(s, "HELP_TITLE", "") or "an open dialog" for s in holding)
        )
        lines = []
        if holding:
            lines.append(f"Not saved yet: what you typed in {where}.")
        if self.saves.busy:
            lines.append("A save is still running.")

        def answered(choice: str | None) -> None:
            self._asking = False
            if choice == "go":
                proceed()

        from screens.dialogs import ChoiceDialog

        self._asking = True
        self.push_screen(
            ChoiceDialog(
                "\n".join([*lines, f"{verb} anyway and lose it?"]),
                [("Keep editing", "cancel"), (f"{verb} without saving", "go")],
            ),
            answered,
        )

    def action_toggle_mouse(self) -> None:
        """The palette's "App: mouse on/off": switch mouse reporting while the app runs."""
        self.mouse = not self.mouse
        set_mouse = getattr(self._driver, "set_mouse", None)  # RcaDriver; not in tests
        if set_mouse is not None:
            set_mouse(self.mouse)
        self.notify(
            "Mouse on: click and scroll; hold shift to select text with the terminal."
            if self.mouse
            else "Mouse off: the terminal selects and pastes text as usual.",
            markup=False,
        )

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """On a slow link a field's cursor does not blink (each blink repaints its line)."""
        if self.slow_link and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def action_help(self) -> None:
        # The help screen and the dialogs are imported when first shown: start-up does not
        # wait for them (issue 16).
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    # --- exports (screens may not import the exports package: they ask the app) -----------
    @staticmethod
    def export_choices() -> list[tuple[str, str, bool]]:
        """(label, format, ticked at first) for the export dialog, from the one format list."""
        from exports.formats import FORMATS

        return [(f.label, f.name, f.default) for f in FORMATS.values()]

    def run_export(
        self,
        investigation_id: int,
        formats: list[str],
        folder: str,
        *,
        deidentify: bool = False,
        force: bool = False,
        progress: Callable[[str, int, int], object] | None = None,
    ) -> list[str]:
        """Write the chosen formats into `folder`; runs in a worker thread (slow, no widgets).

        The same `exports.export_formats` as `rca export`: every target is checked and every
        format rendered before the first file is written; `progress(format, done, total)` moves
        the dialog's bar.
        """
        import exports
        from models.migrations import HEAD

        service = self.service
        files = exports.export_formats(
            service.dossier(investigation_id),
            formats,
            folder.rstrip("/") + "/",  # always a folder here, even for one format
            force=force,
            deidentify=deidentify,
            findings=service.check(investigation_id, today=self.today()),
            generated_by=service.user,
            db_version=HEAD,
            deadline_policy=self.settings.deadline_policy() if self.settings else None,
            today=self.today(),
            progress=progress,
            confidentiality_notice=self.settings.confidentiality_notice if self.settings else None,
            paper_size=self.settings.paper_size if self.settings else "letter",
            language=self.settings.language if self.settings else "en",
        )
        return [str(path) for path in files]

    # --- the one error path ----------------------------------------------------------------
    def _log_traceback(self, error: BaseException) -> str:
        """Append the traceback of a bug to the user's log file; say where it went.

        Only the traceback: no local variables (they hold cause texts, patient data). The file
        and its folder are the user's alone (0600, 0700), also when they existed before.
        """
        import os
        import traceback

        path = _log_path()
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path.parent, 0o700)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')}\n")
                fh.writelines(traceback.format_exception(error))
            return str(path)
        except OSError:
            return "(the log file could not be written)"

    def _handle_exception(self, error: Exception) -> None:
        """A bug that stops the app. Textual's own handler prints the traceback with every
        local variable (patient text) and the command exited 0; here the log gets the
        traceback, the screen one line that says where it is, and the exit status is 1."""
        where = self._log_traceback(error)
        if self._exception is not None:
            return  # a later error while stopping: logged, the screen says one thing
        self._return_code = 1
        self._exception = error  # run_test() raises it again, so tests see the bug
        self._exception_event.set()
        self.panic(Text(crash_message(error, where)))

    def show_error(
        self,
        error: BaseException,
        reload: Callable[[], None] | None = None,
        title: str | None = None,
    ) -> None:
        if isinstance(error, ConflictError):
            heading, can_reload = "Changed by someone else", reload is not None
        elif isinstance(error, ReadOnlyError):  # the database, or an approved investigation
            heading, can_reload = "Read-only", False
        elif isinstance(error, RcaError):
            heading, can_reload = "Not saved", False
        else:
            heading, can_reload = "Unexpected error", False
        if isinstance(error, RcaError):
            message = error.message
            if isinstance(error, ConflictError) and error.changed:
                lines = ["", "", "Different from what you typed:"]
                for name, (yours, stored) in error.changed.items():
                    lines += [f"{name}", f"  yours:  {yours}", f"  stored: {stored}"]
                message += "\n".join(lines)
        else:
            where = self._log_traceback(error)
            message = f"{type(error).__name__}: {error}\n\nThe app keeps running. Details: {where}"

        title = title or heading

        def answered(choice: str | None) -> None:
            if choice == "reload" and reload is not None:
                reload()

        from screens.dialogs import ErrorDialog

        self.push_screen(ErrorDialog(title, message, can_reload=can_reload), answered)


def crash_message(error: BaseException, where: str) -> str:
    """The one line shown after a crash (the exception's text may quote patient data, so
    only its kind is named)."""
    return (
        f"rca stopped after an unexpected error ({type(error).__name__}); everything saved is "
        f"kept. The details are in {where}"
    )


def _driver_class() -> type[Driver] | None:
    """RcaDriver on Linux and macOS (Textual's own driver elsewhere)."""
    import sys

    if sys.platform == "win32":
        return None
    from rca_tui.driver import RcaDriver

    return RcaDriver


def _log_path():
    from platformdirs import user_log_path

    return user_log_path("rca-tui", appauthor=False) / "errors.log"


def make_app(
    service: Service,
    settings: Settings | None = None,
    *,
    today: dt.date | None = None,
    mouse: bool = True,
    slow_link: bool = False,
) -> RcaApp:
    """The one way to build the app, shared by the `rca` command and the tests."""
    return RcaApp(service, settings, today=today, mouse=mouse, slow_link=slow_link)


if TYPE_CHECKING:

    def _is_host(app: RcaApp) -> AppHost:
        """Type check only: RcaApp has everything screens ask of it (`screens.host.AppHost`)."""
        return app

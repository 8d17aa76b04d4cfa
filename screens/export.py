"""The export dialog: choose formats, a folder and whether to de-identify; write the reports.

Writing runs in a worker (a PDF with pictures takes a moment) with a progress bar; existing
files are replaced only after the user confirms. The files written are named in a notification.
The exports package itself is reached through the app (screens do not import it).
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, ProgressBar, SelectionList, Static
from textual.worker import get_current_worker

from models.errors import RcaError, TargetExistsError
from screens.base import SAVE_KEYS, SAVE_KEYS_SHOWN
from screens.dialogs import ChoiceDialog
from screens.formatting import visible
from screens.host import Hosted
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer
from screens.widgets.ticks import TickBox, TickList


def default_folder() -> str:
    home = Path.home()
    return str(home / "rca-exports") if os.access(home, os.W_OK) else os.getcwd()


#: Under the tick, so that the whole of it reads at 80 columns (a checkbox's label does not wrap).
DEIDENTIFY_NOTE = (
    "Removes the patient's name, record number and date of birth, phone numbers, e-mail "
    "addresses and the names of the other people involved (a name recorded nowhere stays)."
)


class ExportDialog(Hosted, ModalScreen[list[str] | None]):
    CSS_PATH = Path(__file__).with_name("dialog.tcss")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding(SAVE_KEYS, "export", "Export", key_display=SAVE_KEYS_SHOWN),
    ]

    class Progress(Message):
        def __init__(self, fmt: str, done: int, total: int) -> None:
            super().__init__()
            self.fmt, self.done, self.total = fmt, done, total

    class Finished(Message):
        def __init__(self, files: list[str] | None, error: BaseException | None) -> None:
            super().__init__()
            self.files, self.error = files, error

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Export reports"), classes="dialog-title")
            yield TickList[str](*self.host.export_choices(), id="formats")
            yield Static(Text("Folder"), classes="field-label")
            yield SafeInput(default_folder(), id="folder", compact=True)
            yield TickBox("De-identified copy", id="deidentify", compact=True)
            yield Static(Text(DEIDENTIFY_NOTE), classes="field-label", id="deidentify-note")
            # Docked below: the failure and the buttons stay in view when the fields scroll.
            with Vertical(classes="foot"):
                yield ProgressBar(id="progress", show_eta=False)
                yield Static(id="problem", classes="problem")
                with Horizontal(classes="buttons"):
                    yield Button("Export", id="go", variant="primary")
                    yield Button("Cancel", id="cancel")

    async def mount_composed_widgets(self, widgets: list[Widget]) -> None:
        """The dialog's fields and a footer with its own keys (^s/f2 Export)."""
        await super().mount_composed_widgets([*widgets, Footer()])

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.query_one("#problem").display = False
        self.query_one("#formats").focus()

    def _problem(self, message: str) -> None:
        box = self.query_one("#problem", Static)
        box.update(Content(visible(message)))
        box.display = bool(message)

    @on(Button.Pressed, "#go")
    def action_export(self, force: bool = False) -> None:
        if self.busy:
            return
        formats = list(self.query_one("#formats", SelectionList).selected)
        folder = self.query_one("#folder", Input).value.strip()
        if not formats:
            self._problem("Choose at least one format (space ticks a format).")
            return
        if not folder:
            self._problem("Give a folder to write the files into.")
            return
        self._problem("")
        self.busy = True
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=len(formats), progress=0)
        bar.display = True
        deidentify = self.query_one("#deidentify", Checkbox).value
        host = self.host

        def job() -> None:
            worker = get_current_worker()
            try:
                files = host.run_export(
                    self.investigation_id,
                    formats,
                    os.path.expanduser(folder),
                    deidentify=deidentify,
                    force=force,
                    progress=lambda f, d, t: self.post_message(self.Progress(f, d, t)),
                )
            except Exception as exc:  # shown in the dialog; nothing half-written
                if not worker.is_cancelled:
                    self.post_message(self.Finished(None, exc))
                return
            if not worker.is_cancelled:
                self.post_message(self.Finished(files, None))

        self.run_worker(job, thread=True, exclusive=True, group="export")

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=message.total, progress=message.done)

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.busy = False
        self.query_one("#progress").display = False
        error = message.error
        if error is None:
            self.dismiss(message.files)
            return
        if isinstance(error, TargetExistsError):

            def answered(choice: str | None) -> None:
                if choice == "replace":
                    self.action_export(force=True)

            names = "\n".join(f"  {path}" for path in error.paths)
            self.app.push_screen(
                ChoiceDialog(
                    f"{'These files exist' if len(error.paths) > 1 else 'This file exists'}:"
                    f"\n{names}\nReplace {'them' if len(error.paths) > 1 else 'it'}?",
                    [("Replace", "replace"), ("Cancel", "cancel")],
                ),
                answered,
            )
            return
        if isinstance(error, RcaError):
            self._problem(error.message)
        else:
            self.host.show_error(error)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

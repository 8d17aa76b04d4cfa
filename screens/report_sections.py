"""Lessons learned, strategies considered and not taken, literature reviewed, and the other
people involved: the RCA2 report sections that are lists, edited in one screen.

Each row is one entry; the keys add an entry of one kind (a strategy asks why it was not
taken), edit the one under the cursor, or remove it. Names of other people involved are
identifiers: the de-identified copy of every report replaces them, like the patient's.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, DataTable, Header, Input, Static, TextArea

from models.domain import InvolvedPerson, ReportNote
from models.vocab import NoteKind
from screens.base import ServiceScreen
from screens.dialogs import ChoiceDialog, EditDialog, Saver, stored_in
from screens.formatting import one_line
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer
from screens.widgets.text_box import SafeTextArea

#: What each kind of note asks: (title, text label, detail label or None, detail required).
NOTE_FIELDS: dict[str, tuple[str, str, str | None, bool]] = {
    NoteKind.LESSON: ("Lesson learned", "Lesson *", None, False),
    NoteKind.STRATEGY: (
        "Strategy considered and not taken",
        "Risk-reduction strategy *",
        "Why it was not taken *",
        True,
    ),
    NoteKind.LITERATURE: (
        "Literature or evidence reviewed",
        "Reference (article, guideline, alert, data) *",
        "What it showed",
        False,
    ),
}
PERSON = "person"
SHORT = {
    NoteKind.LESSON: "Lesson",
    NoteKind.STRATEGY: "Not taken",
    NoteKind.LITERATURE: "Literature",
    PERSON: "Person",
}
KIND_WIDTH = 11


class NoteDialog(EditDialog):
    """Add or edit one note: its text, and for a strategy or literature the second field."""

    def __init__(self, kind: str, note: ReportNote | None = None, *, save: Saver) -> None:
        super().__init__(save)
        self.kind = kind
        self.note = note

    def compose(self) -> ComposeResult:
        title, text_label, detail_label, _ = NOTE_FIELDS[self.kind]
        n = self.note
        with Vertical(classes="dialog"):
            yield Static(Text(f"Edit: {title}" if n else f"Add: {title}"), classes="dialog-title")
            yield Static(Text(text_label), classes="field-label")
            yield SafeTextArea(n.text if n else "", id="text", soft_wrap=True, tab_behavior="focus")
            if detail_label:
                yield Static(Text(detail_label), classes="field-label")
                yield SafeTextArea(
                    n.detail if n else "", id="detail", soft_wrap=True, tab_behavior="focus"
                )
            yield from self.foot()

    def _detail(self) -> str:
        boxes = self.query("#detail")
        return boxes.first(TextArea).text if boxes else ""

    def snapshot(self) -> object:
        return (self.query_one("#text", TextArea).text, self._detail())

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#text", TextArea).focus(scroll_visible=False)

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        _, text_label, detail_label, need_detail = NOTE_FIELDS[self.kind]
        text, detail = self.query_one("#text", TextArea).text, self._detail()
        problems = []
        if not text.strip():
            problems.append(f"{text_label.rstrip(' *')} is required.")
        if need_detail and detail_label and not detail.strip():
            problems.append(f"{detail_label.rstrip(' *')} is required.")
        if problems:
            self.show_problem("\n".join(problems))
            return
        self.submit({"text": text, "detail": detail})


class PersonDialog(EditDialog):
    """Add or edit another person involved: name and role in the event."""

    def __init__(self, person: InvolvedPerson | None = None, *, save: Saver) -> None:
        super().__init__(save)
        self.person = person

    def compose(self) -> ComposeResult:
        p = self.person
        with Vertical(classes="dialog"):
            yield Static(
                Text("Edit person involved" if p else "Add another person involved"),
                classes="dialog-title",
            )
            yield Static(Text("Name *"), classes="field-label")
            yield SafeInput(value=p.name if p else "", id="name")
            yield Static(
                Text("Role in the event (other patient, relative...)"), classes="field-label"
            )
            yield SafeInput(value=p.involvement if p else "", id="involvement")
            yield Static(
                Text("Replaced by [person] in de-identified copies, like the patient's name."),
                classes="field-label",
            )
            yield from self.foot()

    def snapshot(self) -> object:
        return (
            self.query_one("#name", Input).value,
            self.query_one("#involvement", Input).value,
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#name", Input).focus(scroll_visible=False)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def action_ok(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.show_problem("Name is required.")
            return
        self.submit({"name": name, "involvement": self.query_one("#involvement", Input).value})


class ReportSectionsScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Lessons, strategies, literature, people"
    HELP_NOTE = (
        "RCA2 asks for lessons learned, the risk-reduction strategies considered and not taken "
        "(with the reason), the literature and evidence reviewed, and names the other people "
        "involved. Each is a section of every report; an empty one says so."
    )
    AUTO_FOCUS = "#entries"
    PALETTE_GROUP = "Report sections"
    BINDINGS = [
        Binding("l", "add('lesson')", "Lesson"),
        Binding("s", "add('strategy')", "Not taken"),
        Binding("r", "add('literature')", "Literature"),
        Binding("o", "add('person')", "Person"),
        Binding("e", "edit", "Edit", show=False),
        Binding("enter", "edit", "Edit", show=False),
        Binding("d,delete", "remove", "Remove", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.entries: list[ReportNote | InvolvedPerson] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield Static(id="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Lessons, strategies, literature, people"
        table = self.query_one(DataTable)
        table.add_column("Section", width=KIND_WIDTH, key="kind")
        table.add_column("Entry", width=self._text_width(), key="text")
        table.focus()

    def _text_width(self) -> int:
        return max(20, self.app.size.width - KIND_WIDTH - 6)

    def reload(self) -> None:
        self.call(self._read, then=self._show)

    def _read(self) -> list[ReportNote | InvolvedPerson]:
        notes = self.service.list_notes(self.investigation_id)
        order = list(NoteKind)
        notes.sort(key=lambda n: order.index(NoteKind(n.kind)))
        return [*self.service.list_people(self.investigation_id), *notes]

    def _show(self, entries: list[ReportNote | InvolvedPerson]) -> None:
        self.entries = entries
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        width = self._text_width()
        for x in entries:
            if isinstance(x, InvolvedPerson):
                kind, text = PERSON, f"{x.name} ({x.involvement})" if x.involvement else x.name
            else:
                kind, text = x.kind, f"{x.text}: {x.detail}" if x.detail else x.text
            table.add_row(Text(SHORT[kind]), Text(one_line(text, width)), key=f"{kind}-{x.id}")
        if entries:
            table.move_cursor(row=min(row, len(entries) - 1))
        hint = Text()
        if not entries:
            hint.append("Nothing recorded yet: l adds a lesson, s a strategy not taken, ")
            hint.append("r literature or evidence, o another person involved.")
        self.query_one("#hint", Static).update(hint)

    def _selected(self) -> ReportNote | InvolvedPerson | None:
        table = self.query_one(DataTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def action_add(self, kind: str) -> None:
        if kind == PERSON:

            def add_person(values: dict, _version: int | None) -> Any:
                return self.service.add_person(self.investigation_id, **values)

            self.app.push_screen(PersonDialog(save=Saver(add_person)), self._done)
            return

        def add_note(values: dict, _version: int | None) -> Any:
            return self.service.add_note(self.investigation_id, kind, **values)

        self.app.push_screen(NoteDialog(kind, save=Saver(add_note)), self._done)

    def _done(self, result: Any) -> None:
        if result is not None:
            self.reload()

    def action_edit(self) -> None:
        x = self._selected()
        if x is None:
            return
        if isinstance(x, InvolvedPerson):

            def update_person(values: dict, version: int | None) -> Any:
                return self.service.update_person(x.id, version, **values)

            people = partial(self.service.list_people, self.investigation_id)
            saver = Saver(update_person, x.version, stored_in(people, x.id, "person involved"))
            self.app.push_screen(PersonDialog(x, save=saver), self._done)
            return

        def update_note(values: dict, version: int | None) -> Any:
            return self.service.update_note(x.id, version, **values)

        read = partial(self.service.list_notes, self.investigation_id)
        saver = Saver(update_note, x.version, stored_in(read, x.id, "note"))
        self.app.push_screen(NoteDialog(x.kind, x, save=saver), self._done)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_remove(self) -> None:
        x = self._selected()
        if x is None:
            return
        person = isinstance(x, InvolvedPerson)
        what = one_line(x.name if isinstance(x, InvolvedPerson) else x.text, 40)
        remove = self.service.delete_person if person else self.service.delete_note

        def done(choice: str | None) -> None:
            if choice == "remove":
                self.save(remove, x.id, then=lambda _: self.reload())

        self.app.push_screen(
            ChoiceDialog(f"Remove '{what}'?", [("Remove", "remove"), ("Cancel", "cancel")]), done
        )

"""Similar past investigations of one investigation (`s` on the overview): earlier approved or
closed investigations ranked by shared cause codes and similar texts (models/similarity.py),
each with its root causes and its actions and their strength, the "check past actions" step
done for the investigator. Enter opens one; finished investigations open read-only.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from models.similarity import Similar
from models.vocab import ActionStatus, Status, Strength
from screens.base import ServiceScreen
from screens.formatting import label, one_line
from screens.widgets.footer import Footer


def detail(found: Similar) -> Text:
    """The root causes and the actions (with strength and status) of one similar investigation."""
    roots = "; ".join(one_line(r, 80) for r in found.root_causes) or "none recorded"
    acts = "; ".join(
        f"{one_line(a.text, 70)} ({label(Strength, a.strength, 'unrated')}, "
        f"{label(ActionStatus, a.status)})"
        for a in found.actions
    )
    return Text(f"Root causes: {roots}\nActions: {acts or 'none'}")


class SimilarScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Similar past investigations"
    AUTO_FOCUS = "#similar"
    PALETTE_GROUP = "Investigation"
    BINDINGS = [
        Binding("enter", "open", "Open (read-only)", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int, found: list[Similar]) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.found = list(found)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Text(
                "Earlier approved or closed investigations with the same cause codes or similar "
                "causes; what they found and what they did. Enter opens one (read-only)."
            ),
            id="intro",
        )
        yield DataTable(id="similar", cursor_type="row", cell_padding=1)
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Similar to investigation {self.investigation_id}"
        table = self.query_one("#similar", DataTable)
        for name, width in (("Score", 5), ("ID", 4), ("Status", 8), ("Shared codes", 20)):
            table.add_column(name, width=width)
        table.add_column("Title")
        self._draw()

    def reload(self) -> None:
        self.call(self.service.similar, self.investigation_id, then=self._loaded)

    def _loaded(self, found: list[Similar]) -> None:
        self.found = list(found)
        self._draw()

    def _draw(self) -> None:
        table = self.query_one("#similar", DataTable)
        table.clear()
        for f in self.found:
            table.add_row(
                Text(f"{f.score:.2f}"),
                Text(str(f.id)),
                Text(label(Status, f.status)),
                Text(one_line(", ".join(f.shared_codes), 20)),
                Text(one_line(f.title, 80)),
            )
        self._show_detail(table.cursor_row)

    def _show_detail(self, row: int | None) -> None:
        box = self.query_one("#detail", Static)
        if row is None or not (0 <= row < len(self.found)):
            box.update(Text("No similar investigation approved or closed yet."))
            return
        box.update(detail(self.found[row]))

    @on(DataTable.RowHighlighted, "#similar")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail(event.cursor_row)

    def action_open(self) -> None:
        row = self.query_one("#similar", DataTable).cursor_row
        if row is not None and 0 <= row < len(self.found):
            self.host.open_investigation(self.found[row].id)

    @on(DataTable.RowSelected, "#similar")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

"""Home: every investigation in one table, filtered as you type, sorted by what matters.

The table shows title, unit, event date, SAC score, status and days left to the due date, with
overdue investigations marked in words. The title gets every column the others leave: they are
as narrow as their values (status labels shortened below 120 columns), and the unit widens on a
large terminal. An empty database shows what to do first. Typing filters as on every list
(screens/filtering.py): `n`, `s`, `t`, `g` and `r` are keys while the filter is empty; `t`
opens the tracker of every open action (screens/tracker.py), `g` the learning screen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.widgets import DataTable, Header, Static

from models.review import is_frozen
from models.summary import InvestigationSummary
from models.vocab import Status
from screens.filtering import FILTER_BINDINGS, FilterBox, FilteredListScreen
from screens.formatting import FixedCell, deadlines_for, due_cell, label, one_line, sac_cell
from screens.widgets.footer import Footer

EMPTY_TEXT = (
    "No investigations yet.\n\n"
    "  n        start a new investigation (event intake)\n"
    "  rca demo run this in a shell to add an example investigation\n"
    "  F1       all keys of this screen"
)

#: Sort orders offered by `s`, in the order they cycle.
SORTS = ("due", "sac", "event", "title", "status")
SORT_LABELS = {
    "due": "days left",
    "sac": "SAC score",
    "event": "event date",
    "title": "title",
    "status": "status",
}
#: Status labels below 120 columns, where "Action plan" would cost the title two columns.
SHORT_STATUS: dict[str, str] = {Status.ACTION_PLAN: "Act. plan"}
#: Columns wider than this get the full status labels.
WIDE = 120


def column_widths(width: int) -> dict[str, int]:
    """The width of each column's text for a terminal `width` columns wide.

    Columns are one space apart (the table has no cell padding; each width below but the last
    includes its space), the table has one column of margin on the left and the scroll bar's two
    on the right. Every column but the title is as wide as its values: a date, "3S", "Act.
    plan", "13d OVERDUE" or "18mo OVERDUE". The unit grows by a third of what passes 100
    columns (up to 28); the title takes the rest.
    """
    width = max(40, width)
    unit = 8 + max(0, min(20, (width - 100) // 3))
    widths = {
        "unit": unit + 1,
        "event": 10 + 1,
        "sac": 3 + 1,
        "status": (11 if width >= WIDE else 9) + 1,
        "due": 12,
    }
    widths["title"] = max(12, width - 1 - 2 - sum(widths.values()))
    return widths


class HomeScreen(FilteredListScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Investigations"
    AUTO_FOCUS = "#investigations"

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The App's ctrl+q, hidden from the other footers to make room, is shown here."""
        bindings = super().active_bindings
        quit_key = bindings.get("ctrl+q")
        if quit_key is not None and not quit_key.binding.show:
            shown = dataclasses.replace(quit_key.binding, show=True)
            bindings["ctrl+q"] = quit_key._replace(binding=shown)
        return bindings
    LIST = "#investigations"
    PALETTE_GROUP = "Investigations"
    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("enter", "open", "Open", show=False),
        *FILTER_BINDINGS,
        Binding("s", "sort", "Sort"),
        Binding("t", "tracker", "Actions"),
        Binding("g", "learning", "Learning"),
        Binding("r", "reload", "Reload", show=False),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[InvestigationSummary] = []
        self.sort = "due"
        self._shown: list[int] = []
        self._loaded = False
        self._drawn_width = -1

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterBox("Type to filter: title, unit, status, event type · Esc clears")
        yield Static(Text(EMPTY_TEXT), id="empty")
        yield DataTable(id="investigations", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#empty").display = False
        self.query_one(DataTable).focus()

    # --- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        self.call(self.service.list_investigations, then=self._loaded_rows)

    def action_reload(self) -> None:
        self.reload()

    def _loaded_rows(self, rows: list[InvestigationSummary]) -> None:
        self.rows = rows
        if not self._loaded:
            # The first list, often read before the screen's first frame (sqlite3 reads 1,000
            # rows in a few ms): the screen is drawn first and the rows follow, so what a person
            # first sees does not wait for a table of 1,000 rows (issue 16). Before the first
            # layout the table has no place yet: after the next refresh. Once laid out, its
            # frame is drawn or queued on this screen already: next in the queue, after it.
            if self.query_one(DataTable).region.area:
                self.call_later(self._show_rows)
            else:
                self.call_after_refresh(self._show_rows)
            return
        self._show_rows()

    def _show_rows(self) -> None:
        if not self.is_attached:
            return
        self._loaded = True
        self._render_table()
        # Start-up's last steps (the collector back on, the rest of the service imported in a
        # thread) once the rows are drawn: that thread holds the GIL for a quarter of a second.
        self.call_after_refresh(self.host.startup_done)

    @property
    def today(self) -> dt.date:
        return self.host.today()

    def _sort_key(self, row: InvestigationSummary, due: dt.date | None):
        far = dt.date.max
        if self.sort == "due":
            return (is_frozen(row.status), due or far, row.id)
        if self.sort == "sac":
            return (-(row.sac_score or 0), due or far, row.id)
        if self.sort == "event":
            return (
                -(row.occurred_at or dt.datetime.min).timestamp()
                if row.occurred_at
                else float("inf"),
                row.id,
            )
        if self.sort == "title":
            return (row.title.casefold(), row.id)
        return (
            list(Status).index(status)
            if (status := Status.from_value(row.status)) is not None
            else 99,
            row.id,
        )

    def _matches(self, row: InvestigationSummary) -> bool:
        if not self.filter_text:
            return True
        hay = " ".join(
            (row.title, row.unit, label(Status, row.status), row.event_type or "", str(row.id))
        ).casefold()
        return all(word in hay for word in self.filter_text.casefold().split())

    def _render_table(self) -> None:
        table = self.query_one(DataTable)
        settings = getattr(self.app, "settings", None)
        self._drawn_width = self.size.width
        width = self.size.width or 80
        widths = column_widths(width)
        keep = self._shown[table.cursor_row] if self._shown and table.row_count else None
        table.clear(columns=True)
        for key, header in (
            ("title", "Title"),
            ("unit", "Unit"),
            ("event", "Event"),
            ("sac", "SAC"),
            ("status", "Status"),
            ("due", "Due"),
        ):
            # A Text: a str label is parsed as markup (and imports Rich's emoji table).
            table.add_column(Text(header), width=widths[key], key=key)
        wide = width >= WIDE
        decorated = []
        for row in self.rows:
            if not self._matches(row):
                continue
            deadlines = deadlines_for(settings, row)
            decorated.append((self._sort_key(row, deadlines.due), row, deadlines))
        decorated.sort(key=lambda item: item[0])
        self._shown = [row.id for _, row, _ in decorated]
        today = self.today
        # Every column has a width (above), so the cells are FixedCells: the table does not
        # measure them (6,000 of them with 1,000 investigations; screens.formatting).
        cell = FixedCell
        rows = [
            (
                cell(one_line(row.title, widths["title"] - 1)),
                cell(one_line(row.unit, widths["unit"] - 1)),
                cell(row.occurred_at.strftime("%Y-%m-%d") if row.occurred_at else "-"),
                sac_cell(row.sac_score, row.sentinel, cell=cell),
                cell(
                    label(Status, row.status)
                    if wide
                    else SHORT_STATUS.get(row.status, label(Status, row.status))
                ),
                due_cell(deadlines, today, row.status, cell=cell),
            )
            for _, row, deadlines in decorated
        ]
        table.add_rows(rows)
        if keep in self._shown:
            table.move_cursor(row=self._shown.index(keep))
        empty = not self.rows
        self.query_one("#empty").display = empty
        table.display = not empty
        if empty and self.focused is not None:
            self.set_focus(None)  # keys go to the screen: n starts the first investigation
        overdue = sum(1 for cells in rows if "OVERDUE" in cells[-1].plain)
        shown = (
            f"{len(self._shown)} of {len(self.rows)}" if self.filter_text else f"{len(self.rows)}"
        )
        parts = [
            f"{shown} investigation{'s' * (len(self.rows) != 1)}",
            f"sorted by {SORT_LABELS[self.sort]}",
        ]
        if overdue:
            parts.append(f"{overdue} overdue")
        if self.filter_text:
            parts.append(f"filter: {one_line(self.filter_text)}")
        self.query_one("#status-line", Static).update(Text(" · ".join(parts)))

    def on_resize(self) -> None:
        # Only a new width changes the title column; the first Resize comes after the rows.
        if self._loaded and self.size.width != self._drawn_width:
            self._render_table()

    # --- actions ---------------------------------------------------------------------------
    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not self._shown or table.cursor_row is None or table.cursor_row >= len(self._shown):
            return None
        return self._shown[table.cursor_row]

    def action_open(self) -> None:
        inv_id = self.selected_id()
        if inv_id is not None:
            self.host.open_investigation(inv_id)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_new(self) -> None:
        self.host.new_investigation()

    def action_tracker(self) -> None:
        from screens.tracker import TrackerScreen

        self.app.push_screen(TrackerScreen())

    def action_learning(self) -> None:
        from screens.learning import LearningScreen

        self.app.push_screen(LearningScreen())

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._render_table()

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key in SORTS:
            self.sort = key
            self._render_table()

    def filter_changed(self) -> None:
        self._render_table()

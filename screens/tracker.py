"""The action tracker: every open action of every investigation, on one screen (home, `t`).

Leadership follows actions to the end (RCA2). One row per action not yet verified effective nor
closed by a reviewer, of every investigation not closed (`Service.tracker`): investigation,
action, strength, owner, due, days overdue, next measure due, effectiveness. Typing filters as
on every list (screens/filtering.py; `s` and `r` are keys while the filter is empty); `s`
cycles the sort and a click on a header sorts by that column; Enter opens the action in its
investigation, the cursor on it: the follow-up screen once it is approved, else the action
plan. Below the
table, the highlighted action in full.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from models.domain import TrackedAction
from models.vocab import Effectiveness, Status, Strength
from screens.filtering import FILTER_BINDINGS, FilterBox, FilteredListScreen
from screens.formatting import label, one_line
from screens.widgets.footer import Footer

#: Columns: key, header, width at 80 columns (the action takes what the others leave).
COLUMNS = (
    ("investigation", "Inv.", 12),
    ("action", "Action", 0),
    ("strength", "Str", 4),
    ("owner", "Owner", 11),
    ("due", "Due", 11),
    ("late", "Late", 5),
    ("measure", "Measure", 11),
    ("effect", "Effect", 8),
)
SORTS = tuple(key for key, _, _ in COLUMNS)
SHORT_STRENGTH: dict[str, str] = {
    Strength.STRONGER: "S",
    Strength.INTERMEDIATE: "I",
    Strength.WEAKER: "W",
}
SHORT_EFFECT: dict[str, str] = {
    Effectiveness.EFFECTIVE: "Eff.",
    Effectiveness.NOT_EFFECTIVE: "Not eff",
    Effectiveness.PENDING: "Pending",
}


def sort_key(key: str, t: TrackedAction) -> Any:
    """How a column sorts: dates and numbers as such, blanks last, text without case."""
    a, far = t.action, dt.date.max
    return {
        "investigation": (t.investigation_title.casefold(), t.investigation_id),
        "action": (a.text.casefold(),),
        "strength": ([s.value for s in Strength].index(a.strength) if a.strength else 9,),
        "owner": (a.owner.casefold() or "\uffff",),
        "due": (a.due or far,),
        "late": (-(t.days_overdue or 0), a.due or far),
        "measure": (t.next_measure_due or far,),
        "effect": (a.effectiveness or "~",),
    }[key] + (t.investigation_id, a.id)


def cells(t: TrackedAction, widths: dict[str, int]) -> list[Text]:
    a = t.action
    late = Text(f"{t.days_overdue}d", style="bold red") if t.days_overdue else Text("")
    values = {
        "investigation": Text(one_line(f"{t.investigation_id} {t.investigation_title}", 11)),
        "action": Text(one_line(a.text, widths["action"] - 1)),
        "strength": Text(SHORT_STRENGTH.get(a.strength, "-") if a.strength else "-"),
        "owner": Text(one_line(a.owner, 10) or "-"),
        "due": Text(a.due.isoformat() if a.due else "-"),
        "late": late,
        "measure": Text(t.next_measure_due.isoformat() if t.next_measure_due else "-"),
        "effect": Text(SHORT_EFFECT.get(a.effectiveness, "-") if a.effectiveness else "-"),
    }
    return [values[key] for key, _, _ in COLUMNS]


def widths_for(width: int) -> dict[str, int]:
    widths = {key: w for key, _, w in COLUMNS}
    widths["action"] = max(10, max(60, width) - 1 - 2 - sum(widths.values()))
    return widths


class TrackerScreen(FilteredListScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Action tracker"
    AUTO_FOCUS = "#tracker"
    LIST = "#tracker"
    PALETTE_GROUP = "Tracker"
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        *FILTER_BINDINGS,
        Binding("s", "sort", "Sort"),
        Binding("r", "reload", "Reload", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[TrackedAction] = []
        self.shown: list[TrackedAction] = []
        self.sort = "due"

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterBox("Type to filter: investigation, action, owner · Esc clears")
        yield DataTable(id="tracker", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static(id="detail")
        yield Static(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Action tracker"
        self.sub_title = "every open action"

    def reload(self) -> None:
        today = self.host.today()
        self.call(self.service.tracker, today, then=self._loaded)

    def action_reload(self) -> None:
        self.reload()

    def _loaded(self, rows: list[TrackedAction]) -> None:
        self.rows = rows
        self._render_table()

    def _matches(self, t: TrackedAction) -> bool:
        if not self.filter_text:
            return True
        a = t.action
        hay = " ".join(
            (
                str(t.investigation_id),
                t.investigation_title,
                a.text,
                a.owner,
                label(Strength, a.strength),
                label(Effectiveness, a.effectiveness),
                "overdue" if t.overdue else "",
            )
        ).casefold()
        return all(word in hay for word in self.filter_text.casefold().split())

    def _render_table(self) -> None:
        table = self.query_one("#tracker", DataTable)
        keep = self.selected()
        widths = widths_for(self.size.width or 80)
        table.clear(columns=True)
        for key, header, _ in COLUMNS:
            marked = f"{header}▼" if key == self.sort else header
            table.add_column(marked, width=widths[key], key=key)
        self.shown = sorted(
            (t for t in self.rows if self._matches(t)), key=lambda t: sort_key(self.sort, t)
        )
        table.add_rows([cells(t, widths) for t in self.shown])
        if keep is not None:
            ids = [(t.investigation_id, t.action.id) for t in self.shown]
            here = (keep.investigation_id, keep.action.id)
            if here in ids:
                table.move_cursor(row=ids.index(here))
        overdue = sum(1 for t in self.shown if t.overdue)
        count = str(len(self.rows))
        if self.filter_text:
            count = f"{len(self.shown)} of {count}"
        parts = [f"{count} open action{'s' * (len(self.rows) != 1)}"]
        if overdue:
            parts.append(f"{overdue} overdue")
        parts.append(f"sorted by {dict((k, h) for k, h, _ in COLUMNS)[self.sort].lower()}")
        if self.filter_text:
            parts.append(f"filter: {one_line(self.filter_text)}")
        self.query_one("#status-line", Static).update(Text(" · ".join(parts)))
        self._detail()

    def selected(self) -> TrackedAction | None:
        table = self.query_one("#tracker", DataTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowHighlighted, "#tracker")
    def _highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        t = self.selected()
        box = self.query_one("#detail", Static)
        if t is None:
            box.update(Text("No open actions." if not self.rows else "Nothing matches.", "dim"))
            return
        a = t.action
        status = label(Status, t.investigation_status)
        box.update(
            Text(
                f"{one_line(a.text, max(20, self.size.width - 3))}\n"
                f"{one_line(a.owner, 30) or 'no owner'} · "
                f"{one_line(t.investigation_title, 30)} ({status})"
            )
        )

    def on_resize(self) -> None:
        if self.rows:
            self._render_table()

    # --- actions ---------------------------------------------------------------------------
    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._render_table()

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort = str(event.column_key.value)
        self._render_table()

    def action_open(self) -> None:
        t = self.selected()
        if t is None:
            return
        self.host.open_investigation(t.investigation_id)
        if t.investigation_status == Status.APPROVED:
            from screens.followup import FollowupScreen

            self.app.push_screen(FollowupScreen(t.investigation_id, t.action.id))
        else:
            from screens.actions import ActionsScreen

            self.app.push_screen(ActionsScreen(t.investigation_id, t.action.id))

    @on(DataTable.RowSelected, "#tracker")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def filter_changed(self) -> None:
        self._render_table()

"""The audit trail of one investigation: who changed what, when, from what to what.

Filtered as you type (user, record, action, field, values), as every list is
(screens/filtering.py): `v` is a key while the filter is empty. `v` recomputes the hash chain of
the whole trail and says whether any entry was altered or removed outside the app.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from models.domain import AuditEntry
from models.errors import RcaError
from screens.filtering import FILTER_BINDINGS, FilterBox, FilteredListScreen
from screens.formatting import one_line
from screens.widgets.footer import Footer

#: Rows drawn at most; the filter narrows a long trail.
LIMIT = 2000


class AuditScreen(FilteredListScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Audit trail"
    PALETTE_GROUP = "Audit"
    AUTO_FOCUS = "#entries"
    LIST = "#entries"
    BINDINGS = [
        *FILTER_BINDINGS,
        Binding("v", "verify", "Verify chain"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.entries: list[AuditEntry] = []
        self.shown: list[AuditEntry] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterBox("Type to filter: user, record, action, field, value · Esc clears")
        yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail")
        yield Static(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Audit trail"
        table = self.query_one(DataTable)
        table.add_column("When (UTC)", width=16, key="at")
        table.add_column("Who", width=10, key="user")
        table.add_column("What", width=22, key="what")
        table.add_column("Change", key="change")

    def reload(self) -> None:
        self.call(self.service.audit_entries, self.investigation_id, then=self._loaded)

    def _loaded(self, entries: list[AuditEntry]) -> None:
        self.entries = entries
        self._draw()

    def _matches(self, e: AuditEntry) -> bool:
        if not self.filter_text:
            return True
        hay = " ".join(str(x) for x in (e.who, e.entity, e.action, e.field, e.old, e.new))
        return all(w in hay.casefold() for w in self.filter_text.casefold().split())

    def _draw(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        shown = [e for e in reversed(self.entries) if self._matches(e)][:LIMIT]
        self.shown = shown
        width = max(20, self.size.width - 16 - 10 - 22 - 10)
        for e in shown:
            what = f"{e.action} {e.entity.replace('_', ' ')}"
            if e.field:
                what += f".{e.field}"
            if e.old is None and e.new is not None:
                change = f"→ {one_line(e.new)}"
            elif e.new is None and e.old is not None:
                change = f"{one_line(e.old)} →"
            else:  # each side gets half the room, so the new value is never cut away
                half = max(8, (width - 3) // 2)
                change = f"{one_line(e.old or '', half)} → {one_line(e.new or '', half)}"
            table.add_row(
                Text(e.at.strftime("%Y-%m-%d %H:%M")),
                Text(one_line(e.who, 10)),
                Text(one_line(what, 22)),
                Text(one_line(change, width)),
            )
        total = len(self.entries)
        line = f"{len(shown)} of {total} entries, newest first"
        if len(shown) == LIMIT:
            line += f" (the first {LIMIT}; filter to narrow)"
        if self.filter_text:
            line += f" · filter: {one_line(self.filter_text)}"
        self.query_one("#status-line", Static).update(Text(line))

    @on(DataTable.RowHighlighted)
    def _detail(self) -> None:
        """The whole entry under the cursor: old and new values in full."""
        row = self.query_one(DataTable).cursor_row
        box = self.query_one("#detail", Static)
        shown = self.shown
        if not 0 <= row < len(shown):
            box.update("")
            return
        e = shown[row]
        text = Text()
        text.append(
            f"{e.at:%Y-%m-%d %H:%M:%S} UTC · {one_line(e.who)} · {e.action} {e.entity}",
            style="dim",
        )
        if e.field:
            text.append(f".{e.field}", style="dim")
        if e.old is not None:
            text.append("\nfrom: ", style="bold")
            text.append(one_line(e.old, 300))
        if e.new is not None:
            text.append("\nto:   ", style="bold")
            text.append(one_line(e.new, 300))
        box.update(text)

    def filter_changed(self) -> None:
        self._draw()

    def action_verify(self) -> None:
        self.call(self.service.verify_audit, then=self._verified, group="verify")

    def _verified(self, problem) -> None:
        if problem is None:
            self.notify("Audit trail intact: every entry matches its hash.", markup=False)
        else:
            self.host.show_error(
                RcaError(f"{problem.message}. The database file was changed outside rca-tui."),
                title="Audit trail broken",
            )

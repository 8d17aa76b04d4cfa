"""Home: the list of investigations."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from models.domain import InvestigationSummary


class HomeScreen(Screen):
    BINDINGS = [Binding("r", "reload", "Reload")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="empty", markup=False)
        yield DataTable(id="investigations", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "SAC", "Status", "Title")
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="home-load")
    def _load(self) -> None:
        rows = self.app.service.list_investigations()
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[InvestigationSummary]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(
            [
                (
                    Text(str(r.id)),
                    Text("-" if r.sac_score is None else str(r.sac_score)),
                    Text(r.status),
                    Text(r.title),
                )
                for r in rows
            ]
        )
        empty = self.query_one("#empty", Static)
        empty.update(
            "" if rows else "No investigations yet. Press n for a new one, or run: rca demo"
        )
        empty.display = not rows

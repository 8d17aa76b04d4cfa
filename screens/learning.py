"""The learning screen (`g` from home): what the program learns across investigations.

Counts by period and by event type, harm, unit, SAC score, sentinel and cause code (`d` cycles
the dimension, `p` the period), each with a bar; the program's own quality under them: the share
of root causes with only weaker actions by quarter (a sparkline) and by unit, the strength mix,
approvals within the RCA target and within 45 business days for sentinel events, the median
days from event to approval, open and overdue actions, codes that recur and actions followed by
recurrence (definitions in models/learning.py). `w` sets a window of event dates (from, to:
screens/window_dialog.py), named in the heading and passed to the service, drill-downs too.
Enter on a row lists the investigations behind it; Enter there opens one. Bars and sparklines
are characters with the number beside them, so they read in 16 colours and under NO_COLOR.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from models.domain import InvestigationSummary
from models.learning import LearningData, Share
from models.trends import TrendRow, percent
from models.vocab import Status
from screens.base import ServiceScreen
from screens.charts import bar, sparkline
from screens.formatting import label, one_line
from screens.widgets.footer import Footer
from screens.window_dialog import DateWindowDialog, Window, describe_window

#: What `d` cycles through: the counts, then the quality tables that can be drilled into.
VIEWS = (
    ("period", "Investigations by period"),
    ("event_type", "By event type"),
    ("harm", "By harm"),
    ("unit", "By unit"),
    ("sac", "By SAC score"),
    ("sentinel", "Sentinel or not"),
    ("code", "By cause code (investigations; causes)"),
    ("recurring", "Codes that recur (two or more investigations)"),
    ("weak_unit", "Root causes with only weaker actions, by unit"),
)
PERIODS = ("quarter", "month", "year")
PERIOD_NAMES = {"quarter": "quarter", "month": "month", "year": "year"}


def _count(n: int) -> str:
    return f"{n} investigation{'s' * (n != 1)}"


class LearningScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Learning across investigations"
    HELP_NOTE = (
        "Counts are exact. A root cause has only weaker actions when none of its actions is "
        "stronger or intermediate; on time means the first approval on or before the RCA target "
        "(or, for sentinel events, 45 business days)."
    )
    AUTO_FOCUS = "#counts"
    PALETTE_GROUP = "Learning"
    BINDINGS = [
        Binding("d", "dimension", "Dimension"),
        Binding("p", "period", "Period"),
        Binding("w", "window", "Dates"),
        Binding("enter", "drill", "Investigations", show=False),
        Binding("r", "reload", "Reload", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "period"
        self.period = "quarter"
        #: The window of event dates counted (None: open-ended).
        self.start: dt.date | None = None
        self.end: dt.date | None = None
        self.data: LearningData | None = None
        self._rows: list[TrendRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="heading")
        yield DataTable(id="counts", cursor_type="row", cell_padding=0)
        yield Static(id="quality")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Learning"

    # --- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        settings = getattr(self.app, "settings", None)
        policy = settings.deadline_policy() if settings is not None else None
        self.call(
            self.service.learning,
            period=self.period,
            start=self.start,
            end=self.end,
            today=self.host.today(),
            policy=policy,
            then=self._show,
        )

    def action_reload(self) -> None:
        self.reload()

    def _show(self, data: LearningData) -> None:
        self.data = data
        self._draw_table()
        self.query_one("#quality", Static).update(self._quality(data))

    # --- drawing ---------------------------------------------------------------------------
    def _view_rows(self, data: LearningData) -> list[TrendRow]:
        if self.view == "recurring":
            return data.recurring_codes
        if self.view == "weak_unit":
            return [
                TrendRow(unit, unit or "(no unit)", share.part, share.whole)
                for unit, share in data.weak_only_by_unit
            ]
        return data.counts[self.view]

    def _draw_table(self) -> None:
        data = self.data
        if data is None:
            return
        title = dict(VIEWS)[self.view]
        if self.view == "period":
            title = f"Investigations by {PERIOD_NAMES[self.period]}"
        self.query_one("#heading", Static).update(
            Text(f"{title}{self._window(' · ')} · {_count(data.total)} · Enter lists them")
        )
        table = self.query_one("#counts", DataTable)
        table.clear(columns=True)
        width = max(40, self.size.width)
        key_w = min(34, max(12, width // 3))
        bar_w = max(8, width - key_w - 18)
        table.add_column("", width=key_w, key="key")
        table.add_column(Text("N", justify="right"), width=7, key="n")
        table.add_column("", width=bar_w, key="bar")
        rows = self._view_rows(data)
        self._rows = rows
        top = max((r.investigations for r in rows), default=0)
        for r in rows:
            if self.view == "weak_unit":
                number = f"{r.investigations}/{r.causes}"
                drawn = bar(r.investigations, r.causes or 0, bar_w - 6)
                drawn += f" {percent(Share(r.investigations, r.causes or 0).value)}"
            else:
                number = str(r.investigations)
                if r.causes is not None:
                    number += f";{r.causes}"
                drawn = bar(r.investigations, top, bar_w - 1)
            name = f"{r.key} {r.label}" if self.view in ("code", "recurring") else r.label
            table.add_row(
                Text(one_line(str(name), key_w - 1)),
                Text(number, justify="right"),
                Text(" " + drawn),
            )
        if not rows:
            table.add_row(Text("(nothing counted yet)"), Text(""), Text(""))

    def _quality(self, data: LearningData) -> Text:
        quarters = data.weak_only_by_quarter[-12:]
        spark = sparkline([s.value for _, s in quarters])
        last = quarters[-1] if quarters else None
        weak = (
            f"{spark}  {last[0]}: {percent(last[1].value)} ({last[1].part}/{last[1].whole})"
            if last
            else "no root cause has an action yet"
        ) + ("" if not last else " of root causes with actions")
        mix = data.strength_mix
        parts = [
            f"{name} {mix.get(key, 0)}"
            for key, name in (
                ("stronger", "stronger"),
                ("intermediate", "intermediate"),
                ("weaker", "weaker"),
                ("unrated", "unrated"),
            )
            if mix.get(key) or key != "unrated"
        ]
        target, sentinel = data.approved_within_target, data.sentinel_within_45
        days = data.median_days_to_approval
        recurring = ", ".join(f"{r.key} ({r.investigations})" for r in data.recurring_codes[:4])
        lines = [
            ("Weaker only   ", weak),
            ("Strength mix  ", " · ".join(parts) if mix else "no actions"),
            (
                "On time       ",
                f"RCA target {percent(target.value)} ({target.part}/{target.whole}) · "
                f"sentinel 45 business days {percent(sentinel.value)} "
                f"({sentinel.part}/{sentinel.whole})",
            ),
            (
                "To approval   ",
                "median -" if days is None else f"median {days:.0f} days from the event",
            ),
            (
                "Actions       ",
                f"{data.open_actions} open · {data.overdue_actions} overdue · "
                f"{data.recurred_actions} followed by recurrence",
            ),
            ("Recurring     ", recurring or "no code in two investigations yet"),
        ]
        text = Text()
        for i, (name, value) in enumerate(lines):
            if i:
                text.append("\n")
            text.append(name, style="bold")
            text.append(one_line(value))
        return text

    def on_resize(self) -> None:
        self._draw_table()

    # --- keys ------------------------------------------------------------------------------
    def action_dimension(self) -> None:
        names = [v for v, _ in VIEWS]
        self.view = names[(names.index(self.view) + 1) % len(names)]
        self._draw_table()

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self.view = "period"
        self.reload()

    def _window(self, before: str = "") -> str:
        """' · events 2026-01-01 to 2026-06-30' ("" while every event is counted)."""
        if (self.start, self.end) == (None, None):
            return ""
        return f"{before}events {describe_window(self.start, self.end)}"

    def action_window(self) -> None:
        def chosen(window: Window | None) -> None:
            if window is not None and window != (self.start, self.end):
                self.start, self.end = window
                self.sub_title = f"Learning{self._window(' · ')}"
                self.reload()

        today = self.host.today()
        self.app.push_screen(DateWindowDialog(self.start, self.end, today=today), chosen)

    def action_drill(self) -> None:
        table = self.query_one("#counts", DataTable)
        row = table.cursor_row
        if row is None or not (0 <= row < len(self._rows)):
            return
        picked = self._rows[row]
        name = (
            f"{picked.key} {picked.label}" if self.view in ("code", "recurring") else picked.label
        )
        by = {"period": self.period, "recurring": "code", "weak_unit": "unit"}.get(
            self.view, self.view
        )
        window = (self.start, self.end)
        self.app.push_screen(InvestigationsScreen(by, picked.key, str(name), window))

    @on(DataTable.RowSelected, "#counts")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()


class InvestigationsScreen(ServiceScreen):
    """The investigations behind one number of the learning screen (`Service.trend_behind`);
    Enter opens one."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Investigations behind a count"
    AUTO_FOCUS = "#behind"
    PALETTE_GROUP = "Learning"
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(
        self, by: str, key: object, name: str, window: Window = (None, None)
    ) -> None:
        super().__init__()
        self.window = window
        self.counted_by = by
        self.counted_key = key
        self.name_shown = name
        self._shown: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(one_line(self.name_shown)), id="heading")
        yield DataTable(id="behind", cursor_type="row", cell_padding=1)
        yield Footer()

    def reload(self) -> None:
        start, end = self.window
        self.call(
            self.service.trend_behind,
            self.counted_by,
            self.counted_key,
            start,
            end,
            then=self._show,
        )

    def _show(self, rows: list[InvestigationSummary]) -> None:
        heading = f"{self.name_shown}: {_count(len(rows))}"
        if self.window != (None, None):
            heading += f" (events {describe_window(*self.window)})"
        self.query_one("#heading", Static).update(Text(one_line(heading)))
        table = self.query_one("#behind", DataTable)
        table.clear(columns=True)
        table.add_columns("ID", "Event date", "SAC", "Status", "Title")
        self._shown = [r.id for r in rows]
        for r in rows:
            table.add_row(
                Text(str(r.id)),
                Text(f"{r.occurred_at:%Y-%m-%d}" if r.occurred_at else "-"),
                Text("-" if r.sac_score is None else str(r.sac_score)),
                Text(label(Status, r.status)),
                Text(one_line(r.title, 60)),
            )

    def action_open(self) -> None:
        row = self.query_one("#behind", DataTable).cursor_row
        if row is not None and 0 <= row < len(self._shown):
            self.host.open_investigation(self._shown[row])

    @on(DataTable.RowSelected, "#behind")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

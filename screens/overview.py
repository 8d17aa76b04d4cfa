"""The investigation overview: where it stands, step by step, and what still needs doing.

Shows the risk score, deadlines and status, then each workflow step (screens/steps.py) with a
summary and its warnings, a line naming earlier approved or closed investigations like this one
(`s` lists them: screens/similar.py), then every finding of `rca check` (with recurrence,
models/recurrence.py). Enter or a digit opens a step. An approved or closed investigation shows
when it was finished instead of days left: its deadlines no longer run, so it is never overdue.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Span, Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from models.domain import Dossier, Finding
from models.recurrence import findings as recurrence_findings
from models.review import is_frozen
from models.rules import sac
from models.rules.checks import cause_graph, run_checks
from models.rules.dates import format_date, format_datetime
from models.rules.deadlines import days_left, describe_days_left
from models.similarity import Similar
from models.vocab import FeedbackAudience, Status
from screens.base import ServiceScreen
from screens.formatting import deadlines_for, label, one_line, start_verdict, visible
from screens.steps import STEPS, screen_for
from screens.steps import summaries as step_summaries
from screens.widgets.footer import Footer
from screens.widgets.text_view import TextView


class OverviewScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Investigation overview"
    HELP_NOTE = "Enter opens the step under the cursor; 1 to 9 open steps 1 to 9, 0 step 10."
    AUTO_FOCUS = "#steps"
    PALETTE_GROUP = "Investigation"
    BINDINGS = [
        # The footer at 80 columns holds the two steps most visited and Export; Enter or a step's
        # number (1-9, 0 for the tenth) opens any step, and each step's letter is in F1 help.
        Binding("enter", "open_step", "Open step", show=False),
        Binding("e", "step('intake')", "Edit intake", show=False),
        Binding("t", "step('team')", "Team", show=False),
        Binding("l", "step('timeline')", "Timeline", show=False),
        Binding("f", "step('causes')", "Fishbone"),
        Binding("w", "step('five_whys')", "Five whys", show=False),
        Binding("g", "step('graph')", "Graph", show=False),
        Binding("p", "step('actions')", "Action plan"),
        Binding("v", "step('review')", "Review", show=False),
        Binding("o", "step('followup')", "Follow-up", show=False),
        Binding("n", "step('report_sections')", "Lessons, strategies, people", show=False),
        Binding("a", "audit", "Audit trail", show=False),
        Binding("x", "export", "Export"),
        Binding("s", "similar", "Similar", show=False),
        Binding("r", "reload", "Reload", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.dossier: Dossier | None = None
        self.findings: list[Finding] = []
        self._similar_found: list[Similar] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield DataTable(id="steps", cursor_type="row")
        yield Static(id="similar-line")
        yield Static(Text("Findings"), classes="section")
        yield TextView(id="findings")
        yield Footer()

    def on_mount(self) -> None:
        steps = self.query_one("#steps", DataTable)
        steps.add_column("Step", width=28, key="step")
        steps.add_column("Summary", width=36, key="summary")
        steps.add_column("Warnings", width=8, key="warnings")
        steps.focus()
        self._show_similar([])

    def reload(self) -> None:
        def load(inv_id: int) -> tuple[Dossier, list[Finding], dict[str, str]]:
            dossier = self.service.dossier(inv_id)
            found = self.service.recurrences(inv_id)  # as the later and as the earlier one
            # The cause graph once, for the checks and the step summaries; in the worker.
            graph = cause_graph(dossier)
            checks = run_checks(dossier, today=self.host.today(), graph=graph)
            shown = step_summaries(dossier, graph)
            return dossier, checks + recurrence_findings(found, inv_id), shown

        self.call(load, self.investigation_id, then=self._show)

    def _load_similar(self) -> None:
        """The similar past investigations, read once the overview is shown: read beside the
        dossier and the checks it held them back (one worker at a time holds Python's lock)."""
        self.call(
            self.service.similar,
            self.investigation_id,
            limit=5,
            then=self._show_similar,
            group="similar",
        )

    def _show_similar(self, found: list[Similar]) -> None:
        """One line naming the earlier approved or closed investigations like this one (`s`
        lists them with their root causes and actions); hidden when there is none."""
        self._similar_found = list(found)
        line = self.query_one("#similar-line", Static)
        line.display = bool(found)
        if found:
            best = " · ".join(f"#{f.id} {one_line(f.title, 28)} ({f.score:.2f})" for f in found[:2])
            more = f" and {len(found) - 2} more" if len(found) > 2 else ""
            line.update(Text(f"Similar past investigations (s): {best}{more}"))

    def action_similar(self) -> None:
        from screens.similar import SimilarScreen

        if self._similar_found:
            self.app.push_screen(SimilarScreen(self.investigation_id, self._similar_found))
        else:
            self.notify("No similar investigation approved or closed yet.", markup=False)

    def action_reload(self) -> None:
        self.reload()

    def _show(self, result: tuple[Dossier, list[Finding], dict[str, str]]) -> None:
        self.dossier, self.findings, summaries = result
        inv = self.dossier.investigation
        self.title = inv.title
        self.sub_title = f"Investigation {inv.id}"
        today = self.host.today()
        d = deadlines_for(getattr(self.app, "settings", None), inv)
        lines = Text()
        lines.append(f"SAC {sac.describe(inv.sac_score)}", style="bold")
        if inv.sentinel:
            lines.append("  ·  Sentinel event", style="bold")
        lines.append(f"\nStatus: {label(Status, inv.status)}")
        when = format_datetime(inv.occurred_at) or "date not set"
        lines.append(f"  ·  Event {when}  ·  {one_line(inv.unit, 30) or 'unit not set'}\n")
        if is_frozen(inv.status):  # finished: its deadlines no longer run
            lines.append(_finished(self.dossier, d.due), style="bold")
            lines.append(f"  ·  {_reporter_told(self.dossier)}")
            if d.start_by:  # the start is judged by the charter, finished or not
                start = format_datetime(d.start_by)
                lines.append(f"\nStart by {start}: {start_verdict(d.start_by, inv.chartered_at)}")
        elif d.due:
            n = days_left(d.due, today)
            style = "bold red" if n is not None and n < 0 else "bold"
            lines.append(f"Due {format_date(d.due)} ({describe_days_left(n)})", style=style)
            if d.sentinel_due and d.rca_due:
                lines.append(
                    f"  ·  RCA target {format_date(d.rca_due)}, "
                    f"sentinel {format_date(d.sentinel_due)}"
                )
            if d.start_by:
                lines.append(
                    f"\nStart by {format_datetime(d.start_by)} (72 h): "
                    + start_verdict(d.start_by, inv.chartered_at)
                )
        else:
            lines.append("Deadlines: fill in the event and decision dates (e)")
        if inv.blameworthy:
            lines.append(
                "\nRouted out of the RCA process: blameworthy act suspected. ", style="bold yellow"
            )
            lines.append(one_line(inv.blameworthy_note, 120))
        self.query_one("#summary", Static).update(lines)

        steps = self.query_one("#steps", DataTable)
        cursor = steps.cursor_row
        steps.clear()
        counts = _step_counts(self.findings)
        for i, step in enumerate(STEPS, start=1):
            n = counts[step.key]
            warn = Text(str(n) if n else "ok", style="bold yellow" if n else "green")
            title = Text(f"{i}. {step.title}")
            steps.add_row(title, Text(one_line(summaries[step.key], 36)), warn, key=step.key)
        steps.move_cursor(row=min(cursor, len(STEPS) - 1))

        # Each line is made when the view writes it: the first screenful at once, the rest
        # in chunks (making all 3,000 of a large investigation first held the screen back).
        view = self.query_one("#findings", TextView)
        if self.findings:
            view.show(self.findings, _finding_line)
        else:
            view.show([Text("No findings.", style="green")])
        self._load_similar()

    # --- navigation ------------------------------------------------------------------------
    def action_open_step(self) -> None:
        steps = self.query_one("#steps", DataTable)
        if 0 <= steps.cursor_row < len(STEPS):
            self.action_step(STEPS[steps.cursor_row].key)

    @on(DataTable.RowSelected, "#steps")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_step()

    def action_step(self, key: str) -> None:
        step = next(s for s in STEPS if s.key == key)
        self.app.push_screen(screen_for(step, self.investigation_id))

    def action_export(self) -> None:
        from screens.export import ExportDialog

        def done(files: list[str] | None) -> None:
            if files:
                names = "\n".join(files)
                self.notify(
                    f"Wrote {len(files)} file{'s' * (len(files) != 1)}:\n{names}",
                    markup=False,
                    timeout=10,
                )

        self.app.push_screen(ExportDialog(self.investigation_id), done)

    def action_audit(self) -> None:
        from screens.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.investigation_id))

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit():
            index = (int(event.character) - 1) % 10  # 0 is the tenth step
            if index < len(STEPS):
                event.stop()
                self.action_step(STEPS[index].key)


def _step_counts(findings: list[Finding]) -> dict[str, int]:
    """How many findings each step has (a finding's code starts with one of the step's
    prefixes), in one pass over the codes in use: a large investigation has thousands of
    findings with a few dozen codes, and testing each finding against each step took ~10 ms."""
    per_code: dict[str, int] = {}
    for f in findings:
        per_code[f.code] = per_code.get(f.code, 0) + 1
    return {
        step.key: sum(n for code, n in per_code.items() if code.startswith(step.codes))
        for step in STEPS
    }


def _finding_line(f: Finding) -> Text:
    """One finding as the overview lists it: severity, code, message (data, never markup)."""
    head, code = f"{f.severity:7} ", f"{f.code}: "
    severity = "bold red" if f.severity == "error" else "yellow"
    end = len(head) + len(code)
    spans = [Span(0, len(head), severity), Span(len(head), end, "bold")]
    return Text(head + code + visible(f.message), spans=spans)


def _reporter_told(dossier: Dossier) -> str:
    """When and how the person who reported the event was told (RCA2 asks for it)."""
    told = [f for f in dossier.feedback if f.audience == FeedbackAudience.REPORTER]
    if not told:
        return "Reporter not told yet"
    fb = told[-1]
    how = f" {one_line(fb.method, 20)}" if fb.method.strip() else ""
    return f"Reporter told {format_date(fb.given_on) or '(no date)'}{how}"


def _finished(dossier: Dossier, due: dt.date | None) -> str:
    """'Approved 2026-11-28 (it was due 2026-12-24)': when it was finished, from the sign-off."""
    inv = dossier.investigation
    done = [s.at for s in dossier.signoffs if s.decision == inv.status and s.at is not None]
    text = label(Status, inv.status)
    if done:
        text += f" {format_date(max(done))}"
    if due:
        text += f" (it was due {format_date(due)})"
    return text

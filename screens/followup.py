"""Follow-up of an approved investigation: is each action done, measured, and did it work?

One row per action (leadership's refusals left out): owner, due, done, the last result against
the target, and the verdict. Below the table, the highlighted action's results (a corrected one
struck through, with why) and verdict, and the feedback given to the person who reported the
event. Keys: `i` implementation (started, done), `m` a measurement, `x` corrects a result entered
by mistake, `v` the verdict (owner or reviewer), `c` a reviewer closes an action
with a reason, `b` feedback to the reporter. Each goes through the follow-up calls of the
service (`models.service.followup`): the only writes an approved investigation takes. Nothing
here reopens it; the review screen does that.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Header, Input, Select, Static, TextArea

from models.domain import Action, Dossier, Measurement
from models.errors import ValidationError
from models.rules.dates import format_date, parse_date
from models.rules.followup_checks import followed, of_action
from models.vocab import Effectiveness, FeedbackAudience, Status
from screens.base import ServiceScreen
from screens.dialogs import EditDialog, Saver, TextDialog, stored_in
from screens.formatting import label, one_line
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer
from screens.widgets.text_box import SafeTextArea


def _date_field(label_text: str, value: dt.date | None, field_id: str) -> ComposeResult:
    with Vertical():
        yield Static(Text(label_text), classes="field-label")
        yield SafeInput(format_date(value) if value else "", id=field_id, compact=True)


def _dates(dialog: EditDialog, *fields: tuple[str, str]) -> dict[str, dt.date | None] | None:
    """Each (id, label) input read as a date (blank: None); None after showing a problem."""
    out = {}
    for field_id, name in fields:
        text = dialog.query_one(f"#{field_id}", Input).value
        try:
            out[field_id] = parse_date(text, name) if text.strip() else None
        except ValidationError as exc:
            dialog.show_problem(exc.message)
            return None
    return out


class ImplementationDialog(EditDialog):
    """When the action was started and done (blank: not yet)."""

    def __init__(self, action: Action, *, save: Saver) -> None:
        super().__init__(save)
        self.action = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Text(f"Implementation: {one_line(self.action.text, 60)}"), classes="dialog-title"
            )
            with Horizontal(classes="pair"):
                yield from _date_field("Started on", self.action.started_on, "started_on")
                yield from _date_field("Done on", self.action.done_on, "done_on")
            yield from self.foot()

    def snapshot(self) -> object:
        return tuple(self.query_one(f"#{f}", Input).value for f in ("started_on", "done_on"))

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        found = _dates(self, ("started_on", "Started on"), ("done_on", "Done on"))
        if found is not None:
            self.submit(found)


class MeasurementDialog(EditDialog):
    """One result: a value, or a numerator over a denominator (47 of 50 charts)."""

    #: What the dialog does, before the action's name.
    HEADING = "Result"

    def __init__(self, action: Action, today: dt.date, *, save: Saver) -> None:
        super().__init__(save)
        self.action = action
        self.today = today
        #: The result the fields start from (a correction starts from the wrong one).
        self.start: Measurement | None = None

    def compose(self) -> ComposeResult:
        target = one_line(self.action.measure.target, 40) or "no target written"
        m = self.start
        with Vertical(classes="dialog"):
            yield Static(
                Text(f"{self.HEADING}: {one_line(self.action.text, 50)} (target: {target})"),
                classes="dialog-title",
            )
            yield from self.above()
            with Horizontal(classes="pair"):
                yield from _date_field("Taken on *", m.taken_on if m else self.today, "taken_on")
                with Vertical():
                    yield Static(Text("Value"), classes="field-label")
                    yield SafeInput(_number(m.value if m else None), id="value", compact=True)
            with Horizontal(classes="pair"):
                with Vertical():
                    yield Static(Text("or: numerator (cases that met it)"), classes="field-label")
                    yield SafeInput(
                        _number(m.numerator if m else None), id="numerator", compact=True
                    )
                with Vertical():
                    yield Static(Text("denominator (cases looked at)"), classes="field-label")
                    yield SafeInput(
                        _number(m.denominator if m else None), id="denominator", compact=True
                    )
            yield Static(Text("Note"), classes="field-label")
            yield SafeTextArea(m.note if m else "", id="note", soft_wrap=True, tab_behavior="focus")
            yield from self.foot()

    def above(self) -> ComposeResult:
        """Fields above the result's (a correction: which result, and why)."""
        yield from ()

    def snapshot(self) -> object:
        inputs = tuple(
            self.query_one(f"#{f}", Input).value
            for f in ("taken_on", "value", "numerator", "denominator")
        )
        return (*inputs, self.query_one("#note", TextArea).text)

    @on(Button.Pressed, "#ok")
    def _ok_pressed(self) -> None:
        self.action_ok()  # the subclass's, when it checks more

    def action_ok(self) -> None:
        found = _dates(self, ("taken_on", "Taken on"))
        if found is None:
            return
        if found["taken_on"] is None:
            self.show_problem("Taken on: is required")
            return
        fields: dict[str, Any] = {
            f: self.query_one(f"#{f}", Input).value.strip() or None
            for f in ("value", "numerator", "denominator")
        }
        self.submit({**found, **fields, "note": self.query_one("#note", TextArea).text})


def _number(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def result_line(m: Measurement) -> str:
    """A result as one choice: its date, what it was, who entered it."""
    return f"{format_date(m.taken_on)}  {m.shown}  by {one_line(m.entered_by, 20)}"


class CorrectionDialog(MeasurementDialog):
    """Correct a result entered by mistake: which one (the latest first), the right values, and
    why. The wrong one is kept and shown as corrected; results are evidence."""

    HEADING = "Correct a result"

    def __init__(
        self, action: Action, results: list[Measurement], today: dt.date, *, save: Saver
    ) -> None:
        super().__init__(action, today, save=save)
        #: The results that may be corrected (not already corrected), newest first.
        self.results = results
        self.start = results[0]

    def above(self) -> ComposeResult:
        yield Static(Text("Result entered by mistake *"), classes="field-label")
        yield Select(
            [(result_line(m), m.id) for m in self.results],
            id="wrong",
            allow_blank=False,
            compact=True,
            value=self.results[0].id,
        )
        yield Static(Text("Why it is corrected *"), classes="field-label")
        yield SafeInput("", id="reason", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#reason", Input).focus()

    def snapshot(self) -> object:
        base = super().snapshot()
        assert isinstance(base, tuple)
        wrong = self.query_one("#wrong", Select).value
        return (wrong, self.query_one("#reason", Input).value, *base)

    @on(Select.Changed, "#wrong")
    def _chosen(self, event: Select.Changed) -> None:
        """The fields start from the result chosen (a correction is mostly a small change)."""
        m = next((r for r in self.results if r.id == event.value), None)
        if m is None or m is self.start:
            return
        self.start = m
        self.query_one("#taken_on", Input).value = format_date(m.taken_on)
        for name in ("value", "numerator", "denominator"):
            self.query_one(f"#{name}", Input).value = _number(getattr(m, name))
        self.query_one("#note", TextArea).text = m.note

    def action_ok(self) -> None:
        reason = self.query_one("#reason", Input).value
        if not reason.strip():
            self.show_problem("Why it is corrected: is required (kept beside the wrong result)")
            return
        super().action_ok()

    def submit(self, values: dict[str, Any]) -> None:
        wrong = self.query_one("#wrong", Select).value
        reason = self.query_one("#reason", Input).value
        super().submit({**values, "measurement_id": wrong, "reason": reason})


class VerdictDialog(EditDialog):
    """Effective, not effective or pending, with a note (required when not effective)."""

    def __init__(self, action: Action, *, save: Saver) -> None:
        super().__init__(save)
        self.action = action

    def compose(self) -> ComposeResult:
        a = self.action
        with Vertical(classes="dialog"):
            yield Static(Text(f"Verdict: {one_line(a.text, 60)}"), classes="dialog-title")
            yield Select(
                Effectiveness.choices(),
                id="effectiveness",
                allow_blank=False,
                compact=True,
                value=a.effectiveness or Effectiveness.EFFECTIVE.value,
            )
            yield Static(Text("Note: what the results showed"), classes="field-label")
            yield SafeTextArea(
                a.effectiveness_note, id="effectiveness_note", soft_wrap=True, tab_behavior="focus"
            )
            yield from self.foot()

    def snapshot(self) -> tuple[object, str]:
        return (
            self.query_one("#effectiveness", Select).value,
            self.query_one("#effectiveness_note", TextArea).text,
        )

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        verdict, note = self.snapshot()
        if verdict == Effectiveness.NOT_EFFECTIVE and not str(note).strip():
            self.show_problem("Note: say what the results showed (required when not effective)")
            return
        self.submit({"effectiveness": verdict, "effectiveness_note": note})


def verdict_text(a: Action) -> str:
    if a.closed_reason.strip():
        return "Closed"
    return label(Effectiveness, a.effectiveness, "-")


def last_result(results: list[Measurement]) -> str:
    """The latest result that stands (a corrected one is not the last result)."""
    current = [m for m in results if not m.superseded]
    return f"{current[-1].shown} {format_date(current[-1].taken_on)}" if current else "-"


class FollowupScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Follow-up"
    PALETTE_GROUP = "Follow-up"
    AUTO_FOCUS = "#followup"
    BINDINGS = [
        Binding("i", "implementation", "Done"),
        Binding("m", "measurement", "Result"),
        Binding("x", "correct", "Correct result", show=False),
        Binding("v", "verdict", "Verdict"),
        Binding("c", "close_action", "Close action", show=False),
        Binding("b", "feedback", "Tell reporter"),
        Binding("u", "undo", "Undo (not here)", show=False),
        Binding("r", "reload", "Reload", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int, action_id: int | None = None) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.focus_action = action_id
        self.dossier: Dossier | None = None
        self.actions: list[Action] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="state")
        yield DataTable(id="followup", cursor_type="row", cell_padding=0)
        with VerticalScroll(id="detail-box"):
            yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#followup", DataTable)
        for key, header, width in (
            ("action", "Action", 21),
            ("owner", "Owner", 12),
            ("due", "Due", 11),
            ("done", "Done", 11),
            ("result", "Last result", 14),
            ("verdict", "Verdict", 8),
        ):
            table.add_column(header, width=width, key=key)

    def reload(self) -> None:
        self.call(self.service.dossier, self.investigation_id, then=self._show)

    def action_reload(self) -> None:
        self.reload()

    def _show(self, dossier: Dossier) -> None:
        self.dossier = dossier
        inv = dossier.investigation
        self.title = inv.title
        self.sub_title = f"Investigation {inv.id}: follow-up"
        table = self.query_one("#followup", DataTable)
        keep = self.selected()
        wanted = self.focus_action if self.focus_action is not None else keep and keep.id
        self.focus_action = None
        self.actions = followed(dossier.actions)
        table.clear()
        for a in self.actions:
            results = of_action(dossier.measurements, a.id)
            table.add_row(
                Text(one_line(a.text, 20)),
                Text(one_line(a.owner, 11)),
                Text(format_date(a.due) if a.due else "-"),
                Text(format_date(a.done_on) if a.done_on else "-"),
                Text(one_line(last_result(results), 13)),
                Text(verdict_text(a), style="green" if a.resolved else ""),
            )
        ids = [a.id for a in self.actions]
        if wanted in ids:
            table.move_cursor(row=ids.index(wanted))
        state = Text(f"Status: {label(Status, inv.status)}", style="bold")
        if inv.status != Status.APPROVED:
            state.append(
                "  ·  follow-up is recorded while the investigation is approved", style="yellow"
            )
        told = [f for f in dossier.feedback if f.audience == FeedbackAudience.REPORTER]
        if told:
            fb = told[-1]
            how = f", {one_line(fb.method, 20)}" if fb.method else ""
            state.append(f"\nReporter told {format_date(fb.given_on) or '?'}{how}")
            state.append(f" by {one_line(fb.given_by, 20)}")
        else:
            state.append("\nReporter not told yet (b records it)", style="yellow")
        self.query_one("#state", Static).update(state)
        self._detail()

    def selected(self) -> Action | None:
        table = self.query_one("#followup", DataTable)
        if not self.actions or table.cursor_row is None or table.cursor_row >= len(self.actions):
            return None
        return self.actions[table.cursor_row]

    @on(DataTable.RowHighlighted, "#followup")
    def _highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        a = self.selected()
        box = self.query_one("#detail", Static)
        if a is None or self.dossier is None:
            box.update(Text("No actions to follow up.", style="dim"))
            return
        results = of_action(self.dossier.measurements, a.id)
        text = Text(one_line(a.text), style="bold")
        target = one_line(a.measure.target) or "none written"
        when = format_date(a.measure.date) if a.measure.date else "no date"
        text.append(f"\nMeasure: {one_line(a.measure.what, 50) or '-'}; target {target}, {when}")
        for m in results:
            line = f"{format_date(m.taken_on)}  {m.shown}  by {one_line(m.entered_by)}"
            if m.superseded:
                text.append("\n  ")
                text.append(line, style="strike dim")
                text.append(f"  corrected: {one_line(m.superseded_reason, 50)}", style="yellow")
                continue
            text.append(f"\n  {line}")
            if m.note:
                text.append(f": {one_line(m.note, 50)}")
        if not results:
            text.append("\n  No result yet (m records one)", style="dim")
        elif not all(m.superseded for m in results):
            text.append("\n  x corrects a result entered by mistake", style="dim")
        if a.effectiveness:
            said = label(Effectiveness, a.effectiveness)
            text.append(f"\nVerdict: {said} by {one_line(a.effectiveness_by)}")
            if a.effectiveness_note:
                text.append(f": {one_line(a.effectiveness_note, 60)}")
        if a.closed_reason:
            text.append(f"\nClosed by {one_line(a.closed_by)}: {one_line(a.closed_reason, 60)}")
        box.update(text)

    # --- the follow-up writes -------------------------------------------------------------
    def _stored(self, a: Action):
        return stored_in(lambda: self.service.list_actions(self.investigation_id), a.id, "action")

    def _saved(self, what: str):
        def done(result: object) -> None:
            if result is not None:  # None: cancelled
                self.notify(what, markup=False)
            self.reload()

        return done

    def action_implementation(self) -> None:
        a = self.selected()
        if a is None:
            return
        today = self.host.today()

        def store(values: dict, version: int | None) -> Action:
            return self.service.record_implementation(a.id, version, today=today, **values)

        saver = Saver(store, a.version, self._stored(a))
        self.app.push_screen(ImplementationDialog(a, save=saver), self._saved("Saved"))

    def action_measurement(self) -> None:
        a = self.selected()
        if a is None:
            return
        today = self.host.today()

        def store(values: dict, _version: int | None) -> Measurement:
            return self.service.add_measurement(a.id, today=today, **values)

        dialog = MeasurementDialog(a, today, save=Saver(store))
        self.app.push_screen(dialog, self._saved("Result recorded"))

    def action_correct(self) -> None:
        """Correct a result of the highlighted action entered by mistake (x)."""
        a = self.selected()
        if a is None or self.dossier is None:
            return
        results = [m for m in of_action(self.dossier.measurements, a.id) if not m.superseded]
        if not results:
            self.notify("No result to correct: m records one.", markup=False, severity="warning")
            return
        today = self.host.today()

        def store(values: dict, _version: int | None) -> Measurement:
            fields = dict(values)
            wrong = fields.pop("measurement_id")
            return self.service.correct_measurement(wrong, today=today, **fields)

        dialog = CorrectionDialog(a, results[::-1], today, save=Saver(store))
        self.app.push_screen(dialog, self._saved("Result corrected"))

    def action_verdict(self) -> None:
        a = self.selected()
        if a is None:
            return

        def store(values: dict, version: int | None) -> Action:
            return self.service.record_effectiveness(
                a.id, version, values["effectiveness"], values["effectiveness_note"]
            )

        saver = Saver(store, a.version, self._stored(a))
        self.app.push_screen(VerdictDialog(a, save=saver), self._saved("Verdict recorded"))

    def action_close_action(self) -> None:
        a = self.selected()
        if a is None:
            return

        def store(values: dict, version: int | None) -> Action:
            return self.service.close_action(a.id, version, values["closed_reason"])

        saver = Saver(store, a.version, self._stored(a))
        question = (
            f"Close '{one_line(a.text, 50)}' without it being verified effective: why? "
            "(reviewers only; kept in the report)"
        )
        dialog = TextDialog(question, save=saver, field="closed_reason", value=a.closed_reason)
        self.app.push_screen(dialog, self._saved("Action closed"))

    def action_undo(self) -> None:
        """Follow-up entries are not undone (undo covers cause and link edits): say so."""
        self.notify(
            "Follow-up is not undone: x corrects a result, v gives the verdict again; the audit "
            "trail keeps both.",
            markup=False,
            severity="warning",
        )

    def action_feedback(self) -> None:
        from screens.review import FeedbackDialog

        def add(values: dict, _version: int | None) -> object:
            return self.service.add_feedback(self.investigation_id, **values)

        today = self.host.today()
        dialog = FeedbackDialog(self.service.user, today, save=Saver(add))
        self.app.push_screen(dialog, self._saved("Feedback recorded"))

"""Review and sign-off: submit, leadership concurrence per action, approve or return, reopen.

The state machine and the roles live in the service (models/review.py): this screen shows where
the investigation stands, who you are, which checks still block approval, and offers only what
your role may do now. An approved investigation is read-only until reopened with a reason. The
feedback log (reporter, staff, patient/family) is kept here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Header, Input, Select, Static, TextArea

from models.domain import Action, Dossier, Feedback, Finding, Investigation
from models.errors import ValidationError
from models.review import DutiesError, approval_refusal, available, effective_role
from models.rules.checks import run_checks
from models.rules.dates import format_date, format_datetime, parse_date
from models.vocab import Concurrence, FeedbackAudience, SignOffDecision, Status
from screens.base import ServiceScreen
from screens.dialogs import ChoiceDialog, EditDialog, Saver, TextDialog, stored_in
from screens.formatting import label, one_line
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer
from screens.widgets.text_box import SafeTextArea


@dataclass(frozen=True)
class ReviewState:
    dossier: Dossier
    findings: list[Finding]
    role: str | None
    #: What makes you an author of it ("submitted it for review"), under separation of duties.
    authored: str | None = None


def count(n: int, word: str) -> str:
    """'1 check', '2 checks': a number with its noun, in the right number."""
    return f"{n} {word}{'s' * (n != 1)}"


def concurrence_line(actions: Sequence[Action]) -> Text:
    """How far leadership is: only "concur" counts as concurred; the rest is said apart."""
    decided = [a.concurrence for a in actions]
    line = Text(
        f"Leadership concurs with {decided.count(Concurrence.CONCUR)} of "
        f"{count(len(actions), 'action')}"
    )
    refused = decided.count(Concurrence.DO_NOT_CONCUR)
    if refused:
        line.append(f"; does not concur with {refused} (to revise or remove)", style="bold yellow")
    pending = decided.count(None)
    if pending:
        line.append(f"; {pending} without a decision")
    return line


def submit_question(findings: Sequence[Finding]) -> str | None:
    """What to ask before submitting with open checks (None: nothing is open, just submit)."""
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    if not findings:
        return None
    lines = [
        f"Submit for review with {count(len(errors), 'blocking error')} and "
        f"{count(len(warnings), 'warning')}?"
    ]
    if errors:
        lines.append("")
        # One line each in the 58 columns of the question dialog.
        lines += [one_line(f"! {f.code} {f.message}", 58) for f in errors[:5]]
        if len(errors) > 5:
            lines.append(f"(+{len(errors) - 5} more on the overview)")
        lines += ["", "A reviewer cannot approve it until the blocking errors are fixed."]
    return "\n".join(lines)


class FeedbackDialog(EditDialog):
    """Record that feedback was given: to whom, when, by whom."""

    def __init__(self, user: str, today: dt.date, *, save: Saver) -> None:
        super().__init__(save)
        self.user = user
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Feedback given"), classes="dialog-title")
            yield Select(FeedbackAudience.choices(), id="audience", allow_blank=False, compact=True)
            with Horizontal(classes="pair"):
                with Vertical():
                    yield Static(Text("On"), classes="field-label")
                    yield SafeInput(format_date(self.today), id="given_on", compact=True)
                with Vertical():
                    yield Static(Text("By"), classes="field-label")
                    yield SafeInput(self.user, id="given_by", compact=True)
            yield Static(Text("How (in person, by phone, by letter ...)"), classes="field-label")
            yield SafeInput("", id="method", compact=True)
            yield Static(Text("Note"), classes="field-label")
            yield SafeTextArea("", id="note", soft_wrap=True, tab_behavior="focus")
            yield from self.foot()

    def snapshot(self) -> object:
        return (self.query_one("#given_on", Input).value, self.query_one("#note", TextArea).text)

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        try:
            given_on = parse_date(self.query_one("#given_on", Input).value, "On")
        except ValidationError as exc:
            self.show_problem(exc.message)
            return
        self.submit(
            {
                "audience": self.query_one("#audience", Select).value,
                "given_on": given_on,
                "given_by": self.query_one("#given_by", Input).value,
                "method": self.query_one("#method", Input).value,
                "note": self.query_one("#note", TextArea).text,
            }
        )


class ReviewScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Review and sign-off"
    PALETTE_GROUP = "Review"
    AUTO_FOCUS = "#actions"
    BINDINGS = [
        Binding("s", "submit", "Submit for review"),
        Binding("c", "concur", "Concur"),
        Binding("n", "not_concur", "Do not concur"),
        Binding("p", "approve", "Approve"),
        Binding("t", "return", "Return"),
        Binding("o", "reopen", "Reopen"),
        Binding("z", "close", "Close (follow-up done)"),
        Binding("f", "feedback", "Feedback", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.state: ReviewState | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="status")
        yield DataTable(id="actions", cursor_type="row")
        yield Static(id="log")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Review and sign-off"

    def reload(self) -> None:
        def load(inv_id: int) -> ReviewState:
            dossier = self.service.dossier(inv_id)
            return ReviewState(
                dossier,
                run_checks(dossier, today=self.host.today()),
                self.service.role_of(self.service.login),
                self.service.duty_conflict(inv_id),
            )

        self.call(load, self.investigation_id, then=self._show)

    #: Keys that are review steps of the state machine (models/review.py STEPS).
    STEP_ACTIONS = {
        "submit": "submit",
        "approve": "approve",
        "return": "return",
        "reopen": "reopen",
        "close": "close",
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what this user's role may do now (the service refuses the rest too)."""
        if self.state is None:
            return True
        inv = self.state.dossier.investigation
        if action in self.STEP_ACTIONS:
            return self.STEP_ACTIONS[action] in available(inv.status, self.state.role)
        if action in ("concur", "not_concur"):
            return inv.status == Status.IN_REVIEW and effective_role(self.state.role) in (
                "reviewer",
                "admin",
            )
        return True

    def _show(self, state: ReviewState) -> None:
        self.state = state
        self.refresh_bindings()
        inv = state.dossier.investigation
        self.sub_title = inv.title
        errors = [f for f in state.findings if f.severity == "error"]
        text = Text()
        text.append(f"Status: {label(Status, inv.status)}", style="bold")
        text.append(f"  ·  You: {one_line(self.service.login)} ({state.role or 'investigator'})")
        if self.service.user != self.service.login:
            text.append(f", recorded as {one_line(self.service.user)}")
        text.append("\n")
        if inv.status == Status.APPROVED:
            text.append(
                "Approved: read-only. Reopen (o) with a reason to change it.\n", style="bold green"
            )
        if errors:
            verb = "blocks" if len(errors) == 1 else "block"
            text.append(f"{count(len(errors), 'check')} {verb} approval: ", style="bold red")
            text.append("; ".join(f"{f.code} {one_line(f.message, 50)}" for f in errors[:3]))
            if len(errors) > 3:
                text.append(f" (+{len(errors) - 3} more on the overview)")
            text.append("\n")
        text.append(concurrence_line(state.dossier.actions))
        self.query_one("#status", Static).update(text)

        table = self.query_one("#actions", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        room = max(40, self.size.width - 14 - 8)
        width, reason_width = room * 3 // 5, room - room * 3 // 5
        table.add_column("Action", width=width)
        table.add_column("Concurrence", width=14)
        table.add_column("Reason", width=reason_width)
        for action in state.dossier.actions:
            decision = label(Concurrence, action.concurrence, "(pending)")
            table.add_row(
                Text(one_line(action.text, width)),
                Text(
                    decision,
                    style="green" if action.concurrence == Concurrence.CONCUR else "yellow",
                ),
                Text(one_line(action.concurrence_reason, reason_width)),
            )
        if state.dossier.actions:
            table.move_cursor(row=min(cursor, len(state.dossier.actions) - 1))

        log = Text()
        for so in state.dossier.signoffs:
            log.append(
                f"{format_datetime(so.at)}  {label(SignOffDecision, so.decision)}"
                f" by {one_line(so.signed_by)}"
            )
            if so.comment:
                log.append(f": {one_line(so.comment, 80)}")
            log.append("\n")
        for fb in state.dossier.feedback:
            log.append(
                f"{format_date(fb.given_on)}  Feedback to "
                f"{label(FeedbackAudience, fb.audience)} by {one_line(fb.given_by)}"
            )
            if fb.method:
                log.append(f" ({one_line(fb.method, 30)})")
            if fb.note:
                log.append(f": {one_line(fb.note, 80)}")
            log.append("\n")
        if not log:
            log.append("No sign-off or feedback recorded yet (f records feedback).", style="dim")
        log.rstrip()
        self.query_one("#log", Static).update(log)

    # --- actions ---------------------------------------------------------------------------
    def _inv(self):
        return self.state.dossier.investigation if self.state else None

    def _done(self, _result=None) -> None:
        self.reload()

    def action_submit(self) -> None:
        """Submit; with errors or warnings open, first say how many and ask."""
        inv = self._inv()
        if inv is None or self.state is None:
            return

        def submit(choice: str | None = "submit") -> None:
            if choice == "submit":
                self.save(self.service.submit_for_review, inv.id, inv.version, then=self._done)

        question = submit_question(self.state.findings)
        if question is None:
            submit()
            return
        self.app.push_screen(
            ChoiceDialog(question, [("Go back", "back"), ("Submit anyway", "submit")]), submit
        )

    def _selected_action(self):
        if self.state is None or not self.state.dossier.actions:
            return None
        row = self.query_one("#actions", DataTable).cursor_row
        return self.state.dossier.actions[row] if row < len(self.state.dossier.actions) else None

    def _duties(self, step: str, go=None, *, then=None) -> bool:
        """Under separation of duties, an author may not `step`: say so, or (an admin) ask for
        the written reason and call `go(reason)` (in the save worker: the step itself), or,
        when the step asks for more first, `then(reason)` once the dialog closed. True when
        this took over."""
        authored = self.state.authored if self.state is not None else None
        if not authored:
            return False
        login = self.service.login
        if self.state is not None and self.state.role != "admin":
            self.host.show_error(
                DutiesError(
                    f"{login} {authored}, so someone else must {step} (separation of duties)",
                    login=login,
                    can_override=False,
                ),
                title="Someone else must do this",
            )
            return True
        question = (
            f"You ({login}) {authored}: separation of duties says someone else must {step}. "
            "As admin you may do it yourself: write why (it is audited and printed in the "
            "report)."
        )
        if then is None:
            saver = Saver(lambda values, _version: go(values["text"]))
            self.app.push_screen(TextDialog(question, save=saver))
            return True

        def reason_given(reason: str | None) -> None:
            if reason is not None:  # None: cancelled
                then(reason)

        # Nothing is stored yet: the reason goes with the step that follows.
        saver = Saver(lambda values, _version: values["text"])
        self.app.push_screen(TextDialog(question, save=saver), reason_given)
        return True

    def action_concur(self) -> None:
        action = self._selected_action()
        if action is None:
            return

        def concur(reason: str | None = None) -> Action:
            return self.service.record_concurrence(
                action.id,
                action.version,
                Concurrence.CONCUR.value,
                "",
                override_reason=reason,
            )

        if not self._duties("concur with its actions", concur):
            self.save(concur, then=self._done)

    def action_not_concur(self) -> None:
        action = self._selected_action()
        if action is None:
            return

        def ask(override: str | None = None) -> None:
            def store(values: dict, version: int | None) -> Action:
                return self.service.record_concurrence(
                    action.id,
                    version,
                    Concurrence.DO_NOT_CONCUR.value,
                    values["concurrence_reason"],
                    override_reason=override,
                )

            stored = stored_in(
                partial(self.service.list_actions, self.investigation_id), action.id, "action"
            )
            saver = Saver(store, action.version, stored)
            question = f"Why do you not concur with '{one_line(action.text, 50)}'?"
            self.app.push_screen(TextDialog(question, save=saver, field="concurrence_reason"))

        # An admin author writes why she decides herself, then why she does not concur.
        if not self._duties("decide not to concur with its actions", then=ask):
            ask()

    def _review_step(self, method, question: str, *, required: bool) -> None:
        """Ask for the comment or reason, then take one review step through the service."""
        inv = self._inv()
        if inv is None:
            return

        def store(values: dict, version: int | None) -> Investigation:
            return method(inv.id, version, values["text"])

        saver = Saver(store, inv.version, partial(self.service.get_investigation, inv.id))
        self.app.push_screen(TextDialog(question, save=saver, required=required))

    def action_approve(self) -> None:
        """Say why approval must wait before asking for a comment; the service checks again."""
        if self.state is not None:
            refusal = approval_refusal(
                self.state.dossier.actions,
                [f for f in self.state.findings if f.severity == "error"],
            )
            if refusal:
                self.host.show_error(ValidationError(refusal), title="Cannot approve yet")
                return
        inv = self._inv()
        if inv is not None and self._duties(
            "approve it",
            lambda reason: self.service.approve(inv.id, inv.version, "", override_reason=reason),
        ):
            return
        self._review_step(
            self.service.approve, "Approve: a comment for the record (optional)", required=False
        )

    def action_return(self) -> None:
        self._review_step(
            self.service.return_for_changes,
            "Return for changes: what needs to change?",
            required=True,
        )

    def action_reopen(self) -> None:
        self._review_step(
            self.service.reopen, "Reopen the approved investigation: why?", required=True
        )

    def action_close(self) -> None:
        self._review_step(
            self.service.close,
            "Close: the follow-up is done. A comment for the record (optional)",
            required=False,
        )

    def action_feedback(self) -> None:
        def add(values: dict, _version: int | None) -> Feedback:
            return self.service.add_feedback(self.investigation_id, **values)

        today = self.host.today()
        self.app.push_screen(FeedbackDialog(self.service.user, today, save=Saver(add)))

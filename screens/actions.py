"""The action plan: actions listed per root cause, each strong, owned, dated and measured.

Published plans are mostly weak (training, policy) and events recur, so this screen makes the
strong path easy: as the action is typed, a strength and hierarchy category are suggested from
its wording (the user's choice wins); the plan checks (no action, weaker only, a group as owner,
no measure or due date, overdue, measure before due) show beside the list and on the overview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from models.domain import Action, Cause, Dossier, Finding
from models.fishbone import ROOT_MARK
from models.recurrence import Recurrence
from models.rules.checks import run_checks
from models.rules.dates import format_date
from models.rules.plan_checks import (
    NO_ACTION_REASON,
    WEAK_ONLY_REASON,
    plan_summary,
    reason_asked,
)
from models.vocab import ActionStatus, CauseKind, Concurrence, MeasureKind, Strength
from screens.action_dialog import ActionDialog
from screens.base import ServiceScreen
from screens.dialogs import Saver, TextDialog, stored_in
from screens.formatting import label, one_line, visible
from screens.recurred import RECURRED_MARK, recurred_by_action, recurred_line
from screens.widgets.footer import Footer

#: Plan checks about a root cause (their subject is a cause id); the others are about an action.
CAUSE_LEVEL = ("P-NO-ACTION", "P-WEAK-ONLY")
#: Column widths of the plan table: the longest value each column shows.
STRENGTH_WIDTH = max(len("(not rated)"), *(len(s.label) for s in Strength))
STATUS_WIDTH = max(len(s.label) for s in ActionStatus)
DUE_WIDTH = len("2026-12-31")


def cause_level(code: str) -> bool:
    return code in CAUSE_LEVEL


@dataclass(frozen=True)
class PlanState:
    dossier: Dossier
    findings: list[Finding]
    #: action id -> the later investigations that recurred after it was completed.
    recurred: dict[int, list[Recurrence]] = field(default_factory=dict)

    @property
    def roots(self) -> list[Cause]:
        return [c for c in self.dossier.causes if c.kind == CauseKind.ROOT]


class ActionsScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Action plan"
    PALETTE_GROUP = "Action plan"
    AUTO_FOCUS = "#plan"
    BINDINGS = [
        Binding("a", "add", "Add action"),
        Binding("e", "edit", "Edit"),
        Binding("enter", "edit", "Edit", show=False),
        Binding("d,delete", "delete", "Delete"),
        Binding("r", "reason", "Reason"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int, action_id: int | None = None) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        #: The action asked for when opened (from the tracker): the first load puts the cursor
        #: on it, as the follow-up screen does.
        self.focus_action = action_id
        self.state: PlanState | None = None
        self.rows: list[tuple[str, int, int | None]] = []  # (kind, cause id, action id)
        self.wide = False
        self.owner_width = 0
        self.laid_out_for = 0
        #: The action just saved: the cursor goes to it once a load shows it.
        self.follow: Action | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield DataTable(id="plan", cursor_type="row")
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Action plan"

    def on_resize(self, _event: events.Resize) -> None:
        """Lay the columns out again when the width changes (a terminal window resized)."""
        if self.state is not None and self.size.width != self.laid_out_for:
            self._show(self.state)

    def reload(self) -> None:
        def load(inv_id: int) -> PlanState:
            dossier = self.service.dossier(inv_id)
            found = self.service.recurrences(inv_id)  # as the later and as the earlier one
            checks = run_checks(dossier, today=self.host.today())
            return PlanState(dossier, checks, recurred_by_action(found, inv_id))

        self.call(load, self.investigation_id, then=self._show)

    def _columns(self, table: DataTable) -> int:
        """Lay out the columns for the screen's width; the width of the action text column.

        Strength, due date and status are as wide as their longest value, so no value runs into
        the next column. Below 110 columns owner and status move to the detail panel: the
        action text needs the room.
        """
        self.laid_out_for = self.size.width
        self.wide = self.size.width >= 110
        count = 5 if self.wide else 3
        # Each column has one cell of padding on either side; two more for the scrollbar.
        room = self.size.width - 2 * count - 2
        fixed = STRENGTH_WIDTH + DUE_WIDTH + (STATUS_WIDTH if self.wide else 0)
        left = max(20, room - fixed)
        self.owner_width = min(32, max(16, left * 2 // 7)) if self.wide else 0
        width = max(20, left - self.owner_width)
        table.add_column("Root cause / action", width=width)
        table.add_column("Strength", width=STRENGTH_WIDTH)
        table.add_column("Due", width=DUE_WIDTH)
        if self.wide:
            table.add_column("Owner", width=self.owner_width)
            table.add_column("Status", width=STATUS_WIDTH)
        return width

    def _show(self, state: PlanState) -> None:
        self.state = state
        self.sub_title = state.dossier.investigation.title
        self.query_one("#summary", Static).update(Text(visible(plan_summary(state.dossier))))
        table = self.query_one("#plan", DataTable)
        before, row = self._selected(), table.cursor_row
        table.clear(columns=True)
        width = self._columns(table)
        blank = [Text("")] * (4 if self.wide else 2)
        by_cause: dict[int, list[Action]] = {}
        for action in state.dossier.actions:
            for cause_id in action.addresses or (0,):
                by_cause.setdefault(cause_id, []).append(action)
        flagged = {
            (cause_level(f.code), f.subject) for f in state.findings if f.code.startswith("P-")
        }
        self.rows = []
        for cause in state.roots:
            flag = (True, cause.id) in flagged
            mark = Text("! ", style="bold yellow") if flag else Text(f"{ROOT_MARK} ")
            table.add_row(mark + Text(one_line(cause.text, width - 2), style="bold"), *blank)
            self.rows.append(("cause", cause.id, None))
            actions = by_cause.get(cause.id, [])
            if not actions:
                why = cause.no_action_reason
                note = f"no action: {one_line(why, width - 16)}" if why else "no action yet (a)"
                table.add_row(Text("   " + note, style="dim"), *blank)
                self.rows.append(("cause", cause.id, None))
            for action in actions:
                self._action_row(table, action, cause.id, width, flagged)
        loose = by_cause.get(0, [])
        if loose:
            table.add_row(Text("Actions not tied to a root cause", style="bold"), *blank)
            self.rows.append(("none", 0, None))
            for action in loose:
                self._action_row(table, action, 0, width, flagged)
        if not state.roots and not loose:
            table.add_row(
                Text(
                    "No root causes yet: mark root causes on the fishbone or in the "
                    "five whys first.",
                    style="dim",
                ),
                *blank,
            )
            self.rows.append(("none", 0, None))
        table.move_cursor(row=self._cursor_row(state, before, row))
        self._detail()

    def _cursor_row(
        self, state: PlanState, before: tuple[str, int, int | None] | None, row: int
    ) -> int:
        """Where the cursor goes after a load: on the action just saved (wherever it moved),
        else on the action asked for when the screen was opened, else on the row that shows
        the same thing as before (not the same row number)."""
        saved = self.follow
        wanted, self.focus_action = self.focus_action, None
        for i, (kind, _cause, action_id) in enumerate(self.rows):
            if saved is not None and kind == "action" and action_id == saved.id:
                # A load that started before the save shows the action where it was: keep
                # following it until a load shows the saved version.
                shown = next(a for a in state.dossier.actions if a.id == saved.id)
                if shown.version >= saved.version:
                    self.follow = None
                return i
        for i, (kind, _cause, action_id) in enumerate(self.rows):
            if wanted is not None and kind == "action" and action_id == wanted:
                return i
        if before in self.rows:
            return self.rows.index(before)
        return min(row, max(0, len(self.rows) - 1))

    def _action_row(
        self, table: DataTable, action: Action, cause_id: int, width: int, flagged: set
    ) -> None:
        mark = "! " if (False, action.id) in flagged else "  "
        strength = Text(
            label(Strength, action.strength, "(not rated)"),
            style="bold"
            if action.strength == Strength.STRONGER
            else ("yellow" if action.strength == Strength.WEAKER else ""),
        )
        again = self.state is not None and action.id in self.state.recurred
        tag = Text(f" {RECURRED_MARK}", style="bold red") if again else Text("")
        cells = [
            Text(mark + one_line(action.text, width - 2 - len(tag))) + tag,
            strength,
            Text(format_date(action.due) or "-"),
        ]
        if self.wide:
            cells += [
                Text(one_line(action.owner, self.owner_width) or "-"),
                Text(label(ActionStatus, action.status)),
            ]
        table.add_row(*cells)
        self.rows.append(("action", cause_id, action.id))

    def _selected(self) -> tuple[str, int, int | None] | None:
        row = self.query_one("#plan", DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    @on(DataTable.RowHighlighted)
    def _detail(self) -> None:
        box = self.query_one("#detail", Static)
        sel = self._selected()
        if self.state is None or sel is None:
            box.update("")
            return
        kind, cause_id, action_id = sel
        text = Text()
        wanted = (True, cause_id) if kind == "cause" else (False, action_id)
        cause = next((c for c in self.state.roots if c.id == cause_id), None)
        if kind == "cause" and cause is not None:
            text.append(visible(cause.text) + "\n")
            field = reason_asked([a for a in self.state.dossier.actions if cause_id in a.addresses])
            said = {
                NO_ACTION_REASON: ("Why no action", cause.no_action_reason),
                WEAK_ONLY_REASON: ("Why weaker actions are enough", cause.weak_only_reason),
            }.get(field or "")
            if said and said[1].strip():
                text.append(f"{said[0]}: {visible(said[1])} (r changes it)\n", style="dim")
        if kind == "action":
            action = next(a for a in self.state.dossier.actions if a.id == action_id)
            text.append(visible(action.text) + "\n")
            text.append(
                f"Owner: {one_line(action.owner) or '(none)'}"
                f" · {label(ActionStatus, action.status)}"
                + (f" · {one_line(action.hierarchy_category)}" if action.hierarchy_category else "")
                + "\n",
                style="dim",
            )
            m = action.measure
            if not m.is_empty:
                text.append(
                    visible(
                        f"Measure ({label(MeasureKind, m.kind, 'kind?')}): {m.what}; "
                        f"{m.how}; sample {m.sample or '?'}; target {m.target or '?'}; "
                        f"on {format_date(m.date) or '?'}\n"
                    ),
                    style="dim",
                )
            for r in self.state.recurred.get(action.id, []):
                text.append(recurred_line(r) + "\n", style="bold red")
            if action.concurrence:
                text.append(
                    f"Leadership: {action.concurrence.replace('_', ' ')}"
                    f" {visible(action.concurrence_reason)}\n",
                    style="dim",
                )
        for f in self.state.findings:
            if f.code.startswith("P-") and (cause_level(f.code), f.subject) == wanted:
                text.append(
                    f"! {f.code}: {visible(f.message)}\n",
                    style="bold red" if f.severity == "error" else "yellow",
                )
        text.rstrip()
        box.update(text)

    # --- actions ---------------------------------------------------------------------------
    def _saved(self, action: Action) -> None:
        """After a save the cursor sits on the saved action, under whichever root it is now."""
        self.follow = action
        self.reload()

    def _dialog_saved(self, action: Action | None) -> None:
        if action is not None:  # None: the dialog was cancelled
            self._saved(action)

    def action_add(self) -> None:
        if self.state is None:
            return
        sel = self._selected()
        addresses = (sel[1],) if sel and sel[1] else ()

        def add(values: dict, _version: int | None) -> Action:
            fields = {k: v for k, v in values.items() if k != "text"}
            return self.service.add_action(self.investigation_id, values["text"], **fields)

        self.app.push_screen(
            ActionDialog(self.state.roots, save=Saver(add), addresses=addresses), self._dialog_saved
        )

    def _selected_action(self) -> Action | None:
        sel = self._selected()
        if self.state is None or sel is None or sel[0] != "action":
            return None
        return next(a for a in self.state.dossier.actions if a.id == sel[2])

    @on(DataTable.RowSelected, "#plan")
    def action_edit(self) -> None:
        action = self._selected_action()
        if action is None:
            self.action_reason()
            return
        assert self.state is not None

        def update(values: dict, version: int | None) -> Action:
            return self.service.update_action(action.id, version, **values)

        stored = stored_in(
            partial(self.service.list_actions, self.investigation_id), action.id, "action"
        )
        saver = Saver(update, action.version, stored)
        self.app.push_screen(
            ActionDialog(self.state.roots, save=saver, action=action), self._dialog_saved
        )

    def action_delete(self) -> None:
        action = self._selected_action()
        if action is None:
            return
        from screens.dialogs import ChoiceDialog

        def done(choice: str | None) -> None:
            if choice == "delete":
                self.save(self.service.delete_action, action.id, then=lambda _: self.reload())

        self.app.push_screen(
            ChoiceDialog(
                f"Delete the action '{one_line(action.text, 50)}'?",
                [("Delete", "delete"), ("Cancel", "cancel")],
            ),
            done,
        )

    def action_reason(self) -> None:
        """Write why a root cause has no action, or why its weaker actions are enough: the
        question that applies now (`reason_asked`, the rule the plan checks use)."""
        sel = self._selected()
        if self.state is None or sel is None or not sel[1]:
            return
        cause = next((c for c in self.state.roots if c.id == sel[1]), None)
        if cause is None:
            return
        actions = [a for a in self.state.dossier.actions if cause.id in a.addresses]
        field = reason_asked(actions)
        name = one_line(cause.text, 50)
        if field is None:
            rated = all(a.strength for a in actions if a.concurrence != Concurrence.DO_NOT_CONCUR)
            why = (
                "it has a stronger or intermediate action"
                if rated
                else "it has an action not rated yet (rate it with e)"
            )
            self.notify(
                f"Nothing to explain for '{name}': {why}. A reason is asked for only when a "
                "root cause has no action, or only weaker ones.",
                markup=False,
            )
            return
        if field == NO_ACTION_REASON:
            refused = " (leadership did not concur with its actions)" if actions else ""
            question = f"Why is no action planned for '{name}'{refused}?"
        else:
            question = f"Why are weaker actions (training, policy ...) enough for '{name}'?"

        def store(values: dict, version: int | None) -> Cause:
            return self.service.update_cause(cause.id, version, **values)

        saver = Saver(store, cause.version, partial(self.service.get_cause, cause.id))
        self.app.push_screen(
            TextDialog(
                question, save=saver, field=field, required=False, value=getattr(cause, field)
            )
        )


__all__ = ["STATUS_WIDTH", "STRENGTH_WIDTH", "ActionDialog", "ActionsScreen"]

"""The action plan: actions listed per root cause, each strong, owned, dated and measured.

Published plans are mostly weak (training, policy) and events recur, so this screen makes the
strong path easy: as the action is typed, a strength and hierarchy category are suggested from
its wording (the user's choice wins); the plan checks (no action, weaker only, a group as owner,
no measure or due date, overdue, measure before due) show beside the list and on the overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from models.domain import Action, Cause, Dossier, Finding
from models.errors import ValidationError
from models.rules.action_strength import suggest_strength
from models.rules.checks import run_checks
from models.rules.dates import format_date, parse_date
from models.rules.plan_checks import plan_summary
from models.vocab import ActionStatus, CauseKind, MeasureKind, Strength
from screens.base import ServiceScreen
from screens.dialogs import EditDialog, Saver, TextDialog, stored_in
from screens.formatting import label, one_line
from screens.intake import DateValidator

#: Plan checks about a root cause (their subject is a cause id); the others are about an action.
CAUSE_LEVEL = ("P-NO-ACTION", "P-WEAK-ONLY")


def cause_level(code: str) -> bool:
    return code in CAUSE_LEVEL


@dataclass(frozen=True)
class PlanState:
    dossier: Dossier
    findings: list[Finding]

    @property
    def roots(self) -> list[Cause]:
        return [c for c in self.dossier.causes if c.kind == CauseKind.ROOT]


class ActionDialog(EditDialog):
    """Add or edit one action; returns the service's fields (dates parsed) or None."""

    def __init__(
        self,
        roots: list[Cause],
        *,
        save: Saver,
        action: Action | None = None,
        addresses: tuple[int, ...] = (),
    ) -> None:
        super().__init__(save)
        self.roots = roots
        self.action = action
        self.addresses = action.addresses if action else addresses

    def compose(self) -> ComposeResult:
        a = self.action
        m = a.measure if a else None
        with Vertical(classes="dialog tall"):
            yield Static(Text("Edit action" if a else "Add an action"), classes="dialog-title")
            with VerticalScroll():
                yield Static(Text("Action *"), classes="field-label")
                yield TextArea(a.text if a else "", id="text", soft_wrap=True, tab_behavior="focus")
                yield Static(id="suggestion")
                with Horizontal(classes="pair"):
                    with Vertical():
                        yield Static(Text("Strength"), classes="field-label")
                        yield Select(
                            Strength.choices(),
                            id="strength",
                            prompt="(not rated)",
                            compact=True,
                            value=a.strength if a and a.strength else Select.NULL,
                        )
                    with Vertical():
                        yield Static(Text("Hierarchy category"), classes="field-label")
                        yield Input(
                            a.hierarchy_category if a else "", id="hierarchy_category", compact=True
                        )
                with Horizontal(classes="pair"):
                    with Vertical():
                        yield Static(Text("Owner (one person)"), classes="field-label")
                        yield Input(a.owner if a else "", id="owner", compact=True)
                    with Vertical():
                        yield Static(Text("Due date"), classes="field-label")
                        yield Input(
                            format_date(a.due) if a else "",
                            id="due",
                            compact=True,
                            validators=[DateValidator("Due date", with_time=False)],
                        )
                yield Static(Text("Root causes it addresses"), classes="field-label")
                yield SelectionList[int](
                    *[(one_line(c.text, 60), c.id, c.id in self.addresses) for c in self.roots],
                    id="addresses",
                )
                yield Static(Text("Measure of effectiveness"), classes="dialog-title")
                with Horizontal(classes="pair"):
                    with Vertical():
                        yield Static(Text("Process or outcome"), classes="field-label")
                        yield Select(
                            MeasureKind.choices(),
                            id="measure_kind",
                            compact=True,
                            prompt="(kind)",
                            value=m.kind if m and m.kind else Select.NULL,
                        )
                    with Vertical():
                        yield Static(Text("Measured on"), classes="field-label")
                        yield Input(
                            format_date(m.date) if m else "",
                            id="measure_date",
                            compact=True,
                            validators=[DateValidator("Measure date", with_time=False)],
                        )
                yield Static(Text("What is measured"), classes="field-label")
                yield Input(m.what if m else "", id="measure_what", compact=True)
                yield Static(Text("How"), classes="field-label")
                yield Input(m.how if m else "", id="measure_how", compact=True)
                with Horizontal(classes="pair"):
                    with Vertical():
                        yield Static(Text("Sample size"), classes="field-label")
                        yield Input(m.sample if m else "", id="measure_sample", compact=True)
                    with Vertical():
                        yield Static(Text("Target (e.g. 95%)"), classes="field-label")
                        yield Input(m.target if m else "", id="measure_target", compact=True)
                yield Static(Text("Status"), classes="field-label")
                yield Select(
                    ActionStatus.choices(),
                    id="status",
                    allow_blank=False,
                    compact=True,
                    value=a.status if a else ActionStatus.OPEN.value,
                )
            yield Static(id="problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#problem").display = False
        self._suggest()
        self.query_one("#text", TextArea).focus()

    def snapshot(self) -> object:
        return repr(self._raw())

    def _raw(self) -> dict:
        def sel(name: str):
            value = self.query_one(f"#{name}", Select).value
            return None if value is Select.NULL else value

        def inp(name: str) -> str:
            return self.query_one(f"#{name}", Input).value

        return {
            "text": self.query_one("#text", TextArea).text,
            "strength": sel("strength"),
            "hierarchy_category": inp("hierarchy_category"),
            "owner": inp("owner"),
            "due": inp("due"),
            "status": sel("status"),
            "addresses": tuple(self.query_one("#addresses", SelectionList).selected),
            "measure": {
                "kind": sel("measure_kind"),
                "what": inp("measure_what"),
                "how": inp("measure_how"),
                "sample": inp("measure_sample"),
                "target": inp("measure_target"),
                "date": inp("measure_date"),
            },
        }

    @on(TextArea.Changed, "#text")
    def _suggest(self) -> None:
        text = self.query_one("#text", TextArea).text
        box = self.query_one("#suggestion", Static)
        suggestion = suggest_strength(text) if text.strip() else None
        if suggestion is None or suggestion.strength is None:
            box.update(Text("Suggested strength appears as you type.", style="dim"))
            return
        line = Text("Suggested: ", style="dim")
        line.append(f"{label(Strength, suggestion.strength)}", style="bold")
        if suggestion.category:
            line.append(f", {suggestion.category}")
        if suggestion.matched:
            line.append(f" (from '{suggestion.matched}')", style="dim")
        line.append("  ctrl+t takes it", style="dim")
        box.update(line)

    def key_ctrl_t(self) -> None:
        text = self.query_one("#text", TextArea).text
        suggestion = suggest_strength(text) if text.strip() else None
        if suggestion is not None and suggestion.strength:
            self.query_one("#strength", Select).value = suggestion.strength
            if suggestion.category:
                self.query_one("#hierarchy_category", Input).value = suggestion.category

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        raw = self._raw()
        problems = []
        if not raw["text"].strip():
            problems.append("Say what the action is.")
        try:
            raw["due"] = parse_date(raw["due"], "Due date")
        except ValidationError as exc:
            problems.append(exc.message)
        try:
            raw["measure"]["date"] = parse_date(raw["measure"]["date"], "Measure date")
        except ValidationError as exc:
            problems.append(exc.message)
        if problems:
            box = self.query_one("#problem", Static)
            box.update(Content("\n".join(problems)))
            box.display = True
            return
        raw["addresses"] = list(raw["addresses"])
        self.submit(raw)


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

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.state: PlanState | None = None
        self.rows: list[tuple[str, int, int | None]] = []  # (kind, cause id, action id)
        self.wide = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield DataTable(id="plan", cursor_type="row")
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Action plan"

    def reload(self) -> None:
        def load(inv_id: int) -> PlanState:
            dossier = self.service.dossier(inv_id)
            return PlanState(dossier, run_checks(dossier, today=self.app.today()))

        self.call(load, self.investigation_id, then=self._show)

    def _show(self, state: PlanState) -> None:
        self.state = state
        self.sub_title = state.dossier.investigation.title
        self.query_one("#summary", Static).update(Text(plan_summary(state.dossier)))
        table = self.query_one("#plan", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        # At 80 columns owner and status move to the detail panel: the action text needs room.
        self.wide = self.size.width >= 110
        fixed = 12 + 10 + (24 + 12 if self.wide else 0)
        width = max(20, self.size.width - fixed - 2 * (4 if self.wide else 2) - 4)
        table.add_column("Root cause / action", width=width)
        table.add_column("Strength", width=12)
        table.add_column("Due", width=10)
        if self.wide:
            table.add_column("Owner", width=24)
            table.add_column("Status", width=12)
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
            mark = Text("! ", style="bold yellow") if (True, cause.id) in flagged else Text("◆ ")
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
        table.move_cursor(row=min(cursor, max(0, len(self.rows) - 1)))
        self._detail()

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
        cells = [
            Text(mark + one_line(action.text, width - 2)),
            strength,
            Text(format_date(action.due) or "-"),
        ]
        if self.wide:
            cells += [
                Text(one_line(action.owner, 24) or "-"),
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
        if kind == "action":
            action = next(a for a in self.state.dossier.actions if a.id == action_id)
            text.append(action.text + "\n")
            text.append(
                f"Owner: {action.owner or '(none)'} · {label(ActionStatus, action.status)}"
                + (f" · {action.hierarchy_category}" if action.hierarchy_category else "")
                + "\n",
                style="dim",
            )
            m = action.measure
            if not m.is_empty:
                text.append(
                    f"Measure ({label(MeasureKind, m.kind, 'kind?')}): {m.what}; "
                    f"{m.how}; sample {m.sample or '?'}; target {m.target or '?'}; "
                    f"on {format_date(m.date) or '?'}\n",
                    style="dim",
                )
            if action.concurrence:
                text.append(
                    f"Leadership: {action.concurrence.replace('_', ' ')}"
                    f" {action.concurrence_reason}\n",
                    style="dim",
                )
        for f in self.state.findings:
            if f.code.startswith("P-") and (cause_level(f.code), f.subject) == wanted:
                text.append(
                    f"! {f.code}: {f.message}\n",
                    style="bold red" if f.severity == "error" else "yellow",
                )
        text.rstrip()
        box.update(text)

    # --- actions ---------------------------------------------------------------------------
    def action_add(self) -> None:
        if self.state is None:
            return
        sel = self._selected()
        addresses = (sel[1],) if sel and sel[1] else ()

        def add(values: dict, _version: int | None) -> Action:
            fields = {k: v for k, v in values.items() if k != "text"}
            return self.service.add_action(self.investigation_id, values["text"], **fields)

        self.app.push_screen(ActionDialog(self.state.roots, save=Saver(add), addresses=addresses))

    def _selected_action(self) -> Action | None:
        sel = self._selected()
        if self.state is None or sel is None or sel[0] != "action":
            return None
        return next(a for a in self.state.dossier.actions if a.id == sel[2])

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
        self.app.push_screen(ActionDialog(self.state.roots, save=saver, action=action))

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
        sel = self._selected()
        if self.state is None or sel is None or not sel[1]:
            return
        cause = next((c for c in self.state.roots if c.id == sel[1]), None)
        if cause is None:
            return
        actions = [a for a in self.state.dossier.actions if cause.id in a.addresses]
        if actions:
            field, question = (
                "weak_only_reason",
                (f"Why are only weaker actions planned for '{one_line(cause.text, 50)}'?"),
            )
        else:
            field, question = (
                "no_action_reason",
                (f"Why is there no action for '{one_line(cause.text, 50)}'?"),
            )

        def store(values: dict, version: int | None) -> Cause:
            return self.service.update_cause(cause.id, version, **values)

        saver = Saver(store, cause.version, partial(self.service.get_cause, cause.id))
        self.app.push_screen(
            TextDialog(
                question, save=saver, field=field, required=False, value=getattr(cause, field)
            )
        )

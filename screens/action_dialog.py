"""The add/edit action dialog of the action plan (screens/actions.py): the action, who owns it,
when it is due and how it is measured, with a strength suggested from its wording as it is typed.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import (
    Button,
    Input,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from models.domain import Action, Cause
from models.errors import ValidationError
from models.rules.action_strength import suggest_strength
from models.rules.dates import format_date, parse_date
from models.vocab import ActionStatus, MeasureKind, Strength
from screens.dialogs import EditDialog, Saver
from screens.formatting import label, one_line, visible
from screens.intake import DateValidator
from screens.widgets.editors import SafeInput
from screens.widgets.root_choice import RootChoice, roots_line
from screens.widgets.text_box import SafeTextArea


class ActionDialog(EditDialog):
    """Add or edit one action; returns the service's fields (dates parsed) or None."""

    BINDINGS = [Binding("ctrl+t", "take_suggestion", "Take the suggested strength")]

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
            yield Static(roots_line(self.roots, list(self.addresses)), id="for")
            with VerticalScroll():
                yield Static(Text("Action *"), classes="field-label")
                yield SafeTextArea(
                    a.text if a else "", id="text", soft_wrap=True, tab_behavior="focus"
                )
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
                        yield SafeInput(
                            a.hierarchy_category if a else "", id="hierarchy_category", compact=True
                        )
                with Horizontal(classes="pair"):
                    with Vertical():
                        yield Static(Text("Owner (one person)"), classes="field-label")
                        yield SafeInput(a.owner if a else "", id="owner", compact=True)
                    with Vertical():
                        yield Static(Text("Due date"), classes="field-label")
                        yield SafeInput(
                            format_date(a.due) if a else "",
                            id="due",
                            compact=True,
                            validators=[DateValidator("Due date", with_time=False)],
                        )
                yield Static(
                    Text("Root causes it addresses (space ticks or unticks)"),
                    classes="field-label",
                )
                yield RootChoice(
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
                        yield SafeInput(
                            format_date(m.date) if m else "",
                            id="measure_date",
                            compact=True,
                            validators=[DateValidator("Measure date", with_time=False)],
                        )
                yield Static(Text("What is measured"), classes="field-label")
                yield SafeInput(m.what if m else "", id="measure_what", compact=True)
                yield Static(Text("How"), classes="field-label")
                yield SafeInput(m.how if m else "", id="measure_how", compact=True)
                with Horizontal(classes="pair"):
                    with Vertical():
                        yield Static(Text("Sample size"), classes="field-label")
                        yield SafeInput(m.sample if m else "", id="measure_sample", compact=True)
                    with Vertical():
                        yield Static(Text("Target (e.g. 95%)"), classes="field-label")
                        yield SafeInput(m.target if m else "", id="measure_target", compact=True)
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

    @on(SelectionList.SelectedChanged, "#addresses")
    def _for(self) -> None:
        ticked = self.query_one("#addresses", RootChoice).selected
        self.query_one("#for", Static).update(roots_line(self.roots, ticked))

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
            line.append(f", {one_line(suggestion.category)}")
        if suggestion.matched:
            line.append(f" (from '{one_line(suggestion.matched)}')", style="dim")
        line.append("  ctrl+t takes it", style="dim")
        box.update(line)

    def action_take_suggestion(self) -> None:
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
            box.update(Content(visible("\n".join(problems))))
            box.display = True
            return
        raw["addresses"] = list(raw["addresses"])
        self.submit(raw)

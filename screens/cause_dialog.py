"""The dialog that adds or edits one cause: text, kind, fishbone category, cause codes,
evidence, statement.

Cause codes (models/codes.py) are picked from a list filtered as you type, the highlighted
code's definition shown under it; a new cause on a preset bone starts with the bone's code.

Shared by the fishbone, five-whys and graph screens. The causal statement is offered pre-filled
(from the graph path) for root causes and stays editable. The screen that opens it says how to
save (a `Saver`, usually through the undo history); the dialog closes when that succeeded.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from models.codes import Code, bone_code, matching
from models.domain import Cause
from models.vocab import CauseKind
from screens.dialogs import EditDialog, Saver
from screens.formatting import one_line, visible
from screens.widgets.editors import SafeInput
from screens.widgets.text_box import SafeTextArea
from screens.widgets.ticks import TickList

KINDS = [(k.label, k.value) for k in CauseKind if k != CauseKind.EVENT]


class CauseDialog(EditDialog):
    """Saves {"text", "kind", "category", "evidence", "statement"} with its `Saver`."""

    def __init__(
        self,
        categories: list[str],
        *,
        save: Saver,
        cause: Cause | None = None,
        category: str | None = None,
        heading: str | None = None,
        suggested_statement: str = "",
        codes: Sequence[Code] = (),
        chosen: Sequence[str] = (),
    ) -> None:
        super().__init__(save)
        #: The catalogue to pick from (empty: no codes part, as for the event).
        self.code_catalogue = list(codes)
        self.chosen: set[str] = set(chosen)
        self._bone_code: str | None = None
        self.cause = cause
        self.categories = list(categories)
        self.category = cause.category if cause else category
        if self.category and self.category not in self.categories:
            self.categories.append(self.category)
        self.heading = heading or ("Edit cause" if cause else "Add a cause")
        self.suggested = suggested_statement
        if cause is None and not self.chosen and self.code_catalogue:
            self._bone_code = bone_code(self.category)
            if self._bone_code:
                self.chosen.add(self._bone_code)

    def compose(self) -> ComposeResult:
        c = self.cause
        is_event = c is not None and c.kind == CauseKind.EVENT
        with Vertical(classes="dialog"):
            yield Static(Content(visible(self.heading)), classes="dialog-title")
            yield Static(Text("What happened or what led to it *"), classes="field-label")
            yield SafeTextArea(c.text if c else "", id="text", soft_wrap=True, tab_behavior="focus")
            with Horizontal(classes="pair"):
                with Vertical():
                    yield Static(Text("Kind"), classes="field-label")
                    if is_event:
                        yield Static(Text("Event (the head of the fishbone)"), id="kind-fixed")
                    else:
                        yield Select(
                            KINDS,
                            id="kind",
                            allow_blank=False,
                            value=c.kind if c else CauseKind.CAUSE.value,
                            compact=True,
                        )
                with Vertical():
                    yield Static(Text("Fishbone category"), classes="field-label")
                    yield Select(
                        [(one_line(n), n) for n in self.categories],
                        id="category",
                        prompt="(none)",
                        compact=True,
                        value=self.category if self.category else Select.NULL,
                    )
            if self.code_catalogue and not is_event:
                yield Static(
                    Text("Cause codes (type to filter, space picks)"), classes="field-label"
                )
                yield SafeInput(placeholder="filter codes", id="code-filter", compact=True)
                yield TickList[str](*self._code_options(""), id="codes")
                yield Static(self._chosen_text(), id="codes-chosen")
                yield Static("", id="code-definition", classes="field-label")
            yield Static(Text("Evidence (interview, record, observation)"), classes="field-label")
            yield SafeTextArea(
                c.evidence if c else "", id="evidence", soft_wrap=True, tab_behavior="focus"
            )
            yield Static(
                Text(
                    "Causal statement: [cause] led to [effect], which increased the likelihood "
                    "of [event]"
                ),
                classes="field-label",
                id="statement-label",
            )
            yield SafeTextArea(
                c.statement if c else "", id="statement", soft_wrap=True, tab_behavior="focus"
            )
            yield from self.foot(
                *([Button("Suggest statement", id="suggest")] if self.suggested else [])
            )

    def _code_options(self, text: str) -> list[Selection[str]]:
        shown = [c for c in matching(self.code_catalogue, text) if not c.retired]
        shown += [c for c in self.code_catalogue if c.retired and c.key in self.chosen]
        return [Selection(self._prompt(c), c.key, c.key in self.chosen) for c in shown]

    def _prompt(self, code: Code) -> Text:
        """A code's line (the list marks a picked one `[x]`, not by colour alone)."""
        indent = "  " if code.parent else ""
        return Text(f"{indent}{code.key}  {code.label}")

    def _chosen_text(self) -> Text:
        return Text("Picked: " + (", ".join(sorted(self.chosen)) or "none"))

    @on(Input.Changed, "#code-filter")
    def _filter_codes(self, event: Input.Changed) -> None:
        listing = self.query_one("#codes", SelectionList)
        listing.clear_options()
        listing.add_options(self._code_options(event.value))
        self._define(listing.highlighted)

    @on(SelectionList.SelectionToggled, "#codes")
    def _toggled(self, event: SelectionList.SelectionToggled) -> None:
        key = event.selection.value
        if key in self.chosen:
            self.chosen.discard(key)
        else:
            self.chosen.add(key)
        self.query_one("#codes-chosen", Static).update(self._chosen_text())

    @on(SelectionList.SelectionHighlighted, "#codes")
    def _highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        self._define(event.selection_index)

    def _define(self, index: int | None) -> None:
        listing = self.query_one("#codes", SelectionList)
        text = ""
        if index is not None and 0 <= index < listing.option_count:
            key = listing.get_option_at_index(index).value
            code = next((c for c in self.code_catalogue if c.key == key), None)
            if code is not None:
                text = f"{code.label}: {code.definition}" + (" (retired)" if code.retired else "")
        self.query_one("#code-definition", Static).update(Content(visible(text)))

    @on(Select.Changed, "#category")
    def _bone_changed(self, event: Select.Changed) -> None:
        """A new cause moved to another preset bone takes that bone's code instead."""
        if self.cause is not None or not self.code_catalogue:
            return
        new = bone_code(None if event.value is Select.NULL else str(event.value))
        if self.chosen <= {self._bone_code} and new != self._bone_code:
            self.chosen = {new} if new else set()
            self._bone_code = new
            listing = self.query_one("#codes", SelectionList)
            listing.clear_options()
            listing.add_options(self._code_options(self.query_one("#code-filter", Input).value))
            self.query_one("#codes-chosen", Static).update(self._chosen_text())

    def snapshot(self) -> object:
        return tuple(sorted(self.values().items()))

    def values(self) -> dict:
        kind_widgets = self.query("#kind")
        kind = kind_widgets.first(Select).value if kind_widgets else CauseKind.EVENT.value
        category = self.query_one("#category", Select).value
        return {
            "text": self.query_one("#text", TextArea).text,
            "kind": kind,
            "category": None if category is Select.NULL else category,
            "evidence": self.query_one("#evidence", TextArea).text,
            "statement": self.query_one("#statement", TextArea).text,
            **({"codes": tuple(sorted(self.chosen))} if self.query("#codes") else {}),
        }

    def on_mount(self) -> None:
        super().on_mount()
        self._show_statement()
        self.query_one("#text", TextArea).focus(scroll_visible=False)

    @on(Select.Changed, "#kind")
    def _show_statement(self) -> None:
        kind = self.values()["kind"]
        has_text = bool(self.cause and self.cause.statement)
        show = kind == CauseKind.ROOT or has_text
        self.query_one("#statement").display = show
        self.query_one("#statement-label").display = show

    @on(Button.Pressed, "#suggest")
    def _suggest(self) -> None:
        self.query_one("#statement").display = True
        self.query_one("#statement-label").display = True
        self.query_one("#statement", TextArea).text = self.suggested

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        values = self.values()
        if not values["text"].strip():
            self.show_problem("Say what the cause is: the text is required.")
            return
        self.submit(values)

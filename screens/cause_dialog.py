"""The dialog that adds or edits one cause: text, kind, fishbone category, evidence, statement.

Shared by the fishbone, five-whys and graph screens. The causal statement is offered pre-filled
(from the graph path) for root causes and stays editable. The screen that opens it says how to
save (a `Saver`, usually through the undo history); the dialog closes when that succeeded.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Select, Static, TextArea

from models.domain import Cause
from models.vocab import CauseKind
from screens.dialogs import EditDialog, Saver
from screens.formatting import one_line, visible
from screens.widgets.editors import SafeTextArea

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
    ) -> None:
        super().__init__(save)
        self.cause = cause
        self.categories = list(categories)
        self.category = cause.category if cause else category
        if self.category and self.category not in self.categories:
            self.categories.append(self.category)
        self.heading = heading or ("Edit cause" if cause else "Add a cause")
        self.suggested = suggested_statement

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

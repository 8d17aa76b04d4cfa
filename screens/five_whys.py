"""Five whys: ask "why did this happen?" about one statement at a time, down to a root cause.

Each answer becomes a cause linked to the current one (it led to it), in the same graph the
fishbone draws. Enter adds the answer and asks why again about it; ctrl+n adds it and stays on
the same question, for a second answer (the chain branches). The breadcrumb shows the path from
the event to the current cause. Stopping is allowed at any depth, but a chain shorter than
three whys, or one that stops on a human error or a procedure deviation, is warned about
(rules 3 and 4). A circle of links (written outside the app) is named, not followed. Earlier
investigations like this one are named on a line (ctrl+o lists them) or, on a wide screen, in a
panel beside the answers (screens/similar_aside.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static

from models.domain import Cause
from models.fishbone import CONTRIBUTING_MARK, ROOT_MARK
from models.graph import CauseGraph
from models.rules.causation import check_text
from models.rules.graph_checks import describe_cycle
from models.vocab import CauseKind
from screens.base import ServiceScreen, UndoActions
from screens.formatting import one_line, visible
from screens.similar_aside import SimilarAside, SimilarLine, SimilarPanel
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer

#: RCA2: a chain that stops before this many whys has rarely reached a system cause.
MIN_DEPTH = 3
KIND_MARK = {
    "root": f"{ROOT_MARK} root",
    "contributing": f"{CONTRIBUTING_MARK} contributing",
    "event": "event",
    "cause": "",
}
#: In the Kind column of an answer whose link closes a circle (see `CauseGraph.cycles`).
CIRCLE_MARK = "⟳ circle"


@dataclass(frozen=True)
class WhyState:
    title: str
    causes: dict[int, Cause]
    graph: CauseGraph
    categories: list[str]


class FiveWhysScreen(UndoActions, SimilarAside, ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Five whys"
    PALETTE_GROUP = "Five whys"
    AUTO_FOCUS = "#answer"
    SIMILAR_KEY = "ctrl+o"  # letters go to the answer field
    BINDINGS = [
        Binding("ctrl+n", "another", "Add, same why"),
        Binding("ctrl+up,alt+up", "up", "Up the chain", show=False),
        Binding("ctrl+down,alt+down", "down", "Into answer", show=False),
        Binding("ctrl+r", "root", "Stop: root cause"),
        Binding("ctrl+o", "similar", "Similar past investigations", show=False),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int, start: int | None = None) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.current: int | None = start
        self.state: WhyState | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="crumbs")
        yield Static(id="question")
        yield Static(
            Text("Because… (each answer is a cause of the statement above)"), classes="field-label"
        )
        with Horizontal(id="answer-row"):
            yield SafeInput(id="answer", placeholder="Answer: Enter asks why, ctrl+n adds another")
            yield Select([], id="category", prompt="(category)", compact=True)
        with Horizontal(id="analysis"):
            yield DataTable(id="answers", cursor_type="row", show_header=False)
            yield SimilarPanel(id="similar-panel")
        yield SimilarLine(id="similar-line")
        yield Static(id="warnings")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Five whys"
        table = self.query_one("#answers", DataTable)
        table.add_column("Answer", key="text")
        table.add_column("Kind", width=15, key="kind")

    # --- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        def load(inv_id: int) -> WhyState:
            view = self.service.cause_view(inv_id)  # one snapshot: causes and graph agree
            causes = {c.id: c for c in view.causes}
            return WhyState(view.investigation.title, causes, view.graph, list(view.categories))

        self.call(load, self.investigation_id, then=self._show)
        self.load_similar()

    def _show(self, state: WhyState) -> None:
        self.state = state
        self.sub_title = state.title
        if self.current not in state.causes:
            self.current = state.graph.event()
        if self.current is None:
            self.query_one("#question", Static).update(
                Text(
                    "This investigation has no event yet: add it on the fishbone (the head) first."
                )
            )
            return
        cause = state.causes[self.current]
        path = self._path_to_event(self.current)
        crumbs = Text()
        for i, node in enumerate(reversed(path)):
            if i:
                crumbs.append(" › ", style="dim")
            crumbs.append(
                one_line(state.causes[node].text, 28), style="bold" if node == self.current else ""
            )
        self.query_one("#crumbs", Static).update(crumbs)

        depth = len(path) - 1
        question = Text()
        question.append(
            f"Why {depth + 1}: " if cause.kind != CauseKind.EVENT else "The event: ", style="bold"
        )
        question.append("Why did this happen?\n", style="bold")
        question.append(visible(cause.text))
        mark = KIND_MARK.get(cause.kind, "")
        if mark or cause.category:
            question.append(
                f"\n[{' · '.join(x for x in (mark, one_line(cause.category or '')) if x)}]",
                style="dim",
            )
        self.query_one("#question", Static).update(question)

        select = self.query_one("#category", Select)
        select.set_options([(one_line(n), n) for n in state.categories])
        if cause.category in state.categories:
            select.value = cause.category  # a new answer defaults to its parent's bone

        table = self.query_one("#answers", DataTable)
        table.clear()
        circle = state.graph.circle_links()
        for child in state.graph.causes_of(self.current):
            c = state.causes[child]
            mark = CIRCLE_MARK if (child, self.current) in circle else KIND_MARK.get(c.kind, "")
            table.add_row(Text(one_line(c.text)), Text(mark), key=str(child))
        if not table.row_count:
            table.add_row(Text("No answers yet.", style="dim"), Text(""), key="none")
        self._warn(depth, cause)

    def _path_to_event(self, cause_id: int) -> list[int]:
        assert self.state is not None
        paths = self.state.graph.paths_to_event(cause_id, limit=1)
        return paths[0] if paths else [cause_id]

    def _warn(self, depth: int, cause: Cause) -> None:
        assert self.state is not None
        lines = Text()
        origin = not self.state.graph.causes_of(cause.id)
        if cause.kind == CauseKind.ROOT and depth < MIN_DEPTH:
            lines.append(
                f"! This chain stops after {depth} why{'s' * (depth != 1)}: ask why "
                f"at least {MIN_DEPTH} times before calling it a root cause.\n",
                style="yellow",
            )
        if cause.kind != CauseKind.EVENT:
            for hit in check_text(
                cause.text, origin=origin, duty_context=cause.statement + " " + cause.evidence
            ):
                if hit.rule in ("R3", "R4", "R5"):
                    lines.append(
                        visible(f"! {hit.rule}: this {hit.message}. {hit.suggestion}.\n"),
                        style="yellow",
                    )
        if self.state.graph.paths_to_event(cause.id, limit=1) == [] and cause.kind != "event":
            lines.append("! This cause has no path to the event.\n", style="yellow")
        texts = {c.id: c.text for c in self.state.causes.values()}
        for cycle in self.state.graph.cycles():
            if cause.id in cycle:
                lines.append(
                    f"! In a circle: {visible(describe_cycle(cycle, texts, 22, arrows=True))}. "
                    "Unlink one of its links on the cause graph (x) to break it.\n",
                    style="bold red",
                )
        lines.rstrip()
        self.query_one("#warnings", Static).update(lines)

    # --- actions ---------------------------------------------------------------------------
    @on(Input.Submitted, "#answer")
    def _answer(self, event: Input.Submitted) -> None:
        self._add(descend=True)

    def action_another(self) -> None:
        """Add the typed answer to the same question and stay on it, for one more answer."""
        if not self.query_one("#answer", Input).value.strip():
            self.notify("Type the answer first; ctrl+n adds it and asks for another.", markup=False)
            return
        self._add(descend=False)

    def _add(self, *, descend: bool) -> None:
        text = self.query_one("#answer", Input).value.strip()
        if not text or self.current is None:
            return
        category = self.query_one("#category", Select).value
        history = self.host.history
        self.save(
            history.add_cause,
            self.investigation_id,
            text,
            effect_id=self.current,
            category=None if category is Select.NULL else category,
            then=lambda cause: self._added(cause, text, descend),
        )

    def _added(self, cause: Cause, sent: str, descend: bool) -> None:
        answer = self.query_one("#answer", Input)
        if answer.value.strip() == sent:  # what was typed while it saved is kept
            answer.value = ""
        answer.focus()
        if descend:
            self.current = cause.id  # ask why again, about the new answer
        self.reload()

    def action_up(self) -> None:
        if self.state is None or self.current is None:
            return
        effects = self._path_to_event(self.current)
        if len(effects) > 1:
            self.current = effects[1]
            self._show(self.state)

    def action_down(self) -> None:
        table = self.query_one("#answers", DataTable)
        if self.state is None or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key and key != "none":
            self.current = int(key)
            self._show(self.state)

    @on(DataTable.RowSelected, "#answers")
    def _into(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_down()

    def action_root(self) -> None:
        if self.state is None or self.current is None:
            return
        cause = self.state.causes[self.current]
        if cause.kind == CauseKind.EVENT:
            return
        history = self.host.history
        kind = CauseKind.CAUSE if cause.kind == CauseKind.ROOT else CauseKind.ROOT
        self.save(
            history.update_cause,
            cause.id,
            cause.version,
            kind=kind.value,
            then=lambda _: self.reload(),
        )
        # A second quick press toggles back from this kind, before the reload shows it.
        self.state.causes[cause.id] = cause.replace(kind=kind.value)

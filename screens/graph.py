"""The whole causal graph as a tree, from the event back to the root causes.

A cause that led to several effects is drawn in full under the first and as a marked reference
under the others (the data holds it once). Causes with no path to the event are listed apart.
Link and unlink here; a link that would close a circle is refused with the circle named. A
circle written into the database by another program is named above the tree and its closing
link is drawn as a marked leaf, not followed, so `x` on that leaf breaks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Header, Input, OptionList, Static, Tree
from textual.widgets.option_list import Option

from models.domain import Cause
from models.fishbone import CONTRIBUTING_MARK, ROOT_MARK
from models.graph import CauseGraph
from models.rules.graph_checks import describe_cycle
from models.vocab import CauseKind
from screens.base import ServiceScreen, UndoActions
from screens.formatting import one_line, visible
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer

MARK = {
    "root": f"{ROOT_MARK} ",
    "contributing": f"{CONTRIBUTING_MARK} ",
    "event": "▶ ",
    "cause": "",
}


@dataclass(frozen=True)
class GraphState:
    title: str
    causes: dict[int, Cause]
    graph: CauseGraph


def label_for(cause: Cause, *, width: int = 70, shared: bool = False, circle: bool = False) -> Text:
    """A cause's line in the tree. The marks of a reference come first, where a narrow
    terminal still shows them: "⟳" a link that closes a circle, "↺" a cause drawn elsewhere."""
    text = Text()
    if circle:
        text.append("⟳ ", style="bold red")
    elif shared:
        text.append("↺ ", style="dim")
    text.append(MARK.get(cause.kind, ""), style="bold" if cause.kind == "root" else "")
    text.append(one_line(cause.text, width))
    if circle:
        text.append("  closes a circle: x unlinks it", style="bold red")
    elif shared:
        text.append("  also leads elsewhere (drawn in full once)", style="dim")
    return text


class CausePicker(ModalScreen[int | None]):
    """Choose a cause from a list filtered as you type (for "link to…")."""

    CSS_PATH = Path(__file__).with_name("dialog.tcss")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[Cause]) -> None:
        super().__init__()
        self.heading = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(visible(self.heading)), classes="dialog-title")
            yield SafeInput(placeholder="type to filter", id="filter")
            yield OptionList(id="options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#filter", Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        words = query.casefold().split()
        for c in self.choices:
            if all(w in c.text.casefold() for w in words):
                options.add_option(Option(label_for(c, width=60), id=str(c.id)))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _submit(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(int(options.get_option_at_index(options.highlighted).id or 0))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def on_key(self, event) -> None:
        if event.key in ("down", "up") and self.focused is self.query_one("#filter"):
            options = self.query_one(OptionList)
            event.stop()
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class GraphScreen(UndoActions, ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Cause graph"
    PALETTE_GROUP = "Graph"
    AUTO_FOCUS = "#tree"
    BINDINGS = [
        Binding("l", "link", "Link to…"),
        Binding("x", "unlink", "Unlink"),
        Binding("w", "why", "Five whys"),
        Binding("ctrl+z,u", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.state: GraphState | None = None
        self._keep: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="counts")
        tree: Tree[int | None] = Tree(Text("Causal graph"), id="tree")
        tree.show_root = False
        yield tree
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Cause graph"

    def reload(self) -> None:
        def load(inv_id: int) -> GraphState:
            view = self.service.cause_view(inv_id)  # one snapshot: causes and graph agree
            return GraphState(view.investigation.title, {c.id: c for c in view.causes}, view.graph)

        self.call(load, self.investigation_id, then=self._show)

    # --- drawing ---------------------------------------------------------------------------
    def _show(self, state: GraphState) -> None:
        self.state = state
        self.sub_title = state.title
        g = state.graph
        roots = g.root_causes()
        contributing = sum(1 for c in state.causes.values() if c.kind == CauseKind.CONTRIBUTING)
        causes = sum(1 for c in state.causes.values() if c.kind != CauseKind.EVENT)
        loose = g.disconnected()
        counts = Text()
        counts.append(
            f"{causes} causes · {len(roots)} root causes · {contributing} contributing"
            f" · longest chain {g.longest_chain()}"
        )
        if loose:
            counts.append(f" · {len(loose)} not linked to the event", style="bold yellow")
        texts = {c.id: c.text for c in state.causes.values()}
        for cycle in g.cycles():
            counts.append(
                f"\n! Circle, not drawn: {visible(describe_cycle(cycle, texts, 22, arrows=True))}."
                " x on its ⟳ link breaks it.",
                style="bold red",
            )
        self.query_one("#counts", Static).update(counts)

        tree = self.query_one("#tree", Tree)
        cursor = self._keep if self._keep is not None else self._current()
        tree.clear()
        drawn: set[int] = set()
        circle = g.circle_links()
        event = g.event()
        if event is None:
            tree.root.add_leaf(Text("No event yet: add it on the fishbone first.", style="dim"))
        else:
            node = tree.root.add(label_for(state.causes[event]), data=event, expand=True)
            self._grow(node, event, drawn, circle)
        if loose:
            branch = tree.root.add(
                Text("Not linked to the event", style="bold yellow"), data=None, expand=True
            )
            # Where each loose chain ends first; then any left over, which can only be causes
            # on a circle (each of them leads to another loose cause).
            ends = [c for c in loose if not any(e in loose for e in g.effects_of(c))]
            for cause_id in [*ends, *loose]:
                if cause_id not in drawn:
                    leaf = branch.add(label_for(state.causes[cause_id]), data=cause_id, expand=True)
                    self._grow(leaf, cause_id, drawn, circle)
        tree.root.expand()
        self._keep = None
        self._move_to(cursor if cursor is not None else event)
        self._detail()

    def _grow(self, node, cause_id: int, drawn: set[int], circle: set[tuple[int, int]]) -> None:
        """Add the causes of `cause_id` under `node`, depth first, in id order; a cause drawn
        already is a reference, and a link that closes a circle a marked leaf."""
        assert self.state is not None
        graph = self.state.graph
        drawn.add(cause_id)
        stack = [(node, cause_id)]
        while stack:
            parent, current = stack.pop()
            grown = []
            for child in graph.causes_of(current):
                cause = self.state.causes[child]
                if child in drawn:
                    ring = (child, current) in circle
                    parent.add_leaf(label_for(cause, shared=True, circle=ring), data=child)
                    continue
                drawn.add(child)
                if graph.causes_of(child):
                    sub = parent.add(label_for(cause), data=child, expand=True)
                    grown.append((sub, child))
                else:
                    parent.add_leaf(label_for(cause), data=child)
            stack.extend(reversed(grown))  # the first child's causes are placed first

    def _current(self) -> int | None:
        tree = self.query_one("#tree", Tree)
        node = tree.cursor_node
        return node.data if node is not None else None

    def _move_to(self, cause_id: int | None) -> None:
        if cause_id is None:
            return
        tree = self.query_one("#tree", Tree)
        for line in range(tree.last_line + 1):
            node = tree.get_node_at_line(line)
            if node is not None and node.data == cause_id:
                tree.move_cursor(node)
                return

    @on(Tree.NodeHighlighted)
    def _detail(self) -> None:
        detail = self.query_one("#detail", Static)
        cause_id = self._current()
        if self.state is None or cause_id is None or cause_id not in self.state.causes:
            detail.update("")
            return
        cause = self.state.causes[cause_id]
        g = self.state.graph
        text = Text()
        text.append(visible(cause.text) + "\n")
        kind = cause.kind.replace("contributing", "contributing factor")
        text.append(f"{kind} · {one_line(cause.category or '') or 'no category'}", style="dim")
        effects = g.effects_of(cause_id)
        if effects:
            names = "; ".join(one_line(self.state.causes[e].text, 30) for e in effects)
            text.append(f" · led to: {names}", style="dim")
        detail.update(text)

    # --- actions ---------------------------------------------------------------------------
    def _parent_of_cursor(self) -> int | None:
        node = self.query_one("#tree", Tree).cursor_node
        if node is None or node.parent is None:
            return None
        return node.parent.data

    def action_link(self) -> None:
        cause_id = self._current()
        if self.state is None or cause_id is None:
            return
        cause = self.state.causes[cause_id]
        choices = [
            c
            for c in self.state.causes.values()
            if c.id != cause_id and not self.state.graph.has_edge(cause_id, c.id)
        ]

        def chosen(effect_id: int | None) -> None:
            if effect_id:
                self._keep = cause_id
                self.save(
                    self.host.history.link,
                    cause_id,
                    effect_id,
                    then=lambda _: self.reload(),
                )

        self.app.push_screen(CausePicker(f"'{one_line(cause.text, 40)}' led to…", choices), chosen)

    def action_unlink(self) -> None:
        cause_id = self._current()
        effect_id = self._parent_of_cursor()
        if cause_id is None or effect_id is None:
            self.notify(
                "Put the cursor on a cause under the effect it should be unlinked from.",
                markup=False,
            )
            return
        self._keep = cause_id
        self.save(
            self.host.history.unlink,
            cause_id,
            effect_id,
            then=lambda _: self.reload(),
        )

    def action_why(self) -> None:
        from screens.five_whys import FiveWhysScreen

        self.app.push_screen(FiveWhysScreen(self.investigation_id, self._current()))

"""Fishbone: brainstorm causes by category on a drawing of the diagram (or an outline).

The event is the head; each category of the investigation's set is a bone. Causes are added on
a bone, sub-causes ("why?") under a cause, and every edit goes through the session's undo
history into the one cause graph that the five-whys and graph screens show too. The full text,
kind, evidence and rule findings of the cause under the cursor show below the drawing; earlier
investigations like this one are named on a line above it (`p` lists them) or, on a wide screen,
in a panel beside it (screens/similar_aside.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Header, Static, Tree
from textual.widgets.tree import TreeNode

from models.codes import Code
from models.domain import Cause, Investigation, Link
from models.fishbone import REF_MARK, UNLINKED_MARK, bone_trees, kind_mark
from models.graph import CauseGraph
from models.rules.causation import cause_findings, suggest_statement
from models.rules.graph_checks import describe_cycle
from models.undo import Replayed
from models.vocab import CauseKind
from screens.base import ServiceScreen, UndoActions
from screens.categories_dialog import CategoriesDialog, detect_renames
from screens.cause_dialog import CauseDialog
from screens.dialogs import ChoiceDialog, Saver
from screens.formatting import one_line, visible
from screens.similar_aside import SimilarAside, SimilarLine, SimilarPanel
from screens.widgets.fishbone import FishboneView
from screens.widgets.footer import Footer

NEXT_KIND = {
    CauseKind.CAUSE: CauseKind.CONTRIBUTING,
    CauseKind.CONTRIBUTING: CauseKind.ROOT,
    CauseKind.ROOT: CauseKind.CAUSE,
}


@dataclass(frozen=True)
class FishboneData:
    investigation: Investigation
    causes: dict[int, Cause]
    links: list[Link]
    categories: list[str]
    graph: CauseGraph
    #: cause id -> its cause codes, and the catalogue the cause dialog picks from.
    codes: dict[int, tuple[str, ...]] = field(default_factory=dict)
    catalogue: list[Code] = field(default_factory=list)

    @property
    def event(self) -> Cause | None:
        event_id = self.graph.event()
        return self.causes.get(event_id) if event_id is not None else None


class FishboneScreen(UndoActions, SimilarAside, ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Fishbone"
    PALETTE_GROUP = "Fishbone"
    AUTO_FOCUS = "#drawing"
    #: Coming back from one of its own dialogs must not re-read everything (see on_screen_resume).
    RELOAD_ON_RESUME = False
    BINDINGS = [
        Binding("a", "add", "Add cause"),
        Binding("s", "add_sub", "Add why"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete", show=False),
        Binding("k", "kind", "Kind", show=False),
        Binding("w", "why", "Five whys", show=False),
        Binding("o", "outline", "Outline", show=False),
        Binding("h", "head", "Event (head)", show=False),
        Binding("c", "categories", "Categories", show=False),
        Binding("m", "move", "Move to bone", show=False),
        Binding("g", "graph", "Graph", show=False),
        Binding("p,ctrl+o", "similar", "Similar past investigations", show=False),
        Binding("ctrl+z,u", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.data: FishboneData | None = None
        self.outline = False
        self._follow: int | None = None
        self._drawn_at = -1  # the history's change count when the data was read
        self._stale = False  # a screen above this one may have changed the graph
        self._reading = 0  # reads started by reload() whose data is not shown yet
        self._cycles: list[list[int]] = []  # the circles of links in what is drawn

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="circles")
        with Horizontal(id="analysis"):
            with Vertical(id="main"):
                yield FishboneView(id="drawing")
                outline: Tree[int | str | None] = Tree(Text("Fishbone"), id="outline")
                outline.show_root = False
                yield outline
            yield SimilarPanel(id="similar-panel")
        yield SimilarLine(id="similar-line")
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Fishbone"
        self.query_one("#outline").display = False
        self.query_one("#circles").display = False

    # --- data ------------------------------------------------------------------------------
    def on_screen_suspend(self) -> None:
        # A dialog of this screen reports its own edit; a screen (five whys, graph) may change
        # anything, and the drawing must show it on return, outline or not.
        if not isinstance(self.app.screen, ModalScreen):
            self._stale = True

    def on_screen_resume(self) -> None:
        # Read again when a screen above changed the graph (five whys, graph, undo), not after
        # each of its own dialogs (that would re-read 2,000 causes to add one).
        if self._stale or self.host.history.changes != self._drawn_at:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self._drawn_at = self.host.history.changes

        def load(inv_id: int) -> FishboneData:
            view = self.service.cause_view(inv_id)  # one snapshot: causes and graph agree
            return FishboneData(
                view.investigation,
                {c.id: c for c in view.causes},
                list(view.links),
                list(view.categories),
                view.graph,
                self.service.cause_codes(inv_id),
                self.service.list_codes(),
            )

        self._reading += 1
        self.call(load, self.investigation_id, then=self._read)
        self.load_similar()

    def _read(self, data: FishboneData) -> None:
        self._reading -= 1
        self._show(data)

    def _drawn_just_before(self) -> bool:
        """Whether the drawing shows the graph as it was right before the newest change: so
        that change alone can be drawn from what the service returned (no read under way)."""
        return (
            self.data is not None
            and not self._reading
            and self._drawn_at == self.host.history.changes - 1
        )

    def _show(
        self, data: FishboneData, *, same_links: bool = False, one: Cause | None = None
    ) -> None:
        """Draw `data`; `same_links`: only causes' fields changed since the last drawing;
        `one`: only this cause's (its label alone is drawn again when it can be)."""
        if self.host.history.changes != self._drawn_at:
            # An edit was recorded while this was read (one still saving when its screen
            # closed, say): what was read may miss it.
            self.reload()
        self.data = data
        self.sub_title = data.investigation.title
        event = data.event
        view = self.query_one(FishboneView)
        if one is None or not view.update_cause(one):
            view.set_data(
                event.text if event else "", data.categories, list(data.causes.values()), data.links
            )
        if self._follow is not None:
            view.select_cause(self._follow)
        if self.outline:
            self._fill_outline()
        self._follow = None
        self._circles(same_links)
        self._detail(self.current())

    def _circles(self, same_links: bool = False) -> None:
        """Name each circle of links (written outside the app): the drawing leaves it out."""
        box = self.query_one("#circles", Static)
        data = self.data
        if not same_links:  # the circles are found again only when the links may differ
            self._cycles = data.graph.cycles() if data is not None else []
        cycles = self._cycles
        box.display = bool(cycles)
        if not cycles:
            return
        assert data is not None
        texts = {c.id: c.text for c in data.causes.values()}
        text = Text()
        for cycle in cycles:
            text.append(
                f"! Circle, not drawn: {visible(describe_cycle(cycle, texts, 22, arrows=True))}\n"
            )
        text.append("Break it on the cause graph: g, then x on the link marked ⟳.")
        box.update(text)

    def current(self) -> Cause | None:
        if self.data is None:
            return None
        if self.outline:
            node = self.query_one("#outline", Tree).cursor_node
            cause_id = node.data if node is not None else None
        else:
            cause_id = self.query_one(FishboneView).cursor_cause
        return self.data.causes.get(cause_id) if isinstance(cause_id, int) else None

    def current_bone(self) -> str | None:
        """The category of the bone under the cursor: a bone's name, or the bone a cause is
        drawn on (a sub-cause counts for its bone)."""
        if self.data is None:
            return None
        if self.outline:
            node = self.query_one("#outline", Tree).cursor_node
            while node is not None and not isinstance(node.data, str):
                node = node.parent
            return node.data if node is not None else None
        bone = self.query_one(FishboneView).cursor_bone
        if bone is None or bone.uncategorised:
            cause = self.current()
            return cause.category if cause is not None and cause.category else None
        return bone.name

    # --- the detail panel ------------------------------------------------------------------
    @on(FishboneView.CauseHighlighted)
    def _highlighted(self, event: FishboneView.CauseHighlighted) -> None:
        self._detail(self.current())

    @on(Tree.NodeHighlighted, "#outline")
    def _outline_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._detail(self.current())

    def _detail(self, cause: Cause | None) -> None:
        box = self.query_one("#detail", Static)
        if self.data is None:
            return
        if self.data.event is None:
            box.update(
                Text(
                    "No event yet: press h to write the event (the head of the fishbone).",
                    style="bold yellow",
                ),
                layout=False,
            )
            return
        if cause is None:
            bone = self.current_bone()
            where = f"on '{one_line(bone)}'" if bone else "on a bone"
            box.update(
                Text(f"Press a to add a cause {where}, h to edit the event.", style="dim"),
                layout=False,
            )
            return
        text = Text()
        text.append(visible(cause.text) + "\n")
        known = CauseKind.from_value(cause.kind)
        kind = known.label if known is not None else ""
        text.append(f"{kind} · {one_line(cause.category or '') or 'no category'}", style="dim")
        if cause.evidence:
            text.append(f" · evidence: {one_line(cause.evidence, 60)}", style="dim")
        if cause.kind != CauseKind.EVENT:
            if cause.statement:
                text.append("\nStatement: ", style="bold")
                text.append(one_line(cause.statement, 200))
            # The five rules, on the cause's text and on its causal statement.
            texts = {c.id: c.text for c in self.data.causes.values()}
            for finding in cause_findings(cause, self.data.graph, texts):
                text.append(f"\n! {finding.code}: {one_line(finding.message, 160)}", style="yellow")
        # The panel's height is fixed (fishbone.tcss): no layout, which would repaint the
        # drawing's scrollbar on every cursor move.
        box.update(text, layout=False)

    # --- outline ---------------------------------------------------------------------------
    def action_outline(self) -> None:
        """Switch between the drawing and the outline, on the same cause."""
        view = self.query_one(FishboneView)
        outline = self.query_one("#outline", Tree)
        cause = self.current()
        self.outline = not self.outline
        view.display = not self.outline
        outline.display = self.outline
        if self.outline:
            self._follow = cause.id if cause is not None else None
            self._fill_outline()
            self._follow = None
            outline.focus()
        else:
            node = outline.cursor_node
            if node is not None and isinstance(node.data, int):
                view.select_cause(node.data)
            view.focus()
        self._detail(self.current())

    def _fill_outline(self) -> None:
        """The same bones and trees as the drawing (`models.fishbone.bone_trees`), as a
        Tree; the cursor stays on its cause, or goes to the one just added."""
        data = self.data
        tree: Tree[int | str | None] = self.query_one("#outline", Tree)
        node = tree.cursor_node
        keep = self._follow if self._follow is not None else (node.data if node else None)
        tree.clear()
        if data is None:
            return
        trees = bone_trees(data.categories, data.causes.values(), data.links)
        found: TreeNode | None = None
        for i, (name, items) in enumerate(zip(trees.names, trees.items, strict=True)):
            bone = tree.root.add(
                Text(f"{one_line(name)} ({trees.tops(i)})", style="bold"),
                data=name if trees.is_own(i) else None,
                expand=True,
                allow_expand=bool(items),
            )
            if keep == name:
                found = bone
            parents: list[TreeNode] = [bone]
            for n, (cid, depth, _later, ref) in enumerate(items):
                del parents[depth + 1 :]
                label = self._outline_label(data.causes[cid], ref, cid in trees.unlinked)
                if not ref and n + 1 < len(items) and items[n + 1][1] > depth:
                    made = parents[depth].add(label, data=cid, expand=True)
                    parents.append(made)
                else:
                    made = parents[depth].add_leaf(label, data=cid)
                if keep == cid and not ref:
                    found = made
        tree.root.expand()
        # `last_line` lays the lines out, which gives the node the line the cursor goes to.
        if found is not None and tree.last_line >= 0:
            tree.move_cursor(found)

    @staticmethod
    def _outline_label(cause: Cause, ref: bool, unlinked: bool) -> Text:
        if ref:
            return Text(f"{REF_MARK} {one_line(cause.text, 60)}", style="dim")
        mark = kind_mark(cause.kind)
        label = Text(f"{mark} " if mark else "")
        label.append(one_line(cause.text, 100))
        if unlinked:
            label.append(f" {UNLINKED_MARK}", style="bold")
        return label

    # --- edits -----------------------------------------------------------------------------
    def _edit_done(self, cause: Cause | None) -> None:
        """After a save, read again with the cursor on the cause (None: a dialog cancelled)."""
        if cause is not None:
            self._follow = cause.id
            self.reload()

    def _added(self, cause: Cause, effect_id: int | None) -> None:
        """Draw a new cause from what the service returned, without reading everything again."""
        data = self.data
        if data is None or not self._drawn_just_before():
            self._edit_done(cause)  # something else changed meanwhile: read it all
            return
        # The graph is the service's, lent to read (never changed): the one it holds now has
        # the new cause already.
        graph = self.service.held_graph(cause.investigation_id)
        if graph is None or cause.id not in graph:
            self._edit_done(cause)
            return
        self._drawn_at = self.host.history.changes
        data = replace(data, graph=graph)
        data.causes[cause.id] = cause
        if effect_id is not None:
            data.links.append(Link(0, cause.investigation_id, cause.id, effect_id))
        self._follow = cause.id
        self._show(data)

    def _replayed(self, replayed: Replayed) -> None:
        """After an undo or redo: an edit of one cause's fields is drawn from the cause the
        history wrote, without reading 5,000 causes again; anything else (an add, a delete, a
        link, an edit meanwhile, a read under way) reads it all."""
        data, cause = self.data, replayed.cause
        if (
            data is None
            or cause is None
            or cause.id not in data.causes
            or cause.id not in data.graph
            or not self._drawn_just_before()
        ):
            self.reload()
            return
        old = data.causes[cause.id]
        if (old.kind, old.category) != (cause.kind, cause.category):
            graph = self.service.held_graph(cause.investigation_id)  # the edit is in it
            node = graph.g.nodes.get(cause.id, {}) if graph is not None else {}
            drawn = (node.get("kind", ""), node.get("category"))
            if graph is None or drawn != (cause.kind, cause.category):
                self.reload()
                return
            data = replace(data, graph=graph)
        self._drawn_at = self.host.history.changes
        data.causes[cause.id] = cause
        if replayed.codes is not None:
            data.codes[cause.id] = replayed.codes
            self.load_similar()  # shared codes are what similar investigations are found by
        self._show(data, same_links=True, one=cause)

    def action_head(self) -> None:
        if self.data is None:
            return
        event = self.data.event
        history = self.host.history

        def store(values: dict, version: int | None) -> Cause:
            if event is None:
                return history.add_cause(
                    self.investigation_id,
                    values["text"],
                    kind=CauseKind.EVENT.value,
                    evidence=values["evidence"],
                )
            return history.update_cause(
                event.id, version, text=values["text"], evidence=values["evidence"]
            )

        proto = event or Cause(
            0, self.investigation_id, self.data.investigation.title, kind=CauseKind.EVENT.value
        )
        saver = Saver(store, event.version if event else None, self._stored_cause(event))
        self.app.push_screen(
            CauseDialog(self.data.categories, save=saver, cause=proto, heading="The event (head)"),
            self._edit_done,
        )

    def _stored_cause(self, cause: Cause | None):
        """How to read a cause as stored now (for the dialog's conflict view)."""
        return None if cause is None else lambda: self.service.get_cause(cause.id)

    def _adder(self, effect_id: int) -> Saver:
        """Save a new cause from the dialog, linked as a cause of `effect_id`."""
        history = self.host.history

        def add(values: dict, _version: int | None) -> Cause:
            fields = {k: v for k, v in values.items() if k != "text"}
            added = history.add_cause(
                self.investigation_id, values["text"], effect_id=effect_id, **fields
            )
            if fields.get("codes") and self.data is not None:
                self.data.codes[added.id] = tuple(fields["codes"])
            return added

        return Saver(add)

    def _needs_event(self) -> bool:
        if self.data is not None and self.data.event is None:
            self.notify(
                "Write the event first (h): it is the head every cause leads to.",
                markup=False,
                severity="warning",
            )
            return True
        return self.data is None

    def action_add(self) -> None:
        if self._needs_event():
            return
        assert self.data is not None and self.data.event is not None
        bone = self.current_bone()
        event_id = self.data.event.id

        def done(cause: Cause | None) -> None:
            if cause is not None:
                self._added(cause, event_id)

        heading = f"Add a cause on '{bone}'" if bone else "Add a cause"
        self.app.push_screen(
            CauseDialog(
                self.data.categories,
                save=self._adder(event_id),
                category=bone,
                heading=heading,
                codes=self.data.catalogue,
            ),
            done,
        )

    def action_add_sub(self) -> None:
        if self._needs_event():
            return
        cause = self.current()
        if cause is None or cause.kind == CauseKind.EVENT:
            self.action_add()
            return
        assert self.data is not None

        def done(added: Cause | None) -> None:
            if added is not None:
                self._added(added, cause.id)

        self.app.push_screen(
            CauseDialog(
                self.data.categories,
                save=self._adder(cause.id),
                category=cause.category,
                heading=f"Why: '{one_line(cause.text, 40)}'?",
                codes=self.data.catalogue,
            ),
            done,
        )

    def action_edit(self) -> None:
        cause = self.current()
        if cause is None or self.data is None:
            return
        if cause.kind == CauseKind.EVENT:
            self.action_head()
            return
        texts = {c.id: c.text for c in self.data.causes.values()}
        suggested = suggest_statement(cause.id, self.data.graph, texts)
        history = self.host.history

        had = self.data.codes.get(cause.id, ())

        def update(values: dict, version: int | None) -> Cause:
            was = {**{k: getattr(cause, k, None) for k in values}, "codes": had}
            changes = {k: v for k, v in values.items() if was[k] != v}
            saved = history.update_cause(cause.id, version, **changes)
            if "codes" in changes and self.data is not None:
                self.data.codes[cause.id] = tuple(changes["codes"])
            return saved

        saver = Saver(update, cause.version, self._stored_cause(cause))
        self.app.push_screen(
            CauseDialog(
                self.data.categories,
                save=saver,
                cause=cause,
                suggested_statement=suggested,
                codes=self.data.catalogue,
                chosen=had,
            ),
            self._edit_done,
        )

    @on(FishboneView.CauseSelected)
    def _selected(self, event: FishboneView.CauseSelected) -> None:
        event.stop()
        self.action_edit()

    def action_delete(self) -> None:
        cause = self.current()
        if cause is None:
            return
        history = self.host.history

        def done(choice: str | None) -> None:
            if choice == "delete":
                self.save(history.delete_cause, cause.id, then=lambda _: self.reload())

        self.app.push_screen(
            ChoiceDialog(
                f"Delete '{one_line(cause.text, 50)}' and its links? (u undoes it)",
                [("Delete", "delete"), ("Cancel", "cancel")],
            ),
            done,
        )

    def action_kind(self) -> None:
        cause = self.current()
        if cause is None or cause.kind == CauseKind.EVENT:
            return
        new = NEXT_KIND.get(CauseKind(cause.kind), CauseKind.CAUSE)
        self.save(
            self.host.history.update_cause,
            cause.id,
            cause.version,
            kind=new.value,
            then=self._edit_done,
        )
        # A second quick press cycles on from this kind, before the reload shows it.
        if self.data is not None:
            self.data.causes[cause.id] = cause.replace(kind=new.value)

    def action_move(self) -> None:
        cause = self.current()
        if cause is None or self.data is None or cause.kind == CauseKind.EVENT:
            return
        from screens.graph import CausePicker

        categories = self.data.categories
        bones = [Cause(i + 1, 0, name) for i, name in enumerate(categories)]

        def chosen(index: int | None) -> None:
            if index:
                name = categories[index - 1]
                self.save(
                    self.host.history.update_cause,
                    cause.id,
                    cause.version,
                    category=name,
                    then=self._edit_done,
                )

        self.app.push_screen(CausePicker(f"Move '{one_line(cause.text, 40)}' to…", bones), chosen)

    def action_categories(self) -> None:
        if self.data is None:
            return

        def store(values: dict, _version: int | None) -> list[str]:
            return self.service.set_categories(
                self.investigation_id, values["names"], renames=values["renames"]
            )

        def saved(names: list[str] | None) -> None:
            if names is not None:
                self.reload()

        self.app.push_screen(CategoriesDialog(self.data.categories, save=Saver(store)), saved)

    def action_why(self) -> None:
        from screens.five_whys import FiveWhysScreen

        cause = self.current()
        self.app.push_screen(FiveWhysScreen(self.investigation_id, cause.id if cause else None))

    def action_graph(self) -> None:
        from screens.graph import GraphScreen

        self.app.push_screen(GraphScreen(self.investigation_id))


__all__ = ["CategoriesDialog", "Content", "FishboneScreen", "detect_renames"]

"""The causal graph of one investigation: adjacency dicts of its own, networkx when needed.

Nodes are cause ids with `kind` and `category` attributes; an edge `a -> b` means "a led to b".
The event is the node of kind `event`; everything else should lead to it. The service builds one
`CauseGraph` from the rows and keeps it in step with each edit (add/remove one node or edge),
so no edit rewrites or reloads the whole graph.

The graph is held in three dicts laid out as networkx's `DiGraph` holds its own (`_node`,
`_succ`, `_pred`), and the queries the checks ask (events, origins, causes and effects, the
first path to the event, what is cut off, whether there is a circle at all) are answered from
them: importing networkx took a tenth of a cold `rca check` (issue 16). `g` is a real
`networkx.DiGraph` made on first use over the very same dicts, for the rarer questions (every
path, the longest chain, the circles of a graph that has one) and for exports; an edit made
through either is seen by both.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from sys import intern
from typing import TYPE_CHECKING, Any

from models.vocab import CauseKind

if TYPE_CHECKING:
    import networkx as nx

#: Paths are enumerated lazily and capped: a dense graph has exponentially many.
MAX_PATHS = 50


def _clear_cache(g: Any) -> None:
    """networkx's own cache of a graph (results kept for its backends), dropped after an edit
    made on the dicts behind its back, as its own edit methods do."""
    import networkx as nx

    clear = getattr(nx, "_clear_cache", None)
    if clear is not None:
        clear(g)


class CauseGraph:
    """The cause graph with the queries investigators ask, over plain adjacency dicts."""

    __slots__ = ("__weakref__", "_events", "_g", "_node", "_pred", "_succ", "rev")

    def __init__(self, g: nx.DiGraph | None = None, rev: int = 0) -> None:
        self._node: dict[int, dict[str, Any]]
        self._succ: dict[int, dict[int, dict]]
        self._pred: dict[int, dict[int, dict]]
        if g is None:
            self._node, self._succ, self._pred = {}, {}, {}
        else:  # share the given graph's dicts
            self._node, self._succ, self._pred = g._node, g._succ, g._pred
        self._g = g
        self.rev = rev
        #: The event nodes, found once: the rules ask for the event once per cause, and a scan
        #: of 5,000 nodes each time made checking a large investigation quadratic. The node
        #: edits below drop it (only they change which nodes are events).
        self._events: list[int] | None = None

    @property
    def g(self) -> nx.DiGraph:
        """The graph as a `networkx.DiGraph` over the same dicts (networkx imported now)."""
        if self._g is None:
            import networkx as nx

            g = nx.DiGraph()
            # networkx's own descriptors for these attributes reset its views on assignment
            g._node = self._node
            g._succ = self._succ  # also its _adj
            g._pred = self._pred
            _clear_cache(g)
            self._g = g
        return self._g

    def _edited(self) -> None:
        if self._g is not None:
            _clear_cache(self._g)

    @classmethod
    def build(
        cls,
        nodes: Iterable[tuple[int, str, str | None]],
        edges: Iterable[tuple[int, int]],
        rev: int = 0,
    ) -> CauseGraph:
        """From (id, kind, category) triples and (cause, effect) pairs: the dicts filled
        exactly as networkx's `add_nodes_from`/`add_edges_from` would (a test holds the two
        equal)."""
        graph = cls(rev=rev)
        node, succ, pred = graph._node, graph._succ, graph._pred
        # Kinds and categories are a few words repeated 5,000 times: one string of each (the
        # causes the screens draw hold the same ones, see `causes.cause_view`).
        for i, k, c in nodes:
            node[i] = {"kind": intern(k), "category": intern(c) if c else c}
            succ[i] = {}
            pred[i] = {}
        for a, b in edges:
            if a not in node or b not in node:  # never from the database (foreign keys)
                graph.add_edge(a, b)
                continue
            data: dict = {}
            succ[a][b] = data
            pred[b][a] = data
        return graph

    def copy(self) -> CauseGraph:
        """An independent copy, made as `networkx.DiGraph.copy` makes one (node and edge
        attributes copied, the edges added in adjacency order)."""
        other = CauseGraph(rev=self.rev)
        node, succ, pred = other._node, other._succ, other._pred
        for n, d in self._node.items():
            node[n] = dict(d)
            succ[n] = {}
            pred[n] = {}
        for a, nbrs in self._succ.items():
            for b, data in nbrs.items():
                copied = dict(data)
                succ[a][b] = copied
                pred[b][a] = copied
        return other

    # --- edits, mirrored by the service after each commit (as networkx makes them) -------
    def add_node(self, cause_id: int, kind: str, category: str | None) -> None:
        if cause_id not in self._node:
            self._succ[cause_id] = {}
            self._pred[cause_id] = {}
            self._node[cause_id] = {"kind": kind, "category": category}
        else:
            self._node[cause_id].update(kind=kind, category=category)
        self._events = None
        self._edited()

    def update_node(self, cause_id: int, **attrs: object) -> None:
        self._node[cause_id].update(attrs)
        self._events = None
        self._edited()

    def remove_node(self, cause_id: int) -> None:
        if cause_id in self._node:
            nbrs = self._succ[cause_id]
            del self._node[cause_id]
            for u in nbrs:
                del self._pred[u][cause_id]
            del self._succ[cause_id]
            for u in self._pred[cause_id]:
                del self._succ[u][cause_id]
            del self._pred[cause_id]
            self._edited()
        self._events = None

    def add_edge(self, cause_id: int, effect_id: int) -> None:
        for n in (cause_id, effect_id):
            if n not in self._succ:
                self._succ[n] = {}
                self._pred[n] = {}
                self._node[n] = {}
                self._events = None
        data = self._succ[cause_id].get(effect_id, {})
        self._succ[cause_id][effect_id] = data
        self._pred[effect_id][cause_id] = data
        self._edited()

    def remove_edge(self, cause_id: int, effect_id: int) -> None:
        if self.has_edge(cause_id, effect_id):
            del self._succ[cause_id][effect_id]
            del self._pred[effect_id][cause_id]
            self._edited()

    # --- queries -------------------------------------------------------------------------
    def __contains__(self, cause_id: object) -> bool:
        return cause_id in self._node

    def __len__(self) -> int:
        return len(self._node)

    def has_edge(self, cause_id: int, effect_id: int) -> bool:
        return effect_id in self._succ.get(cause_id, {})

    def number_of_edges(self) -> int:
        return sum(len(s) for s in self._succ.values())

    def kind(self, cause_id: int) -> str:
        return self._node[cause_id]["kind"]

    def events(self) -> list[int]:
        if self._events is None:
            self._events = sorted(
                n for n, d in self._node.items() if d.get("kind") == CauseKind.EVENT
            )
        return list(self._events)

    def event(self) -> int | None:
        """The event node (the lowest id if, wrongly, there are several)."""
        events = self.events()
        return events[0] if events else None

    def cycle_if_linked(self, cause_id: int, effect_id: int) -> list[int] | None:
        """The cycle that the link cause -> effect would close, as a node list, or None."""
        if cause_id == effect_id:
            return [cause_id, cause_id]
        if cause_id not in self._node or effect_id not in self._node:
            return None
        import networkx as nx

        try:
            path = nx.shortest_path(self.g, effect_id, cause_id)
        except nx.NetworkXNoPath:
            return None
        return [cause_id, *path]

    def root_causes(self) -> list[int]:
        """Causes marked as root causes, in id order."""
        return sorted(n for n, d in self._node.items() if d.get("kind") == CauseKind.ROOT)

    def origins(self) -> list[int]:
        """Causes with nothing before them (where every chain of whys stopped)."""
        return sorted(
            n for n in self._node if not self._pred[n] and self.kind(n) != CauseKind.EVENT
        )

    def causes_of(self, cause_id: int) -> list[int]:
        if cause_id not in self._pred:
            return sorted(self.g.predecessors(cause_id))  # networkx's error for a stranger
        return sorted(self._pred[cause_id])

    def effects_of(self, cause_id: int) -> list[int]:
        if cause_id not in self._succ:
            return sorted(self.g.successors(cause_id))
        return sorted(self._succ[cause_id])

    def paths_to_event(self, cause_id: int, limit: int = MAX_PATHS) -> list[list[int]]:
        """Simple paths from a cause to the event, shortest first, at most `limit`."""
        event = self.event()
        if event is None or cause_id not in self._node:
            return []
        if cause_id == event:
            return [[event]]
        if limit == 1:  # the first path networkx would give, found without it
            path = self._shortest_path(cause_id, event)
            return [] if path is None else [path]
        import networkx as nx

        try:
            paths: Iterator[list[int]] = nx.shortest_simple_paths(self.g, cause_id, event)
            out = []
            for path in paths:
                out.append(path)
                if len(out) >= limit:
                    break
            return out
        except nx.NetworkXNoPath:
            return []

    def _shortest_path(self, source: int, target: int) -> list[int] | None:
        """The path `networkx.shortest_simple_paths` yields first (its bidirectional breadth-
        first search, step for step, so that among equally short paths it is the same one);
        None when there is none. A test holds the two equal."""
        pred: dict[int, int | None] = {source: None}
        succ: dict[int, int | None] = {target: None}
        forward, reverse = [source], [target]
        meet: int | None = None
        while forward and reverse and meet is None:
            if len(forward) <= len(reverse):
                level, forward = forward, []
                for v in level:
                    for n in self._succ[v]:
                        if n not in pred:
                            forward.append(n)
                            pred[n] = v
                        if n in succ:
                            meet = n
                            break
                    if meet is not None:
                        break
            else:
                level, reverse = reverse, []
                for v in level:
                    for n in self._pred[v]:
                        if n not in succ:
                            succ[n] = v
                            reverse.append(n)
                        if n in pred:
                            meet = n
                            break
                    if meet is not None:
                        break
        if meet is None:
            return None
        path: list[int] = []
        w: int | None = meet
        while w is not None:
            path.append(w)
            w = succ[w]
        w = pred[path[0]]
        while w is not None:
            path.insert(0, w)
            w = pred[w]
        return path

    def connected_to_event(self) -> set[int]:
        event = self.event()
        if event is None:
            return set()
        seen = {event}
        todo = deque([event])
        while todo:
            for p in self._pred[todo.popleft()]:
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def disconnected(self) -> list[int]:
        """Causes with no path to the event (all of them when there is no event)."""
        linked = self.connected_to_event()
        return sorted(
            n for n, d in self._node.items() if n not in linked and d["kind"] != CauseKind.EVENT
        )

    def longest_chain(self) -> int:
        """Edges on the longest path; a circle of causes (see `cycles`) counts as one cause."""
        if self.number_of_edges() == 0:
            return 0
        order = self._topological()
        if order is not None:  # as networkx's dag_longest_path_length, every link one
            depth: dict[int, int] = {}
            for n in order:
                depth[n] = max((depth[p] + 1 for p in self._pred[n]), default=0)
            return max(depth.values(), default=0)
        import networkx as nx

        return nx.dag_longest_path_length(nx.condensation(self.g))  # a circle from outside

    def _topological(self) -> list[int] | None:
        """The nodes with every cause before its effects (Kahn's order), None if there is a
        circle (a self-link included)."""
        waiting = {n: len(p) for n, p in self._pred.items()}
        ready = [n for n, k in waiting.items() if k == 0]
        order: list[int] = []
        while ready:
            n = ready.pop()
            order.append(n)
            for s in self._succ[n]:
                waiting[s] -= 1
                if waiting[s] == 0:
                    ready.append(s)
        return order if len(order) == len(waiting) else None

    def has_circle(self) -> bool:
        """Whether some causes lead to each other (a self-link included), told on the dicts."""
        return self._topological() is None

    # --- circles ---------------------------------------------------------------------------
    # The service refuses a link that would close a circle, so the graph is acyclic when every
    # edit went through it. A row written into the database by another program can still
    # close one; the checks report it and the screens draw around it instead of failing.
    def _knots(self) -> list[set[int]]:
        """Groups of causes that lead to each other (a self-link is a group of one)."""
        if not self.has_circle():  # the usual case, told without networkx
            return []
        import networkx as nx

        g = self.g
        return [
            knot
            for knot in nx.strongly_connected_components(g)
            if len(knot) > 1 or g.has_edge(next(iter(knot)), next(iter(knot)))
        ]

    def cycles(self) -> list[list[int]]:
        """One circle per group of causes that lead to each other, as [a, b, ..., a] where a
        led to b and the last led back to a: the shortest one through the group's lowest id.
        Empty for a graph whose edits all went through the service."""
        knots = self._knots()
        if not knots:
            return []
        from networkx import shortest_path

        out = []
        for knot in knots:
            start = min(knot)
            sub = self.g.subgraph(knot)
            back = min(
                (shortest_path(sub, nxt, start) for nxt in sorted(sub.successors(start))),
                key=len,
            )
            out.append([start, *back] if back[0] != start else [start, start])
        return sorted(out)

    def circle_links(self) -> set[tuple[int, int]]:
        """Every link (cause, effect) that lies on some circle."""
        links: set[tuple[int, int]] = set()
        for knot in self._knots():
            links.update((a, b) for a, b in self.g.subgraph(knot).edges)
        return links

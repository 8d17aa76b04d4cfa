"""The causal graph of one investigation as a `networkx.DiGraph`.

Nodes are cause ids with `kind` and `category` attributes; an edge `a -> b` means "a led to b".
The event is the node of kind `event`; everything else should lead to it. The service builds one
`CauseGraph` from the rows and keeps it in step with each edit (add/remove one node or edge),
so no edit rewrites or reloads the whole graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from sys import intern

import networkx as nx

from models.vocab import CauseKind

#: Paths are enumerated lazily and capped: a dense graph has exponentially many.
MAX_PATHS = 50


class CauseGraph:
    """A thin, typed wrapper around the DiGraph with the queries investigators ask."""

    __slots__ = ("__weakref__", "_events", "g", "rev")

    def __init__(self, g: nx.DiGraph | None = None, rev: int = 0) -> None:
        self.g: nx.DiGraph = g if g is not None else nx.DiGraph()
        self.rev = rev
        #: The event nodes, found once: the rules ask for the event once per cause, and a scan
        #: of 5,000 nodes each time made checking a large investigation quadratic. The node
        #: edits below drop it (only they change which nodes are events).
        self._events: list[int] | None = None

    @classmethod
    def build(
        cls,
        nodes: Iterable[tuple[int, str, str | None]],
        edges: Iterable[tuple[int, int]],
        rev: int = 0,
    ) -> CauseGraph:
        """From (id, kind, category) triples and (cause, effect) pairs.

        Loading a large investigation is dominated by networkx's per-node bookkeeping, so the
        adjacency dicts are filled directly, exactly as `add_nodes_from`/`add_edges_from` would
        (a test holds the two equal); an unexpected networkx layout falls back to the public API.
        """
        g = nx.DiGraph()
        try:
            node, succ, pred = g._node, g._succ, g._pred
        except AttributeError:  # pragma: no cover - a future networkx
            g.add_nodes_from((i, {"kind": k, "category": c}) for i, k, c in nodes)
            g.add_edges_from(edges)
            return cls(g, rev)
        # Kinds and categories are a few words repeated 5,000 times: one string of each (the
        # causes the screens draw hold the same ones, see `causes.cause_view`).
        for i, k, c in nodes:
            node[i] = {"kind": intern(k), "category": intern(c) if c else c}
            succ[i] = {}
            pred[i] = {}
        for a, b in edges:
            if a not in node or b not in node:  # never from the database (foreign keys)
                g.add_edge(a, b)
                continue
            data: dict = {}
            succ[a][b] = data
            pred[b][a] = data
        clear = getattr(nx, "_clear_cache", None)
        if clear is not None:
            clear(g)
        return cls(g, rev)

    def copy(self) -> CauseGraph:
        """A private copy, every attribute dict copied; its dicts filled as `build` fills them
        (twice as fast as `DiGraph.copy`, which the service's first edit after lending its
        graph to a screen waits for)."""
        old = self.g
        g = nx.DiGraph()
        try:
            node, succ, pred = g._node, g._succ, g._pred
            old_node, old_succ = old._node, old._succ
        except AttributeError:  # pragma: no cover - a future networkx
            return type(self)(old.copy(), self.rev)
        g.graph.update(old.graph)
        for n, attrs in old_node.items():
            node[n] = dict(attrs)
            succ[n] = {}
            pred[n] = {}
        for a, nbrs in old_succ.items():
            out = succ[a]
            for b, attrs in nbrs.items():
                data = dict(attrs)
                out[b] = data
                pred[b][a] = data
        clear = getattr(nx, "_clear_cache", None)
        if clear is not None:
            clear(g)
        return type(self)(g, self.rev)

    # --- edits, mirrored by the service after each commit -------------------------------
    def add_node(self, cause_id: int, kind: str, category: str | None) -> None:
        self.g.add_node(cause_id, kind=kind, category=category)
        self._events = None

    def update_node(self, cause_id: int, **attrs: object) -> None:
        self.g.nodes[cause_id].update(attrs)
        self._events = None

    def remove_node(self, cause_id: int) -> None:
        if cause_id in self.g:
            self.g.remove_node(cause_id)
        self._events = None

    def add_edge(self, cause_id: int, effect_id: int) -> None:
        self.g.add_edge(cause_id, effect_id)

    def remove_edge(self, cause_id: int, effect_id: int) -> None:
        if self.g.has_edge(cause_id, effect_id):
            self.g.remove_edge(cause_id, effect_id)

    # --- queries -------------------------------------------------------------------------
    def __contains__(self, cause_id: object) -> bool:
        return cause_id in self.g

    def __len__(self) -> int:
        return self.g.number_of_nodes()

    def kind(self, cause_id: int) -> str:
        return self.g.nodes[cause_id]["kind"]

    def events(self) -> list[int]:
        if self._events is None:
            self._events = sorted(n for n, k in self.g.nodes(data="kind") if k == CauseKind.EVENT)
        return list(self._events)

    def event(self) -> int | None:
        """The event node (the lowest id if, wrongly, there are several)."""
        events = self.events()
        return events[0] if events else None

    def cycle_if_linked(self, cause_id: int, effect_id: int) -> list[int] | None:
        """The cycle that the link cause -> effect would close, as a node list, or None."""
        if cause_id == effect_id:
            return [cause_id, cause_id]
        if cause_id not in self.g or effect_id not in self.g:
            return None
        try:
            path = nx.shortest_path(self.g, effect_id, cause_id)
        except nx.NetworkXNoPath:
            return None
        return [cause_id, *path]

    def root_causes(self) -> list[int]:
        """Causes marked as root causes, in id order."""
        return sorted(n for n, k in self.g.nodes(data="kind") if k == CauseKind.ROOT)

    def origins(self) -> list[int]:
        """Causes with nothing before them (where every chain of whys stopped)."""
        return sorted(
            n for n in self.g if self.g.in_degree(n) == 0 and self.kind(n) != CauseKind.EVENT
        )

    def causes_of(self, cause_id: int) -> list[int]:
        return sorted(self.g.predecessors(cause_id))

    def effects_of(self, cause_id: int) -> list[int]:
        return sorted(self.g.successors(cause_id))

    def paths_to_event(self, cause_id: int, limit: int = MAX_PATHS) -> list[list[int]]:
        """Simple paths from a cause to the event, shortest first, at most `limit`."""
        event = self.event()
        if event is None or cause_id not in self.g:
            return []
        if cause_id == event:
            return [[event]]
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

    def connected_to_event(self) -> set[int]:
        event = self.event()
        if event is None:
            return set()
        return nx.ancestors(self.g, event) | {event}

    def disconnected(self) -> list[int]:
        """Causes with no path to the event (all of them when there is no event)."""
        linked = self.connected_to_event()
        return sorted(
            n for n in self.g if n not in linked and self.g.nodes[n]["kind"] != CauseKind.EVENT
        )

    def longest_chain(self) -> int:
        """Edges on the longest path; a circle of causes (see `cycles`) counts as one cause."""
        if self.g.number_of_edges() == 0:
            return 0
        try:
            return nx.dag_longest_path_length(self.g)
        except nx.NetworkXUnfeasible:  # a circle written into the database from outside
            return nx.dag_longest_path_length(nx.condensation(self.g))

    # --- circles ---------------------------------------------------------------------------
    # The service refuses a link that would close a circle, so the graph is acyclic when every
    # edit went through it. A row written into the database by another program can still
    # close one; the checks report it and the screens draw around it instead of failing.
    def _knots(self) -> list[set[int]]:
        """Groups of causes that lead to each other (a self-link is a group of one)."""
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
        if self.g.number_of_edges() == 0:
            return []
        out = []
        for knot in self._knots():
            start = min(knot)
            sub = self.g.subgraph(knot)
            back = min(
                (nx.shortest_path(sub, nxt, start) for nxt in sorted(sub.successors(start))),
                key=len,
            )
            out.append([start, *back] if back[0] != start else [start, start])
        return sorted(out)

    def circle_links(self) -> set[tuple[int, int]]:
        """Every link (cause, effect) that lies on some circle."""
        if self.g.number_of_edges() == 0:
            return set()
        links: set[tuple[int, int]] = set()
        for knot in self._knots():
            links.update((a, b) for a, b in self.g.subgraph(knot).edges)
        return links

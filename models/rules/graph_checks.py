"""Checks on the shape of the cause graph: is there an event, does every cause lead to it, and
does no chain of causes lead round in a circle (the service refuses one, but a row written into
the database by another program can close it: `G-CYCLE`, an error)."""

from __future__ import annotations

from collections.abc import Mapping

from models.domain import Dossier, Finding
from models.graph import CauseGraph


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def describe_cycle(
    cycle: list[int], text: Mapping[int, str], width: int = 50, *, arrows: bool = False
) -> str:
    """A circle by the causes' texts: "'A' led to 'B', which led to 'A'" (or, where room is
    short, "'A' → 'B' → 'A'")."""
    names = [f"'{_short(text.get(n, '?'), width)}'" for n in cycle]
    if arrows:
        return " → ".join(names)
    if len(names) <= 2:
        return f"{names[0]} led to itself"
    return f"{names[0]} led to " + ", which led to ".join(names[1:])


def graph_findings(dossier: Dossier, graph: CauseGraph | None = None) -> list[Finding]:
    if graph is None:
        graph = CauseGraph.build(
            ((c.id, c.kind, c.category) for c in dossier.causes),
            ((lk.cause_id, lk.effect_id) for lk in dossier.links),
        )
    text = {c.id: c.text for c in dossier.causes}
    circles = [
        Finding(
            "G-CYCLE",
            "error",
            cycle[0],
            f"Causes lead round in a circle: {describe_cycle(cycle, text)}. A cause cannot "
            "lead back to itself: unlink one of these links on the cause graph (x)",
        )
        for cycle in graph.cycles()
    ]
    events = graph.events()
    if not events:
        return [
            *circles,
            Finding(
                "G-NO-EVENT",
                "error",
                None,
                "The investigation has no event node: add what happened as the event "
                "(the head of the fishbone) and link causes to it",
            ),
        ]
    findings = circles + [
        Finding(
            "G-MANY-EVENTS",
            "warning",
            extra,
            f"'{_short(text[extra])}' is a second event node; an investigation analyses one "
            "event (make this a cause of it, or open another investigation)",
        )
        for extra in events[1:]
    ]
    findings += [
        Finding(
            "G-DISCONNECTED",
            "warning",
            cause_id,
            f"'{_short(text[cause_id])}' has no path to the event: link it to what it led to",
        )
        for cause_id in graph.disconnected()
        if cause_id not in events
    ]
    return findings

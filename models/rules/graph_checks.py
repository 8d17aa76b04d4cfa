"""Checks on the shape of the cause graph: is there an event, does every cause lead to it."""

from __future__ import annotations

from models.domain import Dossier, Finding
from models.graph import CauseGraph


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def graph_findings(dossier: Dossier, graph: CauseGraph | None = None) -> list[Finding]:
    if graph is None:
        graph = CauseGraph.build(
            ((c.id, c.kind, c.category) for c in dossier.causes),
            ((lk.cause_id, lk.effect_id) for lk in dossier.links),
        )
    text = {c.id: c.text for c in dossier.causes}
    events = graph.events()
    if not events:
        return [
            Finding(
                "G-NO-EVENT",
                "error",
                None,
                "The investigation has no event node: add what happened as the event "
                "(the head of the fishbone) and link causes to it",
            )
        ]
    findings = [
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

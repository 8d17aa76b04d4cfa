"""All checks of one investigation in one list (what `rca check` and the overview show).

Each rule module contributes findings with its own codes; errors sort before warnings. Later
rules (the five rules of causation, plan checks) are added to `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable

from models.domain import Dossier, Finding
from models.rules.causation import causation_findings
from models.rules.graph_checks import graph_findings
from models.rules.team_checks import team_findings
from models.rules.timeline_checks import timeline_findings

RULES: list[Callable[[Dossier], list[Finding]]] = [
    lambda d: team_findings(d.team),
    lambda d: timeline_findings(d.timeline),
    graph_findings,
    causation_findings,
]


def run_checks(dossier: Dossier) -> list[Finding]:
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(dossier))
    order = {"error": 0, "warning": 1}
    return sorted(findings, key=lambda f: order.get(f.severity, 2))

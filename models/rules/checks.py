"""All checks of one investigation in one list (what `rca check` and the overview show).

Each rule module contributes findings with its own codes; errors sort before warnings. A rule in
`RULES` reads the dossier only. A rule in `DATED_RULES` also takes the day to judge against (what
is overdue depends on it), so the app can pass its own `today()` and tests a fixed day.

Adding a rule: a pure function in `models/rules/<name>.py` that takes the `Dossier` (or a part
of it) and returns `list[Finding]` (`code`, `severity` "error" or "warning", `subject` the id of
the record or None, `message` for people, without the code: every list prints `code: message`).
Start the code with its workflow step's prefix (`I-` intake, `T-` team, `TL-` timeline, `G-` or
`R` causes, `P-` action plan, `S-` review): the overview counts it under that step. An error
blocks approval, a warning never does. Append it to `RULES` (as a lambda when it takes a part of
the dossier) or, when it depends on the day, to `DATED_RULES`. A subject that is not a cause
needs its prefix in the `entities` map of `check()` in `rca_tui/cli.py`. Word lists and tables
are TOML beside the module, read once through `importlib.resources`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from models.domain import Dossier, Finding
from models.graph import CauseGraph
from models.rules.causation import causation_findings
from models.rules.code_checks import code_findings
from models.rules.followup_checks import followup_findings
from models.rules.graph_checks import graph_findings
from models.rules.intake_checks import intake_findings
from models.rules.plan_checks import plan_findings
from models.rules.sentinel import sentinel_findings
from models.rules.team_checks import team_findings
from models.rules.timeline_checks import timeline_findings

if TYPE_CHECKING:
    from models.recurrence import Recurrence

RULES: list[Callable[[Dossier], list[Finding]]] = [
    lambda d: sentinel_findings(d.investigation),
    lambda d: intake_findings(d.investigation),
    lambda d: team_findings(d.team),
    lambda d: timeline_findings(d.timeline),
    graph_findings,
    causation_findings,
    code_findings,
]

DATED_RULES: list[Callable[[Dossier, dt.date], list[Finding]]] = [
    plan_findings,
    followup_findings,
]


#: Rules that read the cause graph: given one graph, built once for all of them (building it
#: for each took a noticeable part of checking a 5,000-cause investigation).
GRAPH_RULES = (graph_findings, causation_findings)


def cause_graph(dossier: Dossier) -> CauseGraph:
    """The dossier's causes and links as a graph (what the graph rules read)."""
    return CauseGraph.build(
        ((c.id, c.kind, c.category) for c in dossier.causes),
        ((lk.cause_id, lk.effect_id) for lk in dossier.links),
    )


def run_checks(
    dossier: Dossier, today: dt.date | None = None, *, graph: CauseGraph | None = None
) -> list[Finding]:
    """Every finding; `today` (default: the real date) is the day dated rules judge against.
    `graph` is the dossier's `cause_graph` when the caller has built it already (the overview
    also summarises it); the rules only read it."""
    day = today or dt.date.today()
    findings: list[Finding] = []
    for rule in RULES:
        if rule in GRAPH_RULES:
            if graph is None:
                graph = cause_graph(dossier)
            findings.extend(rule(dossier, graph))
        else:
            findings.extend(rule(dossier))
    for dated in DATED_RULES:
        findings.extend(dated(dossier, day))
    order = {"error": 0, "warning": 1}
    return sorted(findings, key=lambda f: order.get(f.severity, 2))


def check_findings(
    dossier: Dossier, recurrences: Iterable[Recurrence], today: dt.date | None = None
) -> list[Finding]:
    """What `rca check` prints: every rule's findings, then the recurrences' (later or earlier)
    findings; one function for the ORM read and the sqlite3 read, so both say the same."""
    from models.recurrence import findings as recurrence_findings

    found = run_checks(dossier, today)
    return found + recurrence_findings(recurrences, dossier.investigation.id)


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that block approval."""
    return [f for f in findings if f.severity == "error"]

"""The workflow steps of an investigation, as the overview lists them.

Adding a step is one entry in `STEPS` (a key, a title, a one-line summary of the dossier, the
finding-code prefixes that belong to it) and its screen in `_screens()`: a `ServiceScreen` taking
the investigation id, with `HELP_TITLE`, `PALETTE_GROUP`, described `BINDINGS` and `reload()`.
The overview numbers it, counts its warnings, gives it a digit key and opens it; a letter key
is one more `Binding` in `OverviewScreen.BINDINGS` (in use: e t l f w g p v a x r).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.screen import Screen

from models.domain import Dossier
from models.vocab import CauseKind

if TYPE_CHECKING:
    from models.graph import CauseGraph


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    summary: Callable[[Dossier], str]
    #: Finding codes starting with one of these are this step's warnings.
    codes: tuple[str, ...]


def _intake(d: Dossier) -> str:
    inv = d.investigation
    parts = [f"SAC {inv.sac_score}" if inv.sac_score else "not scored"]
    if inv.sentinel:
        parts.append("sentinel")
    if inv.blameworthy:
        parts.append("routed out: blameworthy act")
    return ", ".join(parts)


def _causes(d: Dossier) -> str:
    roots = sum(1 for c in d.causes if c.kind == CauseKind.ROOT)
    causes = sum(1 for c in d.causes if c.kind != CauseKind.EVENT)
    links = _plural(len(d.links), "link")
    return f"{_plural(causes, 'cause')}, {roots} root, {links}"


def _chains(d: Dossier) -> str:
    roots = [c for c in d.causes if c.kind == CauseKind.ROOT]
    return f"{_plural(len(roots), 'chain')} ending in a root cause"


def _graph(d: Dossier, g: CauseGraph | None = None) -> str:
    if g is None:
        from models.rules.checks import cause_graph

        g = cause_graph(d)
    loose = len(g.disconnected()) if g.event() is not None else 0
    return f"longest chain {g.longest_chain()}, {loose} not linked"


def _actions(d: Dossier) -> str:
    strong = sum(1 for a in d.actions if a.strength == "stronger")
    return f"{_plural(len(d.actions), 'action')}, {strong} stronger"


def _review(d: Dossier) -> str:
    concurred = sum(1 for a in d.actions if a.concurrence)
    return f"{concurred}/{len(d.actions)} concurrence, {_plural(len(d.signoffs), 'sign-off')}"


def _followup(d: Dossier) -> str:
    from models.vocab import FeedbackAudience, Status

    if d.investigation.status not in (Status.APPROVED, Status.CLOSED):
        return "after approval"
    followed = [a for a in d.actions if a.concurrence != "do_not_concur"]
    resolved = sum(1 for a in followed if a.resolved)
    told = any(f.audience == FeedbackAudience.REPORTER for f in d.feedback)
    return (
        f"{resolved}/{len(followed)} resolved, {_plural(len(d.measurements), 'result')}"
        f"{', reporter told' if told else ''}"
    )
def _report_sections(d: Dossier) -> str:
    lessons = sum(1 for n in d.notes if n.kind == "lesson")
    others = len(d.notes) - lessons
    people = "1 person" if len(d.people) == 1 else f"{len(d.people)} people"
    return f"{_plural(lessons, 'lesson')}, {_plural(others, 'other note')}, {people}"


def summaries(d: Dossier, graph: CauseGraph | None = None) -> dict[str, str]:
    """Each step's one-line summary, by key; `graph` is the dossier's cause graph when the
    caller has built it already (the checks read the same one: built once, not twice)."""
    return {
        step.key: _graph(d, graph) if step.summary is _graph else step.summary(d)
        for step in STEPS
    }


def _screens() -> dict[str, Callable[[int], Screen]]:
    """The screen of each step (imported when a step is opened: the overview opens fast)."""
    from screens.actions import ActionsScreen
    from screens.fishbone import FishboneScreen
    from screens.five_whys import FiveWhysScreen
    from screens.followup import FollowupScreen
    from screens.graph import GraphScreen
    from screens.intake import IntakeScreen
    from screens.report_sections import ReportSectionsScreen
    from screens.review import ReviewScreen
    from screens.team import TeamScreen
    from screens.timeline import TimelineScreen

    return {
        "intake": IntakeScreen,
        "team": TeamScreen,
        "timeline": TimelineScreen,
        "causes": FishboneScreen,
        "five_whys": FiveWhysScreen,
        "graph": GraphScreen,
        "actions": ActionsScreen,
        "review": ReviewScreen,
        "followup": FollowupScreen,
        "report_sections": ReportSectionsScreen,
    }


STEPS: list[Step] = [
    Step("intake", "Event intake and risk", _intake, ("I-",)),
    Step("team", "Team charter", lambda d: _plural(len(d.team), "member"), ("T-",)),
    Step(
        "timeline",
        "Timeline",
        lambda d: _plural(len(d.timeline), "entry").replace("entrys", "entries"),
        ("TL-",),
    ),
    Step("causes", "Fishbone", _causes, ("G-", "R")),
    Step("five_whys", "Five whys", _chains, ()),
    Step("graph", "Cause graph", _graph, ()),
    Step("actions", "Action plan", _actions, ("P-",)),
    Step("review", "Review and sign-off", _review, ("S-",)),
    Step("followup", "Follow-up", _followup, ("F-",)),
    Step("report_sections", "Lessons, notes, people", _report_sections, ()),
]


def screen_for(step: Step, investigation_id: int) -> Screen:
    """The screen that opens `step` for an investigation."""
    return _screens()[step.key](investigation_id)

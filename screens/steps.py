"""The workflow steps of an investigation, as the overview lists them.

Adding a step (fishbone, five whys, report...) is one entry in `STEPS`: a title, a one-line
summary of the dossier, which finding codes belong to it, and the screen that opens it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.screen import Screen

from models.domain import Dossier
from models.vocab import CauseKind


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    summary: Callable[[Dossier], str]
    #: Finding codes starting with one of these are this step's warnings.
    codes: tuple[str, ...]
    #: Builds the screen for an investigation id; None while the step has no screen yet.
    screen: Callable[[int], Screen] | None = None


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


def _graph(d: Dossier) -> str:
    from models.graph import CauseGraph

    g = CauseGraph.build(
        ((c.id, c.kind, c.category) for c in d.causes),
        ((lk.cause_id, lk.effect_id) for lk in d.links),
    )
    loose = len(g.disconnected()) if g.event() is not None else 0
    return f"longest chain {g.longest_chain()}, {loose} not linked"


def _actions(d: Dossier) -> str:
    strong = sum(1 for a in d.actions if a.strength == "stronger")
    return f"{_plural(len(d.actions), 'action')}, {strong} stronger"


def _review(d: Dossier) -> str:
    concurred = sum(1 for a in d.actions if a.concurrence)
    return f"{concurred}/{len(d.actions)} concurrence, {_plural(len(d.signoffs), 'sign-off')}"


def _report_sections(d: Dossier) -> str:
    lessons = sum(1 for n in d.notes if n.kind == "lesson")
    others = len(d.notes) - lessons
    people = "1 person" if len(d.people) == 1 else f"{len(d.people)} people"
    return f"{_plural(lessons, 'lesson')}, {_plural(others, 'other note')}, {people}"


def _screens() -> dict[str, Callable[[int], Screen]]:
    from screens.five_whys import FiveWhysScreen
    from screens.graph import GraphScreen
    from screens.intake import IntakeScreen
    from screens.report_sections import ReportSectionsScreen
    from screens.team import TeamScreen
    from screens.timeline import TimelineScreen

    screens: dict[str, Callable[[int], Screen]] = {
        "intake": IntakeScreen,
        "team": TeamScreen,
        "timeline": TimelineScreen,
        "five_whys": FiveWhysScreen,
        "graph": GraphScreen,
        "report_sections": ReportSectionsScreen,
    }
    try:  # the action plan and review screens need the plan rules (models/rules/plan_checks)
        from screens.actions import ActionsScreen
        from screens.review import ReviewScreen

        screens["actions"] = ActionsScreen
        screens["review"] = ReviewScreen
    except ImportError:  # pragma: no cover
        pass
    try:
        from screens.fishbone import FishboneScreen

        screens["causes"] = FishboneScreen
    except ImportError:  # pragma: no cover - while the fishbone screen is being written
        pass
    return screens


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
    Step("report_sections", "Lessons, notes, people", _report_sections, ()),
]


def screen_for(step: Step, investigation_id: int) -> Screen | None:
    factory = step.screen or _screens().get(step.key)
    return None if factory is None else factory(investigation_id)


def has_screen(step: Step) -> bool:
    return step.screen is not None or step.key in _screens()

"""Checks of the action plan (an item: the root cause it addresses, one responsible person, a due
date, a measure of effectiveness, leadership's concurrence), and its one-line summary.

An RCA is judged by its actions: each root cause needs an action (or a written reason why not),
and each action needs one responsible person, a due date and a measure of effectiveness. Plans
made only of weaker actions (training, a new policy) are the usual reason events recur, so they
are flagged and asked for a reason.

Severities. An error blocks approval (`Service.approve`); a warning is shown and never blocks.

=================== ======== ===========================================================
code                severity why
=================== ======== ===========================================================
P-NO-ACTION         error    a root cause left without an action and without a written
                             reason is an unfinished analysis (subject: the cause)
P-NO-OWNER          error    nobody is accountable for the action
P-GROUP-OWNER       error    "a person, not a committee": a group owns nothing
P-NO-DUE            error    an action without a date is never late, and never done
P-NO-MEASURE        error    without a measure nobody can tell whether the action worked
P-WEAK-ONLY         warning  allowed with a reason; a reason stored on the cause
                             (`weak_only_reason`) clears it (subject: the cause)
P-OVERDUE           warning  a fact of time, not a flaw of the plan: it appears on its own
                             after approval and must not block it
P-MEASURE-EARLY     warning  usually a slip, but a baseline measure before the due date
                             is legitimate
P-MEASURE-INCOMPLETE warning the measure has no target or no measurement date
P-NO-STRENGTH       warning  the action is not rated on the hierarchy (the wording's
                             suggestion is named)
P-UNLINKED          warning  the action addresses no cause, so no root cause lists it
=================== ======== ===========================================================

Subjects are cause ids for the cause-level codes (P-NO-ACTION, P-WEAK-ONLY) and action ids for
the rest. An action leadership did not concur with will not be carried out: it does not count
as an action of its root cause, and its own fields are not checked. `reason_asked()` says which
written reason a root cause needs; the action plan screen asks the same question.

Blank is missing: a measure, target or reason of only spaces counts as not written.

Who owns an action (pragmatic rules, from words only; no list of staff is consulted):

* No owner (P-NO-OWNER): the owner, with punctuation and case ignored, is a placeholder
  ("TBD.", "t.b.c.", "(tba)", "N/A", "n.a.", "Unknown!", "?", "to be confirmed"), or starts with
  TBD/TBA/TBC ("TBD - ask the ward manager").
* A group (P-GROUP-OWNER): the owner is read in parts, split at commas, brackets and " - ".
  Words with digits ("4W", "2027") are places or codes and are left out. A part is a *person*
  when it starts with a title ("Dr Ana Group", "Prof Lee Council"; not a possessive: "Dr
  Okafor's team" is a team), when its head word (the last word before "of", "for" ...) is one
  person's role ("Falls prevention group lead", "Director of Nursing", "Jane Doe RN"), or when
  it holds no group word (a name: "Tim Teamson"; words match whole, so "Teamson" is no team).
  A part with a group word is a *group* ("Falls prevention group 4W", "Quality team East").
  A part of place words only ("North site") or of codes only ("4 West") says neither. The owner
  is a group when some part is a group and no part is a person: "Priya Raman, Nursing
  Informatics Lead" is a person, "Falls committee, 4 West" a group. Known limit: a surname that
  is a group word needs the title or the role beside it ("Ana Group" alone reads as a group).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from models.domain import Action, Dossier, Finding
from models.rules.action_strength import suggest_strength
from models.rules.followup_checks import is_overdue
from models.vocab import CauseKind, Concurrence, Strength

#: Owner texts that mean "nobody yet", as words without punctuation ("n/a" is "n a").
NO_OWNER = frozenset(
    {
        "",
        "tbd",
        "tba",
        "tbc",
        "to be decided",
        "to be determined",
        "to be confirmed",
        "to be agreed",
        "to be assigned",
        "na",
        "not applicable",
        "none",
        "nobody",
        "no one",
        "unknown",
        "not known",
        "unassigned",
        "not assigned",
        "pending",
    }
)
#: Placeholders that leave the owner open whatever follows ("TBD - ask the ward manager").
NO_OWNER_FIRST = frozenset({"tbd", "tba", "tbc"})

#: Words naming a group of people, an organisational unit or many people at once.
GROUP_WORDS = frozenset(
    [
        "committee",
        "committees",
        "team",
        "teams",
        "department",
        "departments",
        "dept",
        "depts",
        "staff",
        "nursing",
        "management",
        "leadership",
        "council",
        "councils",
        "board",
        "boards",
        "group",
        "groups",
        "unit",
        "units",
        "service",
        "services",
        "office",
        "offices",
        "administration",
        "executives",
        "everyone",
        "everybody",
        "all",
        "hospital",
        "organisation",
        "organization",
        "workforce",
        "personnel",
        "employees",
        "shift",
        "shifts",
        "nurses",
        "managers",
        "physicians",
        "doctors",
        "pharmacists",
        "educators",
        "leaders",
        "clinicians",
        "providers",
        "residents",
        "directors",
        "officers",
        "supervisors",
        "members",
        "leads",
        "chairs",
        "pharmacy",
        "engineering",
        "informatics",
        "quality",
        "safety",
        "education",
        "facilities",
        "maintenance",
        "purchasing",
        "procurement",
        "operations",
        "it",
        "hr",
        "evs",
        "surgery",
        "medicine",
        "radiology",
        "anesthesia",
        "anaesthesia",
        "anesthesiology",
        "laboratory",
        "lab",
        "icu",
        "theatres",
    ]
)

#: Words of a place: a part made only of these names where, not who ("North site").
PLACE_WORDS = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "site",
        "campus",
        "wing",
        "floor",
        "level",
        "building",
        "block",
        "annex",
        "annexe",
        "main",
        "central",
        "upper",
        "lower",
    ]
)

#: Titles before a person's name: "Dr Ana Group" is a person whatever her surname.
TITLES = frozenset(
    ["dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sister", "sir", "dame"]
)

#: Words naming one person's role: an owner whose head word is one of these is a person.
PERSON_WORDS = frozenset(
    [
        "lead",
        "leader",
        "director",
        "manager",
        "chair",
        "chairperson",
        "chairman",
        "chairwoman",
        "head",
        "officer",
        "educator",
        "coordinator",
        "nurse",
        "physician",
        "doctor",
        "dr",
        "pharmacist",
        "chief",
        "supervisor",
        "specialist",
        "engineer",
        "president",
        "vp",
        "cno",
        "cmo",
        "ceo",
        "coo",
        "cfo",
        "cio",
        "cnio",
        "cmio",
        "administrator",
        "consultant",
        "surgeon",
        "anesthesiologist",
        "anaesthetist",
        "anesthetist",
        "hospitalist",
        "intensivist",
        "matron",
        "sister",
        "champion",
        "analyst",
        "technician",
        "therapist",
        "midwife",
        "registrar",
        "dean",
        "rn",
        "md",
        "np",
        "mr",
        "mrs",
        "ms",
        "mx",
        "prof",
        "professor",
        "owner",
        "steward",
        "secretary",
        "treasurer",
        "controller",
        "superintendent",
    ]
)

_PREPOSITIONS = frozenset(["of", "for", "at", "on", "in", "from", "to", "with", "within", "across"])
_PARTS = re.compile(r"[,;()\[\]]| - | – | — ")
_WORD = re.compile(r"[^\W\d_]+")
_POSSESSIVE = re.compile(r"\w['’]s\b")


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _part_kind(part: str) -> str | None:
    """What one part of an owner names: "person", "group", or None (a place or a code)."""
    tokens = [t for t in part.split() if not any(ch.isdigit() for ch in t)]
    words = [w.lower() for t in tokens for w in _WORD.findall(t)]
    if not words or all(w in PLACE_WORDS for w in words):
        return None
    if words[0] in TITLES and not _POSSESSIVE.search(part):
        return "person"
    before: list[str] = []
    for w in words:
        if w in _PREPOSITIONS and before:
            break
        before.append(w)
    if before[-1] in PERSON_WORDS:
        return "person"
    return "group" if GROUP_WORDS.intersection(words) else "person"


def is_group_owner(owner: str) -> bool:
    """True when the owner names a group ("Falls committee", "4 West nursing staff").

    The rules, with examples, are in the module doc: a group only when some part of the owner
    is a group and no part is a person.
    """
    kinds = {_part_kind(part) for part in _PARTS.split(owner)}
    return "group" in kinds and "person" not in kinds


def has_no_owner(owner: str) -> bool:
    """True for a blank owner or a placeholder such as "TBD." or "n/a" (see the module doc)."""
    words = [w.lower() for w in _WORD.findall(owner)]
    if " ".join(words) in NO_OWNER or (words and words[0] in NO_OWNER_FIRST):
        return True
    # Initials spelled with stops or slashes: "t.b.d." is "tbd", "n/a" is "na".
    return all(len(w) == 1 for w in words) and "".join(words) in NO_OWNER


@dataclass(frozen=True, slots=True)
class PlanCounts:
    """The numbers behind the summary line."""

    actions: int
    stronger: int
    intermediate: int
    weaker: int
    unrated: int
    root_causes: int
    #: Root causes with at least one stronger or intermediate action (leadership concurring).
    roots_strong: int

    @property
    def strong_share(self) -> float | None:
        """The share of root causes with a stronger or intermediate action (None: no roots)."""
        return self.roots_strong / self.root_causes if self.root_causes else None


def _live(actions: Sequence[Action]) -> list[Action]:
    """The actions that will be carried out (leadership did not refuse them)."""
    return [a for a in actions if a.concurrence != Concurrence.DO_NOT_CONCUR]


#: The written reasons a root cause may be asked for (fields of `Cause`).
NO_ACTION_REASON = "no_action_reason"
WEAK_ONLY_REASON = "weak_only_reason"


def reason_asked(actions: Sequence[Action]) -> str | None:
    """Which reason a root cause with these actions needs: `NO_ACTION_REASON` when none will be
    carried out, `WEAK_ONLY_REASON` when all that will are weaker, else None (nothing to
    explain: some action is stronger, intermediate or not rated yet)."""
    live = _live(actions)
    if not live:
        return NO_ACTION_REASON
    if all(a.strength == Strength.WEAKER for a in live):
        return WEAK_ONLY_REASON
    return None


def _by_cause(dossier: Dossier) -> dict[int, list[Action]]:
    out: dict[int, list[Action]] = {}
    for action in dossier.actions:
        for cause_id in action.addresses:
            out.setdefault(cause_id, []).append(action)
    return out


def plan_counts(dossier: Dossier) -> PlanCounts:
    strengths = [a.strength for a in dossier.actions]
    roots = [c for c in dossier.causes if c.kind == CauseKind.ROOT]
    by_cause = _by_cause(dossier)
    good = {Strength.STRONGER, Strength.INTERMEDIATE}
    roots_strong = sum(
        1 for c in roots if any(a.strength in good for a in _live(by_cause.get(c.id, [])))
    )
    return PlanCounts(
        actions=len(strengths),
        stronger=strengths.count(Strength.STRONGER),
        intermediate=strengths.count(Strength.INTERMEDIATE),
        weaker=strengths.count(Strength.WEAKER),
        unrated=sum(1 for s in strengths if s is None),
        root_causes=len(roots),
        roots_strong=roots_strong,
    )


def plan_summary(dossier: Dossier) -> str:
    """One line: actions per strength, and the share of root causes with a strong action.

    For example "4 actions: 1 stronger, 2 intermediate, 1 weaker. 3 of 3 root causes (100%)
    have a stronger or intermediate action."
    """
    n = plan_counts(dossier)
    parts = [
        f"{n.stronger} stronger",
        f"{n.intermediate} intermediate",
        f"{n.weaker} weaker",
    ]
    if n.unrated:
        parts.append(f"{n.unrated} not rated")
    head = f"{n.actions} action{'s' * (n.actions != 1)}: {', '.join(parts)}."
    if n.strong_share is None:
        return f"{head} No root causes yet."
    verb = "has" if n.root_causes == 1 else "have"
    return (
        f"{head} {n.roots_strong} of {n.root_causes} root cause{'s' * (n.root_causes != 1)} "
        f"({n.strong_share:.0%}) {verb} a stronger or intermediate action."
    )


def plan_findings(dossier: Dossier, today: dt.date | None = None) -> list[Finding]:
    """Every plan check (see the module doc); `today` decides what is overdue."""
    today = today or dt.date.today()
    out: list[Finding] = []
    by_cause = _by_cause(dossier)
    for cause in dossier.causes:
        if cause.kind != CauseKind.ROOT:
            continue
        name = _short(cause.text)
        every = by_cause.get(cause.id, [])
        asked = reason_asked(every)
        if asked == NO_ACTION_REASON and not cause.no_action_reason.strip():
            refused = " (leadership did not concur with its actions)" if every else ""
            out.append(
                Finding(
                    "P-NO-ACTION",
                    "error",
                    cause.id,
                    f"Root cause '{name}' has no action{refused}: add one, or write why no "
                    "action is planned",
                )
            )
        elif asked == WEAK_ONLY_REASON and not cause.weak_only_reason.strip():
            out.append(
                Finding(
                    "P-WEAK-ONLY",
                    "warning",
                    cause.id,
                    f"Root cause '{name}' has only weaker actions (training, policy, "
                    "reminders ...): add a stronger or intermediate action, or write why "
                    "weaker ones are enough",
                )
            )
    for action in dossier.actions:
        if action.concurrence == Concurrence.DO_NOT_CONCUR:
            continue
        out.extend(_action_findings(action, today))
    return out


def _action_findings(action: Action, today: dt.date) -> list[Finding]:
    out: list[Finding] = []
    name = f"Action '{_short(action.text)}'"

    def add(code: str, severity: str, message: str) -> None:
        out.append(Finding(code, severity, action.id, f"{name} {message}"))

    if has_no_owner(action.owner):
        add("P-NO-OWNER", "error", "has no responsible person: name one person")
    elif is_group_owner(action.owner):
        add(
            "P-GROUP-OWNER",
            "error",
            f"is owned by a group ('{_short(action.owner, 40)}'): name one responsible "
            "person, not a committee, team or department",
        )
    if action.due is None:
        add("P-NO-DUE", "error", "has no due date")
    elif is_overdue(action, today):
        days = (today - action.due).days
        add(
            "P-OVERDUE",
            "warning",
            f"was due on {action.due.isoformat()} ({days} day{'s' * (days != 1)} ago) and is "
            "not done",
        )
    measure = action.measure
    if not measure.what.strip():
        add(
            "P-NO-MEASURE",
            "error",
            "has no measure of effectiveness: say what will be measured, how, the target and when",
        )
    else:
        missing = [
            label
            for label, value in (("target", measure.target.strip()), ("date", measure.date))
            if not value
        ]
        if missing:
            add(
                "P-MEASURE-INCOMPLETE",
                "warning",
                f"has a measure without a {' or a '.join(missing)}",
            )
    if measure.date is not None and action.due is not None and measure.date < action.due:
        add(
            "P-MEASURE-EARLY",
            "warning",
            f"is measured on {measure.date.isoformat()}, before it is due "
            f"({action.due.isoformat()}): measure after the action is in place",
        )
    if action.strength is None:
        hint = suggest_strength(action.text)
        said = f" (the wording suggests {hint.strength}: {hint.category})" if hint else ""
        add("P-NO-STRENGTH", "warning", f"is not rated on the action hierarchy{said}")
    if not action.addresses:
        add("P-UNLINKED", "warning", "addresses no cause: choose the root cause(s) it addresses")
    return out

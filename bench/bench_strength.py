"""How often the rules read right: the action-strength suggestion and the five rules of causation,
each on a held-out list of published examples that the word lists were never tuned on.

Why: both rules only read words, and a rule tuned on its own test table can score well there and
badly on the next investigation. The held-out lists measure what an investigator will meet.
Targets (issue 18): at least 90% of held-out actions get the strength the VA NCPS / RCA2 action
hierarchy gives them, and no stronger action gets no suggestion; at least 95% of held-out causal
texts get exactly the rules they break. The floor beside each figure is what always giving the
most common answer would score.

Run: .venv/bin/python bench/bench_strength.py [--actions FILE] [--causal FILE] [--misses]
The default files are bench/data/actions_heldout.tsv and bench/data/causal_heldout.tsv; the
tuning halves are tests/data/actions_tuning.tsv and the CASES of tests/test_causation.py.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

try:
    import models  # noqa: F401
except ImportError:  # run from a source tree without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.domain import Cause, Dossier, Investigation, Link
from models.rules.action_strength import suggest_strength
from models.rules.causation import causation_findings

DATA = Path(__file__).resolve().parent / "data"
STRENGTHS = ("stronger", "intermediate", "weaker")
NONE = "none"


def rows(path: Path, fields: int) -> list[list[str]]:
    """The tab-separated lines of a data file, without comments and empty lines."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != fields:
            raise SystemExit(f"{path}:{number}: {len(cells)} fields, expected {fields}")
        out.append(cells)
    return out


def bench_actions(path: Path, show_misses: bool) -> None:
    data = rows(path, 4)
    confusion: Counter[tuple[str, str]] = Counter()
    same_category = 0
    misses = []
    for strength, category, text, _source in data:
        hint = suggest_strength(text)
        got = hint.strength or NONE
        confusion[strength, got] += 1
        same_category += hint.category == category
        if got != strength:
            misses.append((strength, got, text, hint.category))
    n = len(data)
    right = sum(confusion[s, s] for s in STRENGTHS)
    floor = max(Counter(s for s, *_ in data).values())
    stronger_missing = confusion["stronger", NONE]
    print(f"actions: {path.name}, {n} actions")
    print(f"  strength right   {right:4d} of {n} = {right / n:6.1%}  (floor {floor / n:.1%})")
    print(f"  category right   {same_category:4d} of {n} = {same_category / n:6.1%}")
    print("  confusion (rows: the hierarchy's strength, columns: the suggestion)")
    print("  " + " " * 14 + "".join(f"{c:>14}" for c in (*STRENGTHS, NONE)))
    for s in STRENGTHS:
        print(f"  {s:14}" + "".join(f"{confusion[s, c]:14d}" for c in (*STRENGTHS, NONE)))
    met = right / n >= 0.9 and stronger_missing == 0
    print(
        f"  target: at least 90% and no stronger action without a suggestion "
        f"({stronger_missing} without): {'met' if met else 'missed'}"
    )
    if show_misses:
        for strength, got, text, category in misses:
            print(f"  miss: {strength} -> {got} ({category}): {text}")


def findings_of(kind: str, before: bool, text: str, statement: str) -> set[str]:
    """The R-codes for one cause linked to an event, with or without a cause before it."""
    causes = [
        Cause(1, 1, "Patient harmed", kind="event"),
        Cause(2, 1, text, kind=kind, statement=statement),
    ]
    links = [Link(1, 1, 2, 1)]
    if before:
        causes.append(Cause(3, 1, "Twelve-hour shifts with no relief", kind="contributing"))
        links.append(Link(2, 1, 3, 2))
    dossier = Dossier(
        investigation=Investigation(id=1, title="bench"),
        team=(),
        timeline=(),
        causes=tuple(causes),
        links=tuple(links),
        actions=(),
        signoffs=(),
        feedback=(),
    )
    return {f.code for f in causation_findings(dossier) if f.subject == 2}


def bench_causal(path: Path, show_misses: bool) -> None:
    data = rows(path, 6)
    right = 0
    misses = []
    for expected, kind, before, text, statement, _source in data:
        want = set() if expected == "-" else set(expected.split(","))
        got = findings_of(kind, before == "yes", text, "" if statement == "-" else statement)
        if got == want:
            right += 1
        else:
            misses.append((want, got, text))
    n = len(data)
    floor = max(Counter(e for e, *_ in data).values())
    print(f"causal texts: {path.name}, {n} texts")
    print(f"  rules right      {right:4d} of {n} = {right / n:6.1%}  (floor {floor / n:.1%})")
    print(f"  target: at least 95%: {'met' if right / n >= 0.95 else 'missed'}")
    if show_misses:
        for want, got, text in misses:
            print(f"  miss: expected {sorted(want) or '-'}, got {sorted(got) or '-'}: {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=Path, default=DATA / "actions_heldout.tsv")
    parser.add_argument("--causal", type=Path, default=DATA / "causal_heldout.tsv")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    bench_actions(args.actions, args.misses)
    print()
    bench_causal(args.causal, args.misses)


if __name__ == "__main__":
    main()

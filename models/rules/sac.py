"""The Safety Assessment Code (SAC): risk score from severity and probability.

The matrix is data (the VA National Center for Patient Safety's). Each event has two scores, one
per severity: the actual (what happened) and the potential (the worst credible outcome). Close calls
(near misses) and unsafe conditions did not reach the patient, so they are scored on the
potential severity (the actual one while the potential is not known). An incident is scored on
the higher of its two scores (RCA2 / VA NCPS triage): little actual harm with a catastrophic
credible outcome still needs a full RCA. An event without a report type is scored like an
incident. `assess()` is the one definition; the service stores its score, the intake form and
the matrix widget show both scores and which one decided.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.vocab import Probability, ReportType, Severity

#: Events that did not reach the patient: scored on the worst credible outcome.
CLOSE_CALLS = (ReportType.NEAR_MISS, ReportType.UNSAFE_CONDITION)

MATRIX: dict[Probability, dict[Severity, int]] = {
    Probability.FREQUENT: {
        Severity.CATASTROPHIC: 3,
        Severity.MAJOR: 3,
        Severity.MODERATE: 2,
        Severity.MINOR: 1,
    },
    Probability.OCCASIONAL: {
        Severity.CATASTROPHIC: 3,
        Severity.MAJOR: 2,
        Severity.MODERATE: 1,
        Severity.MINOR: 1,
    },
    Probability.UNCOMMON: {
        Severity.CATASTROPHIC: 3,
        Severity.MAJOR: 2,
        Severity.MODERATE: 1,
        Severity.MINOR: 1,
    },
    Probability.REMOTE: {
        Severity.CATASTROPHIC: 3,
        Severity.MAJOR: 2,
        Severity.MODERATE: 1,
        Severity.MINOR: 1,
    },
}

MEANING = {
    3: "highest risk: full RCA required",
    2: "intermediate risk",
    1: "lowest risk",
}


def matrix_score(severity: str | None, probability: str | None) -> int | None:
    """The matrix cell, or None while either axis is unknown."""
    if not severity or not probability:
        return None
    return MATRIX[Probability(probability)][Severity(severity)]


@dataclass(frozen=True)
class Assessment:
    """Both scores of an event and which one decides (see the module docstring).

    `actual` and `potential` are the matrix scores of the two severities (None while a
    severity or the probability is missing). `decided_by` is "actual", "potential", "both"
    (an incident whose two scores are equal) or None (not scored). `severity` is the severity
    whose cell gives `score`, the actual one when both decide.
    """

    actual: int | None
    potential: int | None
    score: int | None
    decided_by: str | None
    severity: str | None
    close_call: bool


def assess(
    report_type: str | None,
    severity_actual: str | None,
    severity_potential: str | None,
    probability: str | None,
) -> Assessment:
    """Score an event on both severities and decide (the one definition of the rule)."""
    actual = matrix_score(severity_actual, probability)
    potential = matrix_score(severity_potential, probability)
    close_call = report_type in CLOSE_CALLS
    decided_by: str | None
    if actual is None and potential is None:
        decided_by = None
    elif potential is None:
        decided_by = "actual"
    elif actual is None or close_call or potential > actual:
        decided_by = "potential"
    elif actual > potential:
        decided_by = "actual"
    else:
        decided_by = "both"
    if decided_by == "potential":
        score, severity = potential, severity_potential
    elif decided_by is None:
        score, severity = None, None
    else:
        score, severity = actual, severity_actual
    return Assessment(actual, potential, score, decided_by, severity, close_call)


def sac_score(
    report_type: str | None,
    severity_actual: str | None,
    severity_potential: str | None,
    probability: str | None,
) -> int | None:
    """The SAC score of an event (1-3), or None while it cannot be scored."""
    return assess(report_type, severity_actual, severity_potential, probability).score


def describe(score: int | None) -> str:
    """'3: highest risk: full RCA required', or 'not scored yet'."""
    if score is None:
        return "not scored yet"
    return f"{score}: {MEANING[score]}"

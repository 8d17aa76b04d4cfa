"""The Safety Assessment Code (SAC): risk score from severity and probability.

The matrix is data (VA NCPS, as in ../shared/DOMAIN.md). Close calls (near misses) and unsafe
conditions are scored on the worst credible outcome, i.e. the potential severity; incidents on the
actual severity, falling back to the potential one when the actual is not yet known.
"""

from __future__ import annotations

from models.vocab import Probability, ReportType, Severity

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


def scored_severity(
    report_type: str | None, severity_actual: str | None, severity_potential: str | None
) -> str | None:
    """Which severity the score uses (see the module docstring)."""
    if report_type in (ReportType.NEAR_MISS, ReportType.UNSAFE_CONDITION):
        return severity_potential or severity_actual
    return severity_actual or severity_potential


def sac_score(
    report_type: str | None,
    severity_actual: str | None,
    severity_potential: str | None,
    probability: str | None,
) -> int | None:
    """The SAC score of an event (1-3), or None while it cannot be scored."""
    severity = scored_severity(report_type, severity_actual, severity_potential)
    return matrix_score(severity, probability)


def describe(score: int | None) -> str:
    """'3: highest risk: full RCA required', or 'not scored yet'."""
    if score is None:
        return "not scored yet"
    return f"{score}: {MEANING[score]}"

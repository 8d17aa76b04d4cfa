"""Triage rules of the intake: the SAC score on both severities.

Plain values, no database: what the service stores and the form shows.
"""

from __future__ import annotations

import pytest

from models.rules import sac


@pytest.mark.parametrize(
    ("report_type", "actual", "potential", "probability", "expected"),
    [
        # An incident: the higher of the two scores counts (RCA2 / VA NCPS triage).
        ("incident", "minor", "catastrophic", "occasional", (1, 3, 3, "potential")),
        ("incident", "major", "moderate", "frequent", (3, 2, 3, "actual")),
        ("incident", "major", "catastrophic", "frequent", (3, 3, 3, "both")),
        ("incident", "moderate", "minor", "remote", (1, 1, 1, "both")),
        ("incident", None, "catastrophic", "remote", (None, 3, 3, "potential")),
        ("incident", "moderate", None, "frequent", (2, None, 2, "actual")),
        # No report type yet: scored like an incident.
        (None, "minor", "major", "occasional", (1, 2, 2, "potential")),
        # A close call did not reach the patient: the worst credible outcome is scored.
        ("near_miss", "minor", "catastrophic", "remote", (1, 3, 3, "potential")),
        ("near_miss", "major", "minor", "frequent", (3, 1, 1, "potential")),
        ("unsafe_condition", "moderate", None, "frequent", (2, None, 2, "actual")),
        # Not scored while the probability or both severities are missing.
        ("incident", "catastrophic", "catastrophic", None, (None, None, None, None)),
        ("near_miss", None, None, "frequent", (None, None, None, None)),
    ],
)
def test_assess_scores_both_severities_and_says_which_decided(
    report_type, actual, potential, probability, expected
):
    result = sac.assess(report_type, actual, potential, probability)
    assert (result.actual, result.potential, result.score, result.decided_by) == expected
    assert sac.sac_score(report_type, actual, potential, probability) == expected[2]
    decided = {"potential": potential, "actual": actual, "both": actual, None: None}
    assert result.severity == decided[expected[3]]


def test_a_catastrophic_credible_outcome_needs_a_full_rca():
    """A wrong-patient procedure stopped late: little actual harm, catastrophic potential."""
    score = sac.sac_score("incident", "minor", "catastrophic", "remote")
    assert sac.describe(score) == "3: highest risk: full RCA required"

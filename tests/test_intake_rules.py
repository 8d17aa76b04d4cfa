"""Triage rules of the intake: the SAC score on both severities, and the sentinel-event rule.

Plain values, no database: what the service stores, the form shows and `rca check` warns about.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from models.domain import Investigation
from models.rules import sac
from models.rules.checks import run_checks
from models.rules.sentinel import sentinel_findings, suggests_sentinel
from rca_tui.cli import cli


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


@pytest.mark.parametrize(
    ("report_type", "harm", "ncc_merp", "expected"),
    [
        ("incident", "death", None, True),
        ("incident", "severe", None, True),
        (None, "death", None, True),  # report type not said yet: it may have reached
        ("incident", None, "I", True),  # NCC MERP I: error contributed to death
        ("incident", None, "G", True),  # permanent harm
        ("incident", "mild", "H", True),  # intervention to sustain life
        ("incident", "moderate", "F", False),
        ("incident", "mild", None, False),
        ("incident", "unknown", None, False),
        ("near_miss", "death", None, False),  # did not reach the patient
        ("unsafe_condition", "severe", "I", False),
        (None, None, None, False),
    ],
)
def test_suggests_sentinel(report_type, harm, ncc_merp, expected):
    assert suggests_sentinel(report_type, harm, ncc_merp) is expected


def investigation(**fields) -> Investigation:
    base = {"id": 7, "title": "x", "version": 1}
    return Investigation(**(base | fields))


def test_a_death_not_marked_sentinel_is_a_warning():
    inv = investigation(report_type="incident", harm="death", sentinel=False)
    (finding,) = sentinel_findings(inv)
    assert (finding.code, finding.severity, finding.subject) == ("I-SENTINEL", "warning", None)
    assert "death" in finding.message and "45 business days" in finding.message
    marked = investigation(report_type="incident", harm="death", sentinel=True)
    assert sentinel_findings(marked) == []
    assert sentinel_findings(investigation(report_type="incident", harm="mild")) == []
    (merp,) = sentinel_findings(investigation(report_type="incident", ncc_merp="I"))
    assert "NCC MERP I: error contributed to death" in merp.message


@pytest.fixture
def rca(db_path):
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(cli, ["--db", str(db_path), "--user", "alice", *args], input=input)

    return run


def test_rca_check_warns_about_an_unmarked_sentinel_event(rca, service):
    inv = service.create_investigation(
        "Wrong-site surgery", report_type="incident", harm="death", sentinel=False
    )
    result = rca("check", str(inv.id), "--json")
    assert result.exit_code == 0
    codes = {(f["code"], f["severity"]) for f in json.loads(result.stdout)}
    assert ("I-SENTINEL", "warning") in codes
    text = rca("check", str(inv.id)).stdout
    assert "WARNING I-SENTINEL: Harm that reached the patient (death)" in text
    assert rca("check", str(inv.id), "--fail-on", "warning").exit_code == 1
    marked = service.update_investigation(inv.id, inv.version, sentinel=True)
    assert "I-SENTINEL" not in {f.code for f in run_checks(service.dossier(marked.id))}


def test_rca_import_stores_every_ncc_merp_category(rca, service):
    for category in "ABCDEFGHI":
        doc = {
            "format": "rca-tui/1",
            "investigation": {"title": f"Insulin {category}", "ncc_merp": category},
        }
        result = rca("import", "-", input=json.dumps(doc))
        assert result.exit_code == 0, result.output
        new_id = int(result.stdout.strip().splitlines()[-1])
        assert service.get_investigation(new_id).ncc_merp == category

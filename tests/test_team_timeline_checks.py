"""Team charter and timeline checks: warnings an investigator acts on."""

from __future__ import annotations

import datetime as dt

from models.domain import TeamMember, TimelineEntry
from models.rules.team_checks import team_findings
from models.rules.timeline_checks import timeline_findings


def member(i, role="other", involved=False):
    return TeamMember(id=i, investigation_id=1, name=f"Member {i}", role=role, involved=involved)


def codes(findings):
    return sorted((f.code, f.subject) for f in findings)


def test_good_team_has_no_warnings():
    team = [
        member(1, "facilitator"),
        member(2, "subject_expert"),
        member(3, "unfamiliar"),
        member(4, "front_line"),
        member(5, "patient_rep"),
    ]
    assert team_findings(team) == []


def test_small_team_without_facilitator_or_outsider():
    found = codes(team_findings([member(1, "subject_expert"), member(2, "front_line")]))
    assert found == [("T-NO-FACILITATOR", None), ("T-NO-OUTSIDER", None), ("T-SIZE", None)]


def test_large_team_and_involved_member():
    team = [member(1, "facilitator"), member(2, "unfamiliar")] + [member(i) for i in range(3, 8)]
    team[3] = member(4, involved=True)
    found = codes(team_findings(team))
    assert ("T-SIZE", None) in found and ("T-INVOLVED", 4) in found
    assert "7 members" in next(f.message for f in team_findings(team) if f.code == "T-SIZE")


def entry(i, hh_mm, day=3):
    at = None if hh_mm is None else dt.datetime(2026, 11, day, *map(int, hh_mm.split(":")))
    return TimelineEntry(id=i, investigation_id=1, at=at, happened=f"step {i}")


def test_timeline_in_order_without_gaps():
    assert timeline_findings([entry(1, "14:00"), entry(2, "14:20"), entry(3, "17:59")]) == []


def test_out_of_order_missing_time_and_gap():
    entries = [entry(1, "14:00"), entry(2, "13:00"), entry(3, None), entry(4, "23:30")]
    assert codes(timeline_findings(entries)) == [("TL-GAP", 4), ("TL-NO-TIME", 3), ("TL-ORDER", 2)]
    gap = next(f for f in timeline_findings(entries) if f.code == "TL-GAP")
    assert "10 hours" in gap.message  # measured from 13:00, the entry before it in the list


def test_a_long_gap_reads_as_people_say_it():
    later = TimelineEntry(id=2, investigation_id=1, at=dt.datetime(2026, 12, 1, 18), happened="x")
    (gap,) = timeline_findings([entry(1, "14:00", day=3), later])  # 28 days 4 hours apart
    assert gap.message.startswith("4 weeks pass before 'x'")  # was "676 hours"

"""A realistic example investigation (`rca demo`): an inpatient fall with a hip fracture.

Everything here is invented. Dates are relative to today so that deadlines on the demo look like
those of a live case. It is written through the interchange format, so the demo is created in
one transaction and also exercises the import path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

LT = "Task and technology"
TEAM = "Team (incl. communication)"
ENV = "Work environment"
ORG = "Organisation and management"
STAFF = "Individual staff"
INST = "Institutional context"


def demo_document(today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    night = dt.datetime.combine(today - dt.timedelta(days=12), dt.time(3, 10))
    eve = night - dt.timedelta(hours=8, minutes=10)

    def at(base: dt.datetime, hours: float) -> str:
        return (base + dt.timedelta(hours=hours)).isoformat()

    def day(days: int) -> str:
        return (today + dt.timedelta(days=days)).isoformat()

    causes = [
        (
            "c1",
            "Patient fell walking to the bathroom unassisted at 03:10 and fractured her left hip",
            None,
            "event",
            "Incident report; X-ray report",
            "",
        ),
        (
            "c2",
            "Patient was newly confused overnight and did not call for help before getting up",
            "Patient",
            "cause",
            "RN interview; nursing notes 02:00",
            "",
        ),
        (
            "c3",
            "Bed exit alarm was off when the patient got up",
            LT,
            "cause",
            "Bed event log shows alarm disarmed from 23:04",
            "",
        ),
        (
            "c4",
            "Alarm was silenced and reset during the 23:00 repositioning and stayed off",
            STAFF,
            "cause",
            "RN interview; bed event log",
            "",
        ),
        (
            "c5",
            "The bed model needs a manual re-arm after every reset and shows no sign that the "
            "alarm is off",
            LT,
            "cause",
            "Clinical engineering test of the bed, 3 trials",
            "",
        ),
        (
            "c6",
            "Beds were bought without usability testing of the alarm workflow",
            ORG,
            "root",
            "Purchasing file 2023-114",
            "Buying beds without usability testing of the alarm workflow led to an alarm that "
            "stays off after a reset with no visible sign, which increased the likelihood of an "
            "unobserved bed exit and fall.",
        ),
        (
            "c7",
            "Night staff did not know the patient was at high fall risk",
            TEAM,
            "cause",
            "Interviews with both night RNs",
            "",
        ),
        (
            "c8",
            "The handover template has no fall-risk field, so the Morse score (65) was not "
            "passed on at 19:00",
            TEAM,
            "root",
            "Handover template v3; handover notes",
            "A handover template without a fall-risk field led to night staff not knowing the "
            "patient's high fall risk, which increased the likelihood of the patient walking "
            "unassisted and falling.",
        ),
        (
            "c9",
            "Delirium screening (CAM) is not scheduled on night shift",
            ORG,
            "root",
            "EHR task list configuration",
            "Delirium screening that is not scheduled at night led to new confusion going "
            "unrecognised, which increased the likelihood of the patient getting up without "
            "calling for help.",
        ),
        (
            "c10",
            "Diphenhydramine 25 mg given at 22:00 for sleep to an 81-year-old",
            "Patient",
            "contributing",
            "MAR",
            "",
        ),
        (
            "c11",
            "One RN to eight patients overnight after a sick call",
            ENV,
            "contributing",
            "Staffing roster",
            "",
        ),
        (
            "c12",
            "Path from bed to bathroom was dark: the night light was broken",
            ENV,
            "contributing",
            "Walk-through on day 2",
            "",
        ),
        (
            "c13",
            "Broken lights are reported by e-mail and repaired the next working day",
            INST,
            "contributing",
            "Facilities log",
            "",
        ),
        (
            "c14",
            "Hourly rounding at 01:00 and 02:00 was missed",
            STAFF,
            "contributing",
            "Rounding log",
            "",
        ),
    ]
    #: The root causes' cause codes (models/rules/cause_codes.toml).
    codes = {
        "c6": ["LP-ORG", "TJC-ENV"],
        "c8": ["TJC-COMM.HANDOFF"],
        "c9": ["TJC-ASSESS", "TJC-HIT"],
    }
    links = [
        ("c2", "c1"),
        ("c3", "c1"),
        ("c4", "c3"),
        ("c5", "c4"),
        ("c6", "c5"),
        ("c7", "c1"),
        ("c8", "c7"),
        ("c9", "c2"),
        ("c10", "c2"),
        ("c11", "c14"),
        ("c14", "c1"),
        ("c12", "c1"),
        ("c13", "c12"),
    ]
    return {
        "format": "rca-tui/2",
        "investigation": {
            "title": "Inpatient fall with hip fracture, 4 West (demo)",
            "description": (
                "An 81-year-old woman admitted with community-acquired pneumonia got out of bed at "
                "night to go to the bathroom, fell, and fractured her left hip. She needed a hip "
                "hemiarthroplasty and a longer stay. The bed exit alarm did not sound."
            ),
            "occurred_at": night.isoformat(),
            "discovered_at": at(night, 5 / 60),
            "decision_at": at(night, 30),
            "chartered_at": at(night, 54),  # the team met the next day: within 72 hours
            "unit": "4 West, medical-surgical",
            "reported_by": "Night charge nurse",
            "event_type": "fall",
            "report_type": "incident",
            "harm": "severe",
            "severity_actual": "major",
            "severity_potential": "catastrophic",
            "probability": "frequent",
            "sentinel": True,
            "status": "action_plan",
            "patient_name": "Eleanor Rigby",
            "patient_mrn": "MRN-0048213",
            "patient_dob": "1945-05-14",
        },
        "team": [
            {"name": "Alex Morgan", "role": "facilitator"},
            {"name": "Dr Sam Patel", "role": "subject_expert"},
            {"name": "Jordan Lee", "role": "unfamiliar"},
            {"name": "Chris Evans", "role": "front_line"},
            {"name": "Pat Kim", "role": "patient_rep"},
        ],
        "timeline": [
            {
                "at": eve.isoformat(),
                "happened": "Evening handover; fall-risk score not mentioned",
                "should_have": "High fall risk (Morse 65) stated at handover and on the board",
                "source": "Handover notes; RN interview",
            },
            {
                "at": at(eve, 3),
                "happened": "Diphenhydramine 25 mg given for sleep",
                "should_have": "No sedating antihistamine for a patient over 65 (Beers criteria)",
                "source": "MAR",
            },
            {
                "at": at(eve, 4),
                "happened": "Patient repositioned; bed alarm silenced and reset",
                "should_have": "Bed exit alarm re-armed after repositioning",
                "source": "Bed event log; RN interview",
            },
            {
                "at": at(eve, 6),
                "happened": "Hourly rounding missed; RN with another patient",
                "should_have": "Hourly rounding with an offer of toileting",
                "source": "Rounding log",
            },
            {
                "at": at(eve, 7),
                "happened": "Patient noted to be restless and confused",
                "should_have": "Delirium screen (CAM) and fall precautions reviewed",
                "source": "Nursing notes",
            },
            {
                "at": night.isoformat(),
                "happened": "Patient found on the floor by the bathroom door",
                "should_have": "",
                "source": "Incident report",
            },
            {
                "at": at(night, 0.1),
                "happened": "Rapid response called: left hip pain, leg shortened",
                "should_have": "",
                "source": "Rapid response record",
            },
            {
                "at": at(night, 3.5),
                "happened": "X-ray: left femoral neck fracture",
                "should_have": "",
                "source": "Radiology report",
            },
        ],
        "causes": [
            {
                "id": i,
                "text": t,
                "category": c,
                "kind": k,
                "evidence": e,
                "statement": s,
                "codes": codes.get(i, []),
            }
            for i, t, c, k, e, s in causes
        ],
        "links": [{"cause": a, "effect": b} for a, b in links],
        "actions": [
            {
                "addresses": ["c6"],
                "text": "Configure every bed so the exit alarm re-arms by itself after a reset, "
                "and buy no bed model without a usability test of its alarm workflow",
                "strength": "stronger",
                "hierarchy_category": "Forcing function",
                "owner": "Dana Whitfield, Director of Clinical Engineering",
                "due": day(45),
                "measure": {
                    "kind": "process",
                    "what": "Beds on 4 West whose alarm re-arms automatically",
                    "how": "Clinical engineering check of every bed",
                    "sample": "All 32 beds",
                    "target": "100%",
                    "date": day(60),
                },
                "status": "in_progress",
            },
            {
                "addresses": ["c8"],
                "text": "Add a required fall-risk field to the electronic handover; the handover "
                "cannot be signed without it",
                "strength": "intermediate",
                "hierarchy_category": "Software enhancement",
                "owner": "Priya Raman, Nursing Informatics Lead",
                "due": day(30),
                "measure": {
                    "kind": "process",
                    "what": "Handovers with the fall-risk field completed",
                    "how": "Weekly audit of handover records",
                    "sample": "20 handovers a week for 8 weeks",
                    "target": "95%",
                    "date": day(90),
                },
                "status": "open",
            },
            {
                "addresses": ["c9"],
                "text": "Schedule a CAM delirium screen every 12 hours in the EHR task list for "
                "inpatients aged 65 and over",
                "strength": "intermediate",
                "hierarchy_category": "Checklists and cognitive aids",
                "owner": "Dr Tom Okafor, Hospitalist Lead",
                "due": day(30),
                "measure": {
                    "kind": "outcome",
                    "what": "Falls per 1,000 patient-days among patients aged 65+",
                    "how": "Incident reports and census",
                    "sample": "All 4 West admissions aged 65+",
                    "target": "30% fewer than the last 12 months",
                    "date": day(180),
                },
                "status": "open",
            },
            {
                "addresses": ["c8"],
                "text": "Teach the new handover field at the unit's skills day",
                "strength": "weaker",
                "hierarchy_category": "Training",
                "owner": "Maria Lopez, Nurse Educator",
                "due": day(35),
                "measure": {
                    "kind": "process",
                    "what": "4 West RNs who completed the handover-field session",
                    "how": "Skills-day attendance records",
                    "sample": "All 4 West RNs",
                    "target": "90%",
                    "date": day(60),
                },
                "status": "open",
            },
        ],
        "feedback": [
            {
                "audience": "patient_family",
                "given_on": day(-10),
                "given_by": "Alex Morgan",
                "note": "Met the patient's daughter; explained the review and its timeline.",
            },
        ],
    }


def add_demo(service: Any) -> Any:
    """Add the demo investigation through the service; returns the new Investigation."""
    return service.import_document(demo_document())

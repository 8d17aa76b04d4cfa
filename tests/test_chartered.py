"""When the RCA team was chartered (the RCA started): stored with its audit entry on both
backends, carried by the JSON file exactly (and absent from files that do not have it), and
the 72-hour start judged by it in the report: met, not met and how late, or not recorded."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from test_report import make_dossier

from exports.report import build_report
from models.domain import SignOff
from models.interchange import FORMAT
from models.rules.deadlines import judge_start

#: The tests that take `service` run on a SQLite file and on a PostgreSQL server.
BOTH_BACKENDS = True

DECIDED = dt.datetime(2026, 11, 4, 9, 0)
START_BY = "Start by (72 h after decision)"


def test_a_charter_is_stored_with_one_audit_entry_and_the_trail_still_agrees(service):
    inv = service.create_investigation("Fall", decision_at=DECIDED)
    assert inv.chartered_at is None
    before = len(service.audit_entries(inv.id))
    inv2 = service.update_investigation(inv.id, inv.version, chartered_at="2026-11-05 10:00")
    assert inv2.chartered_at == dt.datetime(2026, 11, 5, 10, 0)
    assert service.get_investigation(inv.id).chartered_at == dt.datetime(2026, 11, 5, 10, 0)
    entries = service.audit_entries(inv.id)[before:]
    assert [(e.action, e.field, e.old, e.new, e.user) for e in entries] == [
        ("update", "chartered_at", None, "2026-11-05T10:00:00", "alice")
    ]
    # Cleared again: one more entry, and replaying the trail gives the row as it is.
    service.update_investigation(inv.id, inv2.version, chartered_at=None)
    assert service.get_investigation(inv.id).chartered_at is None
    assert service.audit_entries(inv.id)[-1].field == "chartered_at"
    assert service.verify_audit() is None


def test_the_charter_round_trips_exactly_and_is_left_out_when_not_recorded(service):
    inv = service.create_investigation(
        "Fall", decision_at=DECIDED, chartered_at=dt.datetime(2026, 11, 6, 8, 30)
    )
    first = service.export_document(inv.id)
    assert first["investigation"]["chartered_at"] == "2026-11-06T08:30:00"
    again = service.import_document(json.dumps(first))
    assert again.chartered_at == dt.datetime(2026, 11, 6, 8, 30)
    second = service.export_document(again.id)
    volatile = ("exported_at", "exported_by")
    assert {k: v for k, v in first.items() if k not in volatile} == {
        k: v for k, v in second.items() if k not in volatile
    }
    # Not recorded: the key is not written, so the file is what older releases wrote and read.
    plain = service.create_investigation("Near miss", decision_at=DECIDED)
    assert "chartered_at" not in service.export_document(plain.id)["investigation"]


@pytest.mark.parametrize("fmt", ["rca-tui/1", FORMAT])
def test_a_file_without_the_charter_imports_with_none_recorded(service, fmt):
    doc = {"format": fmt, "investigation": {"title": "Fall", "decision_at": "2026-11-04T09:00"}}
    inv = service.import_document(doc)
    assert inv.chartered_at is None and inv.decision_at == DECIDED


def test_a_charter_with_an_offset_is_read_as_local_time(service):
    at = dt.datetime(2026, 11, 5, 10, 0, tzinfo=dt.UTC)
    doc = {"format": FORMAT, "investigation": {"title": "Fall", "chartered_at": at.isoformat()}}
    inv = service.import_document(doc)
    assert inv.chartered_at == at.astimezone().replace(tzinfo=None)


@pytest.mark.parametrize(
    ("chartered", "expected"),
    [
        (None, None),
        (DECIDED, "met"),
        (DECIDED + dt.timedelta(hours=72), "met"),  # on the minute
        (DECIDED + dt.timedelta(hours=72, minutes=1), "not met, 1 minute late"),
        (DECIDED + dt.timedelta(hours=77), "not met, 5 hours late"),
        (DECIDED + dt.timedelta(days=6), "not met, 3 days late"),
        # never rounded to one unit: 24 h 50 min is not "24 hours"
        (DECIDED + dt.timedelta(hours=96, minutes=50), "not met, 24 hours 50 minutes late"),
        (DECIDED + dt.timedelta(hours=73, minutes=1), "not met, 1 hour 1 minute late"),
        (DECIDED + dt.timedelta(days=7, hours=4), "not met, 4 days 4 hours late"),
        (DECIDED + dt.timedelta(days=40), "not met, 5 weeks late"),
    ],
)
def test_judge_start(chartered, expected):
    assert judge_start(DECIDED + dt.timedelta(hours=72), chartered) == expected
    assert judge_start(None, chartered) is None  # no decision: no start deadline


def _start(dossier, today=dt.date(2026, 2, 22)) -> tuple[str, str]:
    r = build_report(dossier, now=dt.datetime(2026, 2, 22, 9, 0), today=today)
    return (
        {f.label: f.value for f in r.summary.deadlines}[START_BY],
        {f.label: f.value for f in r.deadline_status}[START_BY],
    )


def test_the_report_judges_the_start_by_the_charter():
    # make_dossier: decided 2026-02-21 09:00, so the start is due 2026-02-24 09:00.
    on_time = make_dossier(chartered_at=dt.datetime(2026, 2, 22, 14, 0))
    assert _start(on_time) == (
        "2026-02-24 09:00 (met: chartered 2026-02-22 14:00)",
        "2026-02-24 09:00: met (chartered 2026-02-22 14:00)",
    )
    late = make_dossier(chartered_at=dt.datetime(2026, 2, 24, 14, 0))
    assert _start(late) == (
        "2026-02-24 09:00 (not met, 5 hours late: chartered 2026-02-24 14:00)",
        "2026-02-24 09:00: not met, 5 hours late (chartered 2026-02-24 14:00)",
    )
    facts = {
        f.label: f.value for f in build_report(late, now=dt.datetime(2026, 3, 1)).summary.facts
    }
    assert facts["RCA team chartered"] == "2026-02-24 14:00"


def test_without_a_charter_the_start_is_not_recorded_open_or_finished():
    assert _start(make_dossier()) == (
        "2026-02-24 09:00 (start not recorded)",
        "2026-02-24 09:00: start not recorded",
    )
    approved = make_dossier(status="approved")
    signed = SignOff(1, 12, "reviewer", "Dr Chief", "approved", at=dt.datetime(2026, 3, 1))
    approved = dataclasses.replace(approved, signoffs=(signed,))
    assert _start(approved)[1] == "2026-02-24 09:00: approved, start not recorded"
    # Finished and chartered: judged by the charter, not by the approval.
    chartered = dataclasses.replace(
        approved,
        investigation=dataclasses.replace(
            approved.investigation, chartered_at=dt.datetime(2026, 2, 21, 10, 0)
        ),
    )
    assert _start(chartered)[1] == "2026-02-24 09:00: met (chartered 2026-02-21 10:00)"

"""`rca check` on a current SQLite file reads the investigation with sqlite3 alone: the same
dossier and recurrences as the service's ORM read, field by field, so the same findings and
the same printed lines. A file the service must open first is left to it, and a newer or
corrupt file is refused with one line and a non-zero exit, never read by the fast path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from models.demo import add_demo
from models.errors import DatabaseError, NotFoundError
from models.rules.checks import check_findings
from models.service import open_service
from models.sqlite_dossier import read_for_check
from rca_tui.cli import cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


@pytest.fixture
def full(tmp_path):
    """A database whose investigation has a row in every table the dossier reads: the demo,
    with notes and people, approved (sign-offs), with results entered and one corrected."""
    path = tmp_path / "rca.db"
    alice = open_service(path, user="alice")
    alice.add_user("rita", "reviewer")
    rita = open_service(path, user="rita", login="rita")
    inv = add_demo(alice)
    alice.add_note(inv.id, "lesson", "Bed alarms need a daily check", "from the huddle")
    alice.add_note(inv.id, "literature", "NICE CG161")
    alice.add_person(inv.id, "Night porter", "found the patient")
    inv = alice.submit_for_review(inv.id, alice.get_investigation(inv.id).version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    inv = rita.approve(inv.id, inv.version, "Strong plan")
    action = alice.list_actions(inv.id)[1]
    on = action.measure.date
    later = on + dt.timedelta(days=30)
    alice.add_measurement(action.id, taken_on=on, numerator=40, denominator=50, today=later)
    typo = alice.add_measurement(action.id, taken_on=later, value="85", today=later)
    alice.correct_measurement(typo.id, reason="typed 85 for 98", taken_on=later, value=98,
                              today=later)
    rita.db.dispose()
    yield path, alice, inv.id
    alice.db.dispose()


def assert_same_dossier(path, service, investigation_id):
    read = read_for_check(path, investigation_id)
    assert read is not None
    fast, recurrences = read
    orm = service.dossier(investigation_id)
    for f in dataclasses.fields(orm):
        mine, theirs = getattr(fast, f.name), getattr(orm, f.name)
        assert mine == theirs, f.name
        # the same types too (a date is not its text, a flag not 0 or 1)
        items = mine if isinstance(mine, tuple) else (mine,)
        for a, b in zip(items, theirs if isinstance(theirs, tuple) else (theirs,), strict=True):
            if dataclasses.is_dataclass(a):
                for g in dataclasses.fields(a):
                    assert type(getattr(a, g.name)) is type(getattr(b, g.name)), (f.name, g.name)
    assert recurrences == service.recurrences(investigation_id)
    return fast, recurrences


def test_every_table_read_with_sqlite3_is_the_orm_read(full):
    path, service, inv_id = full
    fast, _ = assert_same_dossier(path, service, inv_id)
    for f in dataclasses.fields(fast):  # nothing compared empty to empty
        assert getattr(fast, f.name), f.name
    assert any(m.superseded_by for m in fast.measurements)
    assert check_findings(*read_for_check(path, inv_id)) == service.check(inv_id)


def test_a_bench_investigation_reads_the_same(tmp_path):
    from bench_store import make_document

    path = tmp_path / "rca.db"
    service = open_service(path, user="alice")
    inv = service.import_document(make_document(400))
    assert_same_dossier(path, service, inv.id)
    service.db.dispose()


def test_recurrences_read_the_same(tmp_path):
    from test_recurrence import _event

    path = tmp_path / "rca.db"
    service = open_service(path, user="alice")
    day = dt.datetime(2025, 1, 5, 9)
    earlier, root = _event(service, "Mix-up 1", unit="NICU", event_type="medication", day=day,
                           codes=["TJC-MED.LASA"])
    action = service.add_action(earlier.id, "Separate the two strengths", addresses=[root.id])
    action = service.update_action(action.id, action.version, status="in_progress")
    service.update_action(action.id, action.version, status="done")
    completed = service.audit_entries(earlier.id)[-1].at
    later, _ = _event(service, "Mix-up 2", unit="NICU", event_type="medication",
                      day=completed + dt.timedelta(days=30), codes=["TJC-MED.LASA"])
    for inv_id in (earlier.id, later.id):
        _, found = assert_same_dossier(path, service, inv_id)
        assert len(found) == 1
    codes = {f.code for f in check_findings(*read_for_check(path, later.id))}
    assert "L-RECURRED" in codes
    service.db.dispose()


def test_a_missing_investigation_is_not_found(full):
    path, _, _ = full
    with pytest.raises(NotFoundError, match="no investigation with id 99"):
        read_for_check(path, 99)


def test_files_the_service_must_open_first_are_left_to_it(full, tmp_path):
    path, _, inv_id = full
    assert read_for_check(tmp_path / "missing.db", 1) is None
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = '0005'")  # older: migrated on open
    assert read_for_check(path, inv_id) is None


def _check_output(db, *args, fast=True, monkeypatch=None):
    if not fast:
        monkeypatch.setattr("models.sqlite_dossier.read_for_check", lambda *a, **k: None)
    result = CliRunner().invoke(cli, ["--db", str(db), "--user", "alice", "check", *args])
    if not fast:
        monkeypatch.undo()
    return result.exit_code, result.output


@pytest.mark.parametrize("args", [(), ("--json",), ("--fail-on", "warning")])
def test_rca_check_prints_the_same_either_way(full, monkeypatch, args):
    path, _, inv_id = full
    fast = _check_output(path, str(inv_id), *args)
    slow = _check_output(path, str(inv_id), *args, fast=False, monkeypatch=monkeypatch)
    assert fast == slow
    assert fast[1].strip()
    if "--json" in args:
        assert json.loads(fast[1])


def test_rca_check_does_not_import_sqlalchemy_or_networkx(full):
    path, _, inv_id = full
    code = (
        "import sys; from rca_tui.cli import main; sys.argv = ['rca', '--db', sys.argv[1], "
        "'check', sys.argv[2]]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted({'sqlalchemy', 'sqlmodel', 'pydantic', 'networkx'} & set(sys.modules)),"
        " file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(inv_id)],
        capture_output=True, text=True, check=True,
    )
    assert "Root cause" in out.stdout or "WARNING" in out.stdout
    assert out.stderr.strip() == "[]"


def _one_line_error(result) -> str:
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_rca_check_refuses_a_newer_database_in_one_line(full):
    path, service, inv_id = full
    service.db.dispose()
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="newer rca-tui"):
        read_for_check(path, inv_id)
    result = CliRunner().invoke(cli, ["--db", str(path), "check", str(inv_id)])
    assert "newer rca-tui (schema 9999)" in _one_line_error(result)


def test_rca_check_refuses_a_corrupt_database_in_one_line(full):
    path, service, inv_id = full
    service.db.dispose()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA journal_mode=DELETE")
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    data[page * 2 : page * 3] = b"\xff" * page  # a b-tree page made garbage
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["--db", str(path), "check", str(inv_id)])
    assert "corrupt" in _one_line_error(result)

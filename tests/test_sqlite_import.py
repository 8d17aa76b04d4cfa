"""`rca import` on a current SQLite file writes with sqlite3 alone: the same rows, every table
and column, and the same audit entries (the chain's next links, by the login, at one time) as
the ORM writer, all in one transaction; refusals say the same; the command prints the same."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from models import sqlite_import
from models.demo import add_demo, demo_document
from models.errors import DatabaseError, ImportFormatError, LockedError, ReadOnlyError
from models.service import documents, open_service
from rca_tui.cli import cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_store import make_document

REPO = Path(__file__).resolve().parents[1]
FROZEN = dt.datetime(2026, 11, 5, 9, 30, 15)
HOSTILE = "[bold]x[/] \x1b[31mred\x1b[0m \x00\x07 🙂👩🏽‍⚕️ 患者の転倒 <b>&amp; line\nbreak\r\n"


@pytest.fixture
def frozen(monkeypatch):
    """Both writers' clock at one second (the ORM's `Transaction` and the sqlite3 writer)."""
    import models.service.core as core
    import models.values as values_mod

    monkeypatch.setattr(core, "_now", lambda: FROZEN)
    monkeypatch.setattr(values_mod, "now", lambda: FROZEN)


@pytest.fixture
def base(tmp_path, frozen):
    """A database with a trail already (an admin, an investigation, a hospital's own cause code,
    a retired seed code), closed: each test copies it for either writer."""
    path = tmp_path / "base.db"
    svc = open_service(path, user="Alice Smith", login="alice")
    svc.create_investigation("Already here")
    svc.add_code("TJC-HF.BEDS", "Bed alarms", "The bed alarm was off")
    svc.retire_code("TJC-HF.FATIGUE")
    svc.db.dispose()
    return path


def copy_of(base: Path, name: str) -> Path:
    dest = base.with_name(name)
    src = sqlite3.connect(base)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return dest


def both(base: Path, doc) -> tuple[Path, Path, object, object]:
    """Import `doc` into a copy of `base` through the sqlite3 writer (what the service does on a
    SQLite file) and into another through the ORM writer; both files and both results."""
    fast_path, orm_path = copy_of(base, "fast.db"), copy_of(base, "orm.db")
    fast = open_service(fast_path, user="Alice Smith", login="alice")
    orm = open_service(orm_path, user="Alice Smith", login="alice")
    try:
        a = fast.import_document(copy.deepcopy(doc))
        b = documents.import_document(orm._uow, copy.deepcopy(doc))
        assert fast.verify_audit() is None
        assert orm.verify_audit() is None
    finally:
        fast.db.dispose()
        orm.db.dispose()
    return fast_path, orm_path, a, b


def contents(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table: its column names and every row as stored, in rowid order."""
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        out = {}
        for t in tables:
            cur = con.execute(f'SELECT * FROM "{t}" ORDER BY rowid')
            out[t] = ([d[0] for d in cur.description], cur.fetchall())
        return out
    finally:
        con.close()


def assert_same_files(fast_path: Path, orm_path: Path) -> None:
    fast, orm = contents(fast_path), contents(orm_path)
    assert list(fast) == list(orm)
    for table in orm:
        assert fast[table] == orm[table], table


def full_document() -> dict:
    """Every section and every optional field the format has, with hostile text."""
    return {
        "format": "rca-tui/2",
        "exported_at": "2026-11-04T10:00:00",
        "exported_by": "someone",
        "app_version": "1.0",
        "investigation": {
            "title": "  Fall " + HOSTILE.replace("\n", " "),
            "description": HOSTILE,
            "occurred_at": "2026-11-03T14:20:00+01:00",
            "discovered_at": "2026-11-03T15:00:00",
            "decision_at": "2026-11-04T09:00:00",
            "chartered_at": "2026-11-05T10:00:00",
            "unit": "Ward 7 " + "患者",
            "reported_by": "Nurse \x1b]0;x\x07",
            "event_type": "fall",
            "report_type": "incident",
            "harm": "severe",
            "ncc_merp": "F",
            "severity_actual": "major",
            "severity_potential": "catastrophic",
            "probability": "frequent",
            "sac_score": 3,
            "blameworthy": True,
            "blameworthy_note": HOSTILE,
            "status": "approved",
            "patient_name": "Jane \u202eDoe",
            "patient_mrn": "MRN-1",
            "patient_dob": "1945-05-14",
        },
        "categories": ["People", "Équipement", HOSTILE.replace("\n", " ")[:60]],
        "team": [
            {"name": "Rita " + HOSTILE.split("\n")[0], "role": "facilitator", "involved": True},
            {"name": "Bob", "role": "other"},
            {"name": "Uma"},
        ],
        "timeline": [
            {"at": "2026-11-03T14:00:00", "happened": HOSTILE, "should_have": "x", "source": "s"},
            {"at": None, "happened": "Found on the floor"},
        ],
        "causes": [
            {"id": 1, "text": "Fell", "kind": "event"},
            {
                "id": "alarm",
                "text": HOSTILE,
                "category": "People",
                "kind": "root",
                "evidence": HOSTILE,
                "statement": "Because the alarm was off, the fall was not noticed",
                "no_action_reason": "",
                "weak_only_reason": "budget",
                "codes": ["tjc-hf.staffing", "TJC-HF.BEDS", " TJC-HF.FATIGUE ", "TJC-HF.BEDS"],
            },
            {"id": "c3", "text": "Night shift", "kind": "contributing", "codes": []},
            {"id": "c4", "text": "No reason", "kind": "root", "no_action_reason": "accepted"},
        ],
        "links": [
            {"cause": "alarm", "effect": 1},
            {"cause": "c3", "effect": "alarm"},
            {"cause": "c4", "effect": 1},
        ],
        "actions": [
            {
                "addresses": ["alarm", "c3", "alarm"],
                "text": "Auto re-arm " + HOSTILE,
                "strength": "stronger",
                "hierarchy_category": "Forcing function",
                "owner": "Estates",
                "due": "2027-01-31",
                "measure": {
                    "kind": "process",
                    "what": "alarms armed",
                    "how": "audit",
                    "sample": "all beds",
                    "target": "95%",
                    "date": "2027-03-01",
                },
                "status": "done",
                "concurrence": "do_not_concur",
                "concurrence_reason": "too costly",
                "started_on": "2026-12-01",
                "done_on": "2027-01-15",
                "effectiveness": "effective",
                "effectiveness_by": "rita",
                "effectiveness_at": "2027-03-02T10:00:00",
                "effectiveness_note": "held",
                "closed_reason": "",
                "imported_followup": "earlier: noted",
                "measurements": [
                    {"taken_on": "2027-02-01", "numerator": 47, "denominator": 50, "note": "n"},
                    {"taken_on": "2027-02-15", "value": 85.5, "entered_by": "uma",
                     "corrected": "typed 85 for 98"},
                    {"taken_on": "2027-03-01", "value": 98},
                ],
            },
            {
                "addresses": [],
                "text": "Retrain",
                "strength": "weaker",
                "concurrence": "concur",
                "imported_concurrence": "",
                "closed_reason": "superseded",
                "closed_by": "",
            },
            {"text": "Bare", "imported_concurrence": "concur (elsewhere)"},
        ],
        "signoffs": [
            {"role": "Chair", "name": "Dr Who", "decision": "approved", "comment": HOSTILE,
             "at": "2026-11-20T12:00:00", "imported": True},
            {"name": "Lead", "decision": "returned"},
        ],
        "feedback": [
            {"audience": "patient_family", "given_on": "2026-11-21", "given_by": "Rita",
             "note": HOSTILE, "method": "in person"},
            {"audience": "staff"},
        ],
        "notes": [
            {"kind": "lesson", "text": "Check alarms daily", "detail": "huddle"},
            {"kind": "strategy", "text": "Bed rails", "detail": "restraint"},
            {"kind": "literature", "text": "NICE CG161"},
        ],
        "people": [
            {"name": "Night porter " + HOSTILE.split("\n")[0], "involvement": "found her"},
            {"name": "Daughter"},
        ],
    }


def demo_export(tmp_path: Path) -> dict:
    """The demo investigation as `rca export --format json` writes it, reviewed and approved,
    with notes, people and results (so every section is there)."""
    path = tmp_path / "demo.db"
    alice = open_service(path, user="alice", login="alice")
    alice.add_user("rita", "reviewer")
    rita = open_service(path, user="rita", login="rita")
    inv = add_demo(alice)
    alice.add_note(inv.id, "lesson", "Bed alarms need a daily check", "from the huddle")
    alice.add_person(inv.id, "Night porter", "found the patient")
    inv = alice.submit_for_review(inv.id, alice.get_investigation(inv.id).version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    inv = rita.approve(inv.id, inv.version, "Strong plan")
    action = alice.list_actions(inv.id)[1]
    on = action.measure.date
    alice.add_measurement(action.id, taken_on=on, numerator=40, denominator=50, today=on)
    doc = alice.export_document(inv.id)
    rita.db.dispose()
    alice.db.dispose()
    return doc


def test_the_column_defaults_are_the_tables_own():
    from pydantic_core import PydanticUndefined

    from models import tables

    by_name = {t.__tablename__: t for t in tables.SQLModel.__subclasses__()}
    for name, columns in sqlite_import.COLUMNS.items():
        table = by_name[name]
        assert set(columns) == {c.name for c in table.__table__.columns} - {"id"}, name
        for column, default in columns.items():
            field = table.model_fields[column]
            if default is sqlite_import.NOW:
                assert field.default_factory is tables._now, (name, column)
            else:
                want = None if field.default is PydanticUndefined else field.default
                assert default == want and type(default) is type(want), (name, column)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda tmp: demo_document(dt.date(2026, 11, 5)), id="demo"),
        pytest.param(demo_export, id="demo-export"),
        pytest.param(lambda tmp: make_document(20), id="bench-20"),
        pytest.param(lambda tmp: make_document(300, seed=7), id="bench-300"),
        pytest.param(lambda tmp: full_document(), id="every-field"),
        pytest.param(lambda tmp: json.dumps(full_document()).encode(), id="every-field-bytes"),
        pytest.param(lambda tmp: {"format": "rca-tui/1", "investigation": {"title": "T"}},
                     id="bare"),
    ],
)
def test_both_writers_store_the_same_rows_and_entries(base, tmp_path, make):
    doc = make(tmp_path)
    fast_path, orm_path, a, b = both(base, doc)
    assert a == b
    assert_same_files(fast_path, orm_path)
    names, rows = contents(fast_path)["audit_entry"]
    entries = [dict(zip(names, r, strict=True)) for r in rows]
    imported = [e for e in entries if e["action"] == "import"]
    assert imported and {e["investigation_id"] for e in imported} == {a.id}


def test_every_field_arrives(base):
    fast_path, _, inv, _ = both(base, full_document())
    assert inv.status == "action_plan"  # authority does not travel in a file
    assert inv.chartered_at == dt.datetime(2026, 11, 5, 10, 0)
    assert inv.created_by == "alice" and inv.created_at == FROZEN
    rows = contents(fast_path)
    names = rows["audit_entry"][0]
    entries = [dict(zip(names, r, strict=True)) for r in rows["audit_entry"][1]]
    mine = [e for e in entries if e["investigation_id"] == inv.id]
    assert {e["user"] for e in mine} == {"alice"}
    assert {e["display_name"] for e in mine} == {"Alice Smith"}
    assert {e["at"] for e in mine} == {"2026-11-05 09:30:15.000000"}
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    codes = sorted(r[1] for r in rows["cause_code_link"][1])
    assert codes == ["TJC-HF.BEDS", "TJC-HF.FATIGUE", "TJC-HF.STAFFING"]
    assert len(rows["measurement"][1]) == 3 and len(rows["involved_person"][1]) == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["causes"][1].update(codes=["NOPE.X"]), "causes[1].codes[0]: there is no"),
        (lambda d: d["notes"][1].update(detail=" "), "notes[1].detail: a strategy not taken"),
        (lambda d: d["team"][0].update(name="x" * 2001), "team[0].name: too long"),
        (lambda d: d["actions"][2].update(owner="o" * 2001), "actions[2].owner: too long"),
        (lambda d: d["signoffs"][0].update(role="r" * 2001), "signoffs[0].role: too long"),
        (lambda d: d["people"][1].update(name=" "), "people[1].name: is required"),
        (lambda d: d["investigation"].pop("title"), "investigation.title: Field required"),
    ],
)
def test_refusals_are_the_same_and_leave_nothing(base, mutate, message):
    doc = full_document()
    mutate(doc)
    fast_path, orm_path = copy_of(base, "fast.db"), copy_of(base, "orm.db")
    before = contents(fast_path)
    fast = open_service(fast_path, user="Alice Smith", login="alice")
    orm = open_service(orm_path, user="Alice Smith", login="alice")
    try:
        with pytest.raises(ImportFormatError) as fast_error:
            fast.import_document(copy.deepcopy(doc))
        with pytest.raises(ImportFormatError) as orm_error:
            documents.import_document(orm._uow, copy.deepcopy(doc))
    finally:
        fast.db.dispose()
        orm.db.dispose()
    assert message in fast_error.value.message
    assert fast_error.value.message == orm_error.value.message
    assert contents(fast_path) == before == contents(orm_path)


@pytest.mark.parametrize("where", ["causal_link", "audit"])
def test_a_failure_midway_leaves_nothing(base, monkeypatch, where):
    """The rows and their audit entries are one transaction: a failure after the rows (or
    while writing the entries) leaves neither."""
    path = copy_of(base, "fast.db")
    before = contents(path)
    calls = []
    real_insert = sqlite_import._Writer.insert

    def insert(self, table, given):
        if where == "causal_link" and table == "causal_link":
            calls.append(table)
            raise sqlite3.OperationalError("disk I/O error")
        return real_insert(self, table, given)

    def write_audit(self):
        calls.append("audit")
        self.con.execute(  # the first entry is written, then the disk goes
            "INSERT INTO audit_entry (seq, at, user, entity, action, prev_hash, hash) "
            "VALUES (999, 'x', 'x', 'x', 'x', 'x', 'x')"
        )
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_import._Writer, "insert", insert)
    if where == "audit":
        monkeypatch.setattr(sqlite_import._Writer, "write_audit", write_audit)
    svc = open_service(path, user="Alice Smith", login="alice")
    try:
        with pytest.raises(DatabaseError, match="disk I/O error"):
            svc.import_document(full_document())
        assert calls
        assert svc.verify_audit() is None
    finally:
        svc.db.dispose()
    assert contents(path) == before
    monkeypatch.undo()
    svc = open_service(path, user="Alice Smith", login="alice")
    try:  # and it imports fine afterwards
        assert svc.import_document(full_document()).title.startswith("Fall")
    finally:
        svc.db.dispose()


def test_a_read_only_or_locked_database_is_refused_as_before(base):
    path = copy_of(base, "fast.db")
    svc = open_service(path, user="alice", login="alice", readonly=True)
    try:
        with pytest.raises(ReadOnlyError, match="open read-only; changes cannot be saved"):
            svc.import_document(full_document())
        with pytest.raises(ImportFormatError):  # the document is still checked first
            svc.import_document({"format": "x"})
    finally:
        svc.db.dispose()
    svc = open_service(path, user="alice", login="alice")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        import models.sqlite_import as mod

        real = mod.BUSY_TIMEOUT_MS
        mod.BUSY_TIMEOUT_MS = 50
        try:
            with pytest.raises(LockedError, match="busy"):
                svc.import_document(full_document())
        finally:
            mod.BUSY_TIMEOUT_MS = real
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        svc.db.dispose()


def _cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "RCA_"))}
    env["RCA_CONFIG"] = str(tmp_path / "none.toml")
    env["RCA_STATE"] = str(tmp_path / "state")
    env["PYTHONPATH"] = str(REPO)
    return env


def test_rca_import_prints_the_id_and_does_not_import_the_orm(base, tmp_path):
    path = copy_of(base, "fast.db")
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(full_document()), encoding="utf-8")
    code = (
        "import sys, runpy\n"
        "sys.argv = ['rca', '--db', sys.argv[1], 'import', sys.argv[2]]\n"
        "try:\n"
        "    runpy.run_module('rca_tui', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted({'sqlalchemy', 'sqlmodel', 'networkx'} & set(sys.modules)),"
        " file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(doc)],
        env=_cli_env(tmp_path), capture_output=True, text=True, check=True,
    )
    assert out.stdout == "2\n"
    assert out.stderr.strip() == "[]"
    svc = open_service(path, user="alice", login="alice")
    try:
        assert svc.verify_audit() is None
        assert svc.get_investigation(2).title.startswith("Fall")
    finally:
        svc.db.dispose()


def _one_line_error(result) -> str:
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_rca_import_refuses_newer_corrupt_and_bad_files_in_one_line(base, tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(full_document()), encoding="utf-8")
    runner = CliRunner()
    path = copy_of(base, "newer.db")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    result = runner.invoke(cli, ["--db", str(path), "import", str(doc)])
    assert "newer rca-tui (schema 9999)" in _one_line_error(result)

    path = copy_of(base, "corrupt.db")
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    data[page * 2 : page * 3] = b"\xff" * page
    path.write_bytes(bytes(data))
    result = runner.invoke(cli, ["--db", str(path), "import", str(doc)])
    assert "corrupt" in _one_line_error(result)

    path = copy_of(base, "ok.db")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "rca-tui/2", "investigation": {}}', encoding="utf-8")
    result = runner.invoke(cli, ["--db", str(path), "import", str(bad)])
    assert "investigation.title: Field required" in _one_line_error(result)
    result = runner.invoke(cli, ["--db", str(path), "import", str(tmp_path / "none.json")])
    assert "none.json: no such file" in _one_line_error(result)
    result = runner.invoke(cli, ["--db", str(path), "import", str(doc)])
    assert result.exit_code == 0 and result.output == "2\n"


def test_an_older_file_is_upgraded_then_imported(base, tmp_path):
    """A file that needs migrating is migrated by opening it (Alembic), then imported."""
    path = copy_of(base, "old.db")
    shutil.copy(path, tmp_path / "untouched.db")
    with sqlite3.connect(path) as con:  # as schema 0010 left it: no chartered_at yet
        con.execute("ALTER TABLE investigation DROP COLUMN chartered_at")
        con.execute("UPDATE alembic_version SET version_num = '0010'")
    result = CliRunner().invoke(cli, ["--db", str(path), "import", "-"],
                                input=json.dumps(full_document()))
    assert result.exit_code == 0, result.output
    assert result.output == "2\n"
    svc = open_service(path, user="alice", login="alice")
    try:
        assert svc.get_investigation(2).chartered_at == dt.datetime(2026, 11, 5, 10, 0)
        assert svc.verify_audit() is None
    finally:
        svc.db.dispose()

"""The audit trail's hash chain catches an edit to any stored column of any entry.

The trail is the record of who changed what; an entry whose author (`user`), old value or link to
the previous entry can be rewritten without `rca audit verify` noticing is worthless. The columns
are read from the database itself, so a column added later is covered without touching this file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3

import pytest

from models import audit


def _columns(db_path) -> list[str]:
    con = sqlite3.connect(db_path)
    try:
        return [row[1] for row in con.execute("PRAGMA table_info(audit_entry)") if row[1] != "id"]
    finally:
        con.close()


def _tamper(db_path, sql: str, *args) -> None:
    """What someone with the file and the sqlite3 shell could do: drop the triggers, then edit."""
    con = sqlite3.connect(db_path)
    con.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    con.execute(sql, args)
    con.commit()
    con.close()


def _forged(column: str, value):
    """A different value of the same kind as `value`, for `column`."""
    if column == "at":
        return "2001-01-01 00:00:00.000000"
    if column in ("hash", "prev_hash"):
        return "f" * 64 if value != "f" * 64 else "e" * 64
    if isinstance(value, int):
        return value + 1000
    return (value or "") + " (forged)"


@pytest.fixture
def trail(service):
    """A few entries of every shape: create (old is NULL), update (old and new), delete."""
    inv = service.create_investigation("Fall on 4 West", unit="4W")
    inv = service.update_investigation(inv.id, inv.version, unit="5E")
    cause = service.add_cause(inv.id, "Bed alarm off")
    service.update_cause(cause.id, cause.version, text="Bed alarm switched off")
    service.delete_cause(cause.id)
    assert service.verify_audit() is None
    return service


#: Every stored column but the row id. A test below keeps this equal to the table, so a column
#: added later must be added here (and to the hash).
COLUMNS = ["seq", "at", "user", "display_name", "investigation_id", "entity", "entity_id",
           "action", "field", "old", "new", "prev_hash", "hash"]


def test_the_list_of_columns_is_the_table(db_path, trail):
    assert sorted(_columns(db_path)) == sorted(COLUMNS)


@pytest.mark.parametrize("column", COLUMNS)
def test_editing_any_column_of_an_entry_is_caught(db_path, trail, column):
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    # the update of `unit` has an old and a new value: every column of it is meaningful
    target = con.execute("SELECT * FROM audit_entry WHERE field = 'unit'").fetchone()
    con.close()
    forged = _forged(column, target[column])
    _tamper(db_path, f"UPDATE audit_entry SET {column} = ? WHERE seq = ?", forged, target["seq"])
    problem = trail.verify_audit()
    assert problem is not None, f"an edited {column} went unnoticed"


def test_a_forged_author_is_caught_and_named(db_path, trail):
    _tamper(db_path, "UPDATE audit_entry SET user = 'mallory' WHERE seq = 2")
    problem = trail.verify_audit()
    assert problem is not None and problem.seq == 2
    assert "altered" in problem.message


def test_a_rewritten_old_value_is_caught(db_path, trail):
    _tamper(db_path, "UPDATE audit_entry SET old = 'ICU' WHERE field = 'unit'")
    problem = trail.verify_audit()
    assert problem is not None and "altered" in problem.message


def test_a_broken_link_to_the_previous_entry_is_named_as_such(db_path, trail):
    # The entry's own hash still matches its content; only its pointer is wrong.
    _tamper(db_path, "UPDATE audit_entry SET prev_hash = ? WHERE seq = 3", "a" * 64)
    problem = trail.verify_audit()
    assert problem is not None and problem.seq == 3
    assert "does not follow entry 2" in problem.message


@dataclasses.dataclass
class _Row:
    id: int
    seq: int
    at: dt.datetime
    user: str
    investigation_id: int | None
    entity: str
    entity_id: int | None
    action: str
    field: str | None
    old: str | None
    new: str | None
    prev_hash: str
    hash: str = ""


def _chain(n: int) -> list[_Row]:
    rows, prev = [], audit.GENESIS
    for i in range(1, n + 1):
        row = _Row(i, i, dt.datetime(2026, 11, 30, 9, i), "alice", 1, "cause", i, "update",
                   "text", f"old {i}", f"new {i}", prev)
        fields = {k: v for k, v in dataclasses.asdict(row).items() if k not in ("id", "hash")}
        row.hash = audit.entry_hash(**fields)
        rows.append(row)
        prev = row.hash
    return rows


def test_the_hash_depends_on_every_field_and_the_previous_hash():
    base = _chain(1)[0]
    fields = {k: v for k, v in dataclasses.asdict(base).items() if k not in ("id", "hash")}
    assert audit.entry_hash(**fields) == base.hash
    for name, value in fields.items():
        changed = dict(fields, **{name: _forged(name, value) if name != "at"
                                  else value + dt.timedelta(seconds=1)})
        assert audit.entry_hash(**changed) != base.hash, name


def test_a_pointer_to_a_valid_but_wrong_predecessor_is_caught():
    rows = _chain(3)
    # Entry 3 re-hashed so its own hash is consistent, but pointing at entry 1's hash.
    third = rows[2]
    third.prev_hash = rows[0].hash
    fields = {k: v for k, v in dataclasses.asdict(third).items() if k not in ("id", "hash")}
    third.hash = audit.entry_hash(**fields)
    problem = audit.verify(rows)
    assert problem is not None and problem.seq == 3
    assert "does not follow" in problem.message
    assert audit.verify(_chain(3)) is None

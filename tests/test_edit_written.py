"""A cause edit writes what it wrote before its statements went to the driver (issue 16).

A text or kind edit runs its statements straight on the driver's cursor (`Prepared`), an edit
with codes through the ORM. Both must leave the same rows behind: the cause row, its audit
entries (the same columns, the same stored form of the time, a chain that verifies) and the
investigation marked updated at the same moment, on SQLite and on PostgreSQL. A driver error
still reaches the user as the service's own refusal.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from models import checkpoint
from models.errors import ConflictError

#: Each test runs on a SQLite file and on a PostgreSQL server (see conftest).
BOTH_BACKENDS = True

#: The audit entry's columns that name the record or the chain position, not what was written.
_PLACE = ("id", "seq", "entity_id", "at", "prev_hash", "hash")


def _raw(service, sql: str, **params):
    """Rows as the driver returns them: no SQLAlchemy type processing (SQLite's text times)."""
    with service.db.engine.connect() as conn:
        result = conn.exec_driver_sql(sql, params) if params else conn.exec_driver_sql(sql)
        names = list(result.keys())
        return [dict(zip(names, row, strict=True)) for row in result]


def _cause_row(service, cause_id: int) -> dict:
    (row,) = _raw(service, f"SELECT * FROM cause WHERE id = {int(cause_id)}")
    return {k: v for k, v in row.items() if k not in ("id", "created_at")}


def _entries_of(service, cause_id: int, after: int) -> list[dict]:
    """The cause's audit entries after entry `after` of the chain."""
    return _raw(
        service,
        f"SELECT * FROM audit_entry WHERE entity_id = {int(cause_id)} AND seq > {int(after)} "
        "AND entity = 'cause' ORDER BY seq",
    )


def _chain(service) -> list[tuple[int, str]]:
    """The chain's (sequence, hash), first to last."""
    rows = _raw(service, "SELECT seq, hash FROM audit_entry ORDER BY seq")
    return [(r["seq"], r["hash"]) for r in rows]


def _touched(service, investigation_id: int):
    (row,) = _raw(
        service,
        f"SELECT updated_at, updated_by FROM investigation WHERE id = {int(investigation_id)}",
    )
    return row["updated_at"], row["updated_by"]


def _shape(value) -> str:
    """How a stored time looks: its digits replaced (SQLite: text), or its Python type."""
    return re.sub(r"\d", "9", value) if isinstance(value, str) else type(value).__name__


@pytest.mark.parametrize(
    "changes",
    [{"text": "The alarm was muted at night"}, {"text": "Muted", "kind": "root"}],
    ids=["text", "text-and-kind"],
)
def test_a_cause_edit_writes_the_rows_the_orm_edit_writes(service, changes):
    inv = service.create_investigation("Fall on 4 West")
    fast = service.add_cause(inv.id, "Bed alarm off", category="Equipment")
    orm = service.add_cause(inv.id, "Bed alarm off", category="Equipment")

    start = _chain(service)[-1][0]
    saved_fast = service.update_cause(fast.id, fast.version, **changes)
    fast_touched = _touched(service, inv.id)
    # With its codes (unchanged: none), the same edit goes through the ORM's unit of work.
    saved_orm = service.update_cause(orm.id, orm.version, codes=[], **changes)
    orm_touched = _touched(service, inv.id)

    assert saved_fast.replace(id=0) == saved_orm.replace(id=0)
    assert service.get_cause(fast.id) == saved_fast
    row_fast, row_orm = _cause_row(service, fast.id), _cause_row(service, orm.id)
    assert row_fast == row_orm
    assert row_fast["version"] == fast.version + 1 and row_fast["text"] == changes["text"]

    entries_fast = _entries_of(service, fast.id, start)
    entries_orm = _entries_of(service, orm.id, start)
    assert [e["field"] for e in entries_fast] == list(changes)
    assert [{k: v for k, v in e.items() if k not in _PLACE} for e in entries_fast] == [
        {k: v for k, v in e.items() if k not in _PLACE} for e in entries_orm
    ]
    assert {_shape(e["at"]) for e in entries_fast} == {_shape(e["at"]) for e in entries_orm}
    # One transaction: the entries and the investigation's "updated" carry the same moment.
    assert {e["at"] for e in entries_fast} == {fast_touched[0]}
    assert {e["at"] for e in entries_orm} == {orm_touched[0]}
    assert fast_touched[1] == orm_touched[1] == "alice"
    # The chain links the fast edit's entries to the rest, and the stored values hash back.
    assert entries_orm[0]["prev_hash"] == entries_fast[-1]["hash"]
    assert service.verify_audit() is None


def test_a_stale_cause_edit_writes_nothing(service, person):
    inv = service.create_investigation("Fall")
    cause = service.add_cause(inv.id, "Alarm off")
    service.add_user("bob", "investigator")
    bobs = person(service, "bob").update_cause(cause.id, cause.version, text="Alarm muted")
    rows, entries = _cause_row(service, cause.id), len(service.audit_entries(inv.id))
    with pytest.raises(ConflictError, match="bob"):
        service.update_cause(cause.id, cause.version, text="Mine")
    assert service.get_cause(cause.id) == bobs
    assert _cause_row(service, cause.id) == rows
    assert len(service.audit_entries(inv.id)) == entries


def test_a_driver_error_is_wrapped_as_sqlalchemy_wraps_it(service):
    """A statement refused by the database is SQLAlchemy's IntegrityError, as through
    `Connection.execute` (the service turns it into its refusal), and nothing is written."""
    from models.service.core import table_of
    from models.service.driver import Prepared
    from models.tables import AuditRow

    inv = service.create_investigation("Fall")
    audit = table_of(AuditRow)
    seq_of_first = Prepared(select(audit.c.seq, audit.c.at).where(audit.c.seq == bindparam("s")))
    copy = Prepared(insert(audit).values(seq=bindparam("seq"), at=bindparam("at")))
    before = len(service.audit_entries(inv.id))
    with service.db.writer.connect() as conn:
        with pytest.raises(RuntimeError, match="transaction"):
            seq_of_first.first(conn, {"s": 1})
        tx = conn.begin()
        first = seq_of_first.first(conn, {"s": 1})
        assert first is not None and first[0] == 1
        assert hasattr(first[1], "year")  # a datetime, as SQLAlchemy reads it
        with pytest.raises(IntegrityError):  # a second entry 1, and no user or hash
            copy.execute(conn, {"seq": 1, "at": first[1]})
        tx.rollback()
    assert len(service.audit_entries(inv.id)) == before


def test_a_burst_of_edits_leaves_the_newest_head_in_the_checkpoint(url_for, service):
    """The checkpoint thread waits for the saves that follow a save; whoever reads the file,
    and a program that ends right after its last save, still get the newest head."""
    inv = service.create_investigation("Fall")
    cause = service.add_cause(inv.id, "Alarm off")
    for i in range(20):
        cause = service.update_cause(cause.id, cause.version, text=f"Alarm off ({i})")
    chain = _chain(service)
    first = chain[0][1]
    assert checkpoint.read(service.db.target.name)[first] == chain[-1]

    script = textwrap.dedent(
        f"""
        from models.service import open_service
        svc = open_service({url_for("alice")!r}, user="alice")
        cause = svc.get_cause({cause.id})
        for i in range(5):
            cause = svc.update_cause(cause.id, cause.version, text=f"From the script ({{i}})")
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert service.audit_entries()[-1].new == "From the script (4)"
    assert checkpoint.read(service.db.target.name)[first] == _chain(service)[-1]
    assert service.verify_audit() is None

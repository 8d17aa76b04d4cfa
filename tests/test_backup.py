"""Online backup: a consistent copy while another connection keeps writing."""

from __future__ import annotations

import sqlite3
import stat
import threading

from models.db import open_database
from models.service import Service


def test_backup_while_another_connection_writes(service, db_path, tmp_path):
    inv = service.create_investigation("Busy")
    event = service.add_cause(inv.id, "Event", kind="event")
    writer = Service(open_database(db_path), "bob")
    stop = threading.Event()
    written = []

    def keep_writing():
        n = 0
        while not stop.is_set() and n < 2000:
            c = writer.add_cause(inv.id, f"cause {n}", effect_id=event.id)
            written.append(c.id)
            n += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        copies = [service.backup(str(tmp_path / f"copy{i}.db")) for i in range(3)]
    finally:
        stop.set()
        thread.join()
        writer.db.dispose()
    assert len(written) > 20
    for path in copies:
        assert stat.S_IMODE((tmp_path / path).stat().st_mode) == 0o600
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        causes = con.execute("SELECT count(*) FROM cause").fetchone()[0]
        links = con.execute("SELECT count(*) FROM causal_link").fetchone()[0]
        con.close()
        # Consistent: every cause but the event came with its link, in the same transaction.
        assert links == causes - 1
        copy = Service(open_database(path), "carol")
        assert copy.verify_audit() is None
        assert copy.graph(inv.id).disconnected() == []
        copy.db.dispose()

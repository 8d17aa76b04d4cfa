"""Undo belongs to one investigation and one session, and never overwrites someone else's edit.

Two people are two `Service` objects (two sessions) on one database file, each with its own
`EditHistory`, as two `rca` processes would be.
"""

from __future__ import annotations

import networkx as nx
import pytest

from models.errors import ConflictError
from models.service import open_service
from models.undo import EditHistory, NothingToUndo

#: Each test runs on a SQLite file and on a PostgreSQL server (see conftest).
BOTH_BACKENDS = True


@pytest.fixture
def bob(url_for, service):
    other = open_service(url_for("bob"), user="bob")
    yield other
    other.db.dispose()


def test_undo_in_one_investigation_leaves_another_alone(service):
    history = EditHistory(service)
    first = service.create_investigation("Fall")
    second = service.create_investigation("Insulin")
    a = history.add_cause(first.id, "Bed alarm off")
    b = history.add_cause(second.id, "Two patients, one name")
    assert history.undo(first.id) == "Undone: add 'Bed alarm off'"
    assert [c.id for c in service.list_causes(first.id)] == []
    assert [c.id for c in service.list_causes(second.id)] == [b.id]
    with pytest.raises(NothingToUndo):
        history.undo(first.id)
    with pytest.raises(NothingToUndo, match="redo"):
        history.redo(second.id)
    history.redo(first.id)
    assert [c.text for c in service.list_causes(first.id)] == [a.text]
    # A new edit in the second investigation keeps the first one's redo... and its undo.
    history.add_cause(second.id, "Wristband not checked")
    assert history.undo(first.id) == "Undone: add 'Bed alarm off'"


def test_undo_of_an_edit_someone_changed_since_is_a_conflict(service, bob):
    history = EditHistory(service)
    inv = service.create_investigation("Fall")
    cause = history.add_cause(inv.id, "Alarm off")
    mine = history.update_cause(cause.id, cause.version, text="Alarm switched off")
    bobs = bob.update_cause(cause.id, mine.version, text="Alarm muted at night")

    with pytest.raises(ConflictError, match="changed by bob") as caught:
        history.undo(inv.id)
    assert "Cannot undo edit 'Alarm off'" in caught.value.message
    # Bob's text is kept, and the step is still there to undo after a reload.
    assert service.get_cause(cause.id).text == bobs.text
    assert service.get_cause(cause.id).version == bobs.version
    with pytest.raises(ConflictError, match="changed by bob"):  # the step is still there
        history.undo(inv.id)
    with pytest.raises(NothingToUndo, match="redo"):
        history.redo(inv.id)

    # Undoing the add would delete Bob's cause: refused the same way.
    fresh = EditHistory(service)
    other = fresh.add_cause(inv.id, "Dim light")
    bob.update_cause(other.id, other.version, evidence="night log")
    with pytest.raises(ConflictError, match="changed by bob"):
        fresh.undo(inv.id)
    assert service.get_cause(other.id).evidence == "night log"


def test_redo_after_someone_changed_the_undone_state_is_a_conflict(service, bob):
    history = EditHistory(service)
    inv = service.create_investigation("Fall")
    cause = service.add_cause(inv.id, "Alarm off")
    history.update_cause(cause.id, cause.version, kind="root")
    history.undo(inv.id)
    now = service.get_cause(cause.id)
    bob.update_cause(cause.id, now.version, statement="Bob's statement")
    with pytest.raises(ConflictError, match="Cannot redo"):
        history.redo(inv.id)
    assert service.get_cause(cause.id).kind == "cause"
    with pytest.raises(ConflictError, match="Cannot redo"):  # the step is still there
        history.redo(inv.id)


def test_a_delete_undone_after_someone_edited_the_restored_cause(service, bob):
    history = EditHistory(service)
    inv = service.create_investigation("Fall")
    ev = service.add_cause(inv.id, "Fell", kind="event")
    cause = service.add_cause(inv.id, "Alarm off", effect_id=ev.id)
    history.delete_cause(cause.id)
    history.undo(inv.id)  # restored, with its link
    restored = service.get_cause(cause.id)
    # The version goes on from the deleted one's: what Bob read before the delete is stale.
    assert restored.version == cause.version + 1
    with pytest.raises(ConflictError):
        bob.update_cause(cause.id, cause.version, text="stale")
    bob.update_cause(cause.id, restored.version, text="Bob's text")
    with pytest.raises(ConflictError, match="Cannot redo delete"):
        history.redo(inv.id)  # would delete Bob's edit
    assert service.get_cause(cause.id).text == "Bob's text"


def test_own_quick_edits_with_the_version_read_before_them(service, bob):
    """Two quick presses both pass the version the screen read: that is not a conflict."""
    history = EditHistory(service)
    inv = service.create_investigation("Fall")
    cause = service.add_cause(inv.id, "Alarm off")
    history.update_cause(cause.id, cause.version, kind="contributing")
    history.update_cause(cause.id, cause.version, kind="root")
    assert service.get_cause(cause.id).kind == "root"
    # ... but someone else's edit in between still is.
    bob.update_cause(cause.id, service.get_cause(cause.id).version, text="Bob")
    with pytest.raises(ConflictError, match="changed by bob"):
        history.update_cause(cause.id, cause.version, kind="cause")
    # Undo walks back through both own edits (the chain of own versions).
    bob_version = service.get_cause(cause.id).version
    with pytest.raises(ConflictError):
        history.undo(inv.id)
    assert service.get_cause(cause.id).version == bob_version


def test_undo_through_edit_delete_and_restore_keeps_versions_straight(service):
    history = EditHistory(service)
    inv = service.create_investigation("Fall")
    ev = service.add_cause(inv.id, "Fell", kind="event")
    cause = history.add_cause(inv.id, "Alarm off", effect_id=ev.id)
    history.update_cause(cause.id, cause.version, text="Alarm switched off")
    history.update_cause(cause.id, cause.version, kind="root")  # stale version: own chain
    history.delete_cause(cause.id)
    for _ in range(4):
        history.undo(inv.id)
    assert [c.id for c in service.list_causes(inv.id)] == [ev.id]
    for _ in range(4):
        history.redo(inv.id)
    assert [c.id for c in service.list_causes(inv.id)] == [ev.id]
    history.undo(inv.id)  # the delete
    history.undo(inv.id)  # the kind
    back = service.get_cause(cause.id)
    assert (back.text, back.kind) == ("Alarm switched off", "cause")
    assert nx.utils.graphs_equal(service.graph(inv.id).g, service.load_graph(inv.id).g)
    assert service.verify_audit() is None


def test_delete_with_a_stale_version_is_a_conflict(service, bob):
    inv = service.create_investigation("Fall")
    cause = service.add_cause(inv.id, "Alarm off")
    bob.update_cause(cause.id, cause.version, text="Bob")
    with pytest.raises(ConflictError, match="changed by bob"):
        service.delete_cause(cause.id, cause.version)
    removed, links = service.delete_cause(cause.id)  # no version: no check, as before
    assert removed.text == "Bob" and links == []

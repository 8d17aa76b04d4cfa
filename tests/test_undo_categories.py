"""Fishbone category sets and the undo/redo history of cause and link edits."""

from __future__ import annotations

import networkx as nx
import pytest

from models.errors import ValidationError
from models.undo import EditHistory, NothingToUndo
from models.vocab import EIGHT_M, LONDON_PROTOCOL


def snapshot(service, inv_id):
    causes = {(c.id, c.text, c.kind, c.category) for c in service.list_causes(inv_id)}
    links = {(lk.cause_id, lk.effect_id) for lk in service.list_links(inv_id)}
    return causes, links


def test_default_categories_and_presets(service):
    inv = service.create_investigation("x")
    assert service.categories(inv.id) == list(LONDON_PROTOCOL)
    service.add_cause(inv.id, "Alarm off", category="Task and technology")
    cats = service.use_category_preset(inv.id, "8m")
    assert cats[: len(EIGHT_M)] == list(EIGHT_M)
    assert cats[-1] == "Task and technology"  # kept: a cause is on it
    with pytest.raises(ValidationError, match="not one of"):
        service.use_category_preset(inv.id, "6sigma")


def test_rename_moves_causes_and_removal_is_refused(service):
    inv = service.create_investigation("x")
    cause = service.add_cause(inv.id, "Alarm off", category="Equipment")
    service.set_categories(inv.id, ["People", "Equipment"])
    with pytest.raises(ValidationError, match="'Equipment' has 1 cause"):
        service.set_categories(inv.id, ["People"])
    assert service.categories(inv.id) == ["People", "Equipment"]
    service.set_categories(inv.id, ["Devices", "People"], renames={"Equipment": "Devices"})
    assert service.categories(inv.id) == ["Devices", "People"]
    assert service.get_cause(cause.id).category == "Devices"
    assert service.graph(inv.id).g.nodes[cause.id]["category"] == "Devices"
    fields = [e.field for e in service.audit_entries(inv.id)]
    assert "categories" in fields and "category" in fields
    with pytest.raises(ValidationError, match="only once"):
        service.set_categories(inv.id, ["A", "a"])


def test_categories_travel_in_the_json(service):
    inv = service.create_investigation("x")
    service.set_categories(inv.id, ["Patient", "Pump", "Policy"])
    doc = service.export_document(inv.id)
    assert doc["categories"] == ["Patient", "Pump", "Policy"]
    again = service.import_document(doc)
    assert service.categories(again.id) == ["Patient", "Pump", "Policy"]


def test_undo_redo_of_a_whole_editing_session(service):
    history = EditHistory(service)
    inv = service.create_investigation("Fall")
    ev = service.add_cause(inv.id, "Fell", kind="event")
    start = snapshot(service, inv.id)
    a = history.add_cause(inv.id, "Alarm off", effect_id=ev.id, category="Task and technology")
    b = history.add_cause(inv.id, "Alarm not re-armed", effect_id=a.id)
    history.update_cause(b.id, b.version, kind="root", text="No automatic re-arm")
    c = history.add_cause(inv.id, "Dark room")
    history.link(c.id, ev.id)
    history.delete_cause(a.id)
    end = snapshot(service, inv.id)
    assert (b.id, a.id) not in end[1]

    for _ in range(6):
        history.undo(inv.id)
    assert snapshot(service, inv.id) == start
    assert nx.utils.graphs_equal(service.graph(inv.id).g, service.load_graph(inv.id).g)
    with pytest.raises(NothingToUndo):
        history.undo(inv.id)

    for _ in range(6):
        history.redo(inv.id)
    with pytest.raises(NothingToUndo, match="redo"):
        history.redo(inv.id)
    assert snapshot(service, inv.id) == end
    assert nx.utils.graphs_equal(service.graph(inv.id).g, service.load_graph(inv.id).g)
    # Every step, forwards and backwards, is in the audit trail, and the chain holds.
    actions = [e.action for e in service.audit_entries(inv.id)]
    assert actions.count("restore") >= 2
    assert service.verify_audit() is None


def test_undo_of_delete_brings_back_links_both_ways(service):
    history = EditHistory(service)
    inv = service.create_investigation("x")
    ev = service.add_cause(inv.id, "Event", kind="event")
    mid = service.add_cause(inv.id, "Middle", effect_id=ev.id)
    low = service.add_cause(inv.id, "Lower", effect_id=mid.id)
    before = snapshot(service, inv.id)
    history.delete_cause(mid.id)
    assert service.graph(inv.id).disconnected() == [low.id]
    history.undo(inv.id)
    assert snapshot(service, inv.id) == before
    assert service.graph(inv.id).paths_to_event(low.id) == [[low.id, mid.id, ev.id]]


def test_a_new_edit_clears_redo(service):
    history = EditHistory(service)
    inv = service.create_investigation("x")
    history.add_cause(inv.id, "a")
    history.undo(inv.id)
    history.add_cause(inv.id, "b")
    with pytest.raises(NothingToUndo, match="Nothing to redo"):
        history.redo(inv.id)

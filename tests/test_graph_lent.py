"""The cause graph a screen draws is the service's own, lent to read: one copy in memory.

Why: the fishbone held a copy of a 5,000-cause graph beside the service's cache (3.5 MB each,
issue 16). Now `cause_view` lends the cached graph itself, and the service never changes a
lent graph again: it mirrors its next edit into a copy that takes the cache's place. These
tests hold both halves: what a screen holds does not change under it, and the service's graph
is always the one the database gives.
"""

from __future__ import annotations

import pytest

BOTH_BACKENDS = True


def _shape(graph) -> tuple:
    return (sorted(graph.g.nodes(data=True)), sorted(graph.g.edges()))


def test_the_view_holds_the_services_graph_and_a_private_copy_is_still_a_copy(service, chain):
    inv = chain[0].id
    view = service.cause_view(inv)
    assert view.graph is service.held_graph(inv)
    assert service.graph(inv) is not view.graph
    assert _shape(service.graph(inv)) == _shape(view.graph)


EDITS = {
    "add": lambda s, inv, ev, a, b: s.add_cause(inv, "Night light", effect_id=a.id),
    "kind": lambda s, inv, ev, a, b: s.update_cause(b.id, None, kind="root"),
    "category": lambda s, inv, ev, a, b: s.update_cause(a.id, None, category="Patient"),
    "link": lambda s, inv, ev, a, b: s.link(b.id, ev.id),
    "unlink": lambda s, inv, ev, a, b: s.unlink(b.id, a.id),
    "delete": lambda s, inv, ev, a, b: s.delete_cause(b.id),
    "restore": lambda s, inv, ev, a, b: s.restore_cause(*s.delete_cause(b.id)),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_leaves_the_lent_graph_alone_and_the_service_sees_it(service, chain, edit):
    fall, ev, a, b, *_ = chain
    inv = fall.id
    lent = service.cause_view(inv).graph
    before = _shape(lent)
    EDITS[edit](service, inv, ev, a, b)
    assert _shape(lent) == before  # what the screen draws from did not change under it
    held = service.held_graph(inv)
    assert held is not lent
    assert _shape(held) == _shape(service.load_graph(inv))
    assert (_shape(held) == before) == (edit == "restore")  # a restore puts it back as it was


def test_edits_after_lending_again_all_reach_the_service(service, chain):
    fall, ev, a, *_ = chain
    inv = fall.id
    service.cause_view(inv)
    c = service.add_cause(inv, "Night light", effect_id=a.id)
    again = service.held_graph(inv)  # the fishbone takes it after drawing its own add
    assert c.id in again
    service.update_cause(c.id, None, kind="contributing")
    service.link(c.id, ev.id)
    assert again.kind(c.id) == "cause" and not again.g.has_edge(c.id, ev.id)
    assert _shape(service.held_graph(inv)) == _shape(service.load_graph(inv))

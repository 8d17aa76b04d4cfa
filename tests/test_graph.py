"""The cause graph: edits kept in step with the database, cycles refused, queries answered."""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys

import networkx as nx
import pytest

from models.errors import CycleError, ValidationError
from models.graph import CauseGraph
from models.rules.checks import run_checks


def test_cycle_is_refused_and_named(service, chain):
    inv, ev, _a, _b, c, *_ = chain
    before = len(service.audit_entries())
    with pytest.raises(CycleError) as info:
        service.link(ev.id, c.id)
    message = info.value.message
    assert "circle" in message
    for text in ("Patient fell", "Bed needs manual re-arm", "Alarm not re-armed", "Bed alarm off"):
        assert text in message
    assert info.value.cycle[0] == info.value.cycle[-1] == ev.id
    assert len(service.audit_entries()) == before
    assert not service.graph(inv.id).g.has_edge(ev.id, c.id)


def test_self_link_and_duplicate_link_are_refused(service, chain):
    _, ev, a, *_ = chain
    with pytest.raises(CycleError):
        service.link(a.id, a.id)
    with pytest.raises(ValidationError, match="already linked"):
        service.link(a.id, ev.id)


def test_queries(service, chain):
    inv, ev, a, b, c, d, e = chain
    g = service.graph(inv.id)
    assert g.event() == ev.id
    assert g.root_causes() == [c.id]
    assert g.paths_to_event(c.id) == [[c.id, b.id, a.id, ev.id]]
    assert g.disconnected() == [e.id]
    assert g.origins() == [c.id, d.id, e.id]
    assert g.longest_chain() == 3


def test_check_reports_graph_findings(service, chain):
    inv, *_, e = chain
    findings = [f for f in service.check(inv.id) if f.code.startswith("G-")]
    assert [(f.code, f.severity, f.subject) for f in findings] == [
        ("G-DISCONNECTED", "warning", e.id)
    ]
    assert "Understaffing" in findings[0].message


def test_check_without_event_is_an_error(service):
    inv = service.create_investigation("x")
    service.add_cause(inv.id, "Something")
    codes = [(f.code, f.severity, f.subject) for f in service.check(inv.id) if f.code[0] == "G"]
    assert codes == [("G-NO-EVENT", "error", None)]


def test_graph_reloaded_equals_graph_kept_in_step(service, db_path):
    """A random sequence of edits: the cached graph always equals one read afresh."""
    from models.service import open_service

    rnd = random.Random(7)
    inv = service.create_investigation("x")
    ids = [service.add_cause(inv.id, "event", kind="event").id]
    for step in range(120):
        roll = rnd.random()
        if roll < 0.45 or len(ids) < 3:
            effect = rnd.choice(ids)
            kind = rnd.choice(["cause", "root", "contributing"])
            ids.append(service.add_cause(inv.id, f"cause {step}", effect_id=effect, kind=kind).id)
        elif roll < 0.7:
            x, y = rnd.sample(ids, 2)
            with contextlib.suppress(CycleError, ValidationError):
                service.link(x, y)
        elif roll < 0.8:
            links = service.list_links(inv.id)
            if links:
                lk = rnd.choice(links)
                service.unlink(lk.cause_id, lk.effect_id)
        elif roll < 0.9 and len(ids) > 3:
            victim = rnd.choice(ids[1:])
            service.delete_cause(victim)
            ids.remove(victim)
        else:
            target = service.get_cause(rnd.choice(ids))
            service.update_cause(target.id, target.version, category=f"cat {step % 7}")
        kept = service.graph(inv.id)
        loaded = service.load_graph(inv.id)
        assert nx.utils.graphs_equal(kept.g, loaded.g), f"diverged at step {step}"
    fresh = open_service(db_path, user="bob")
    assert nx.utils.graphs_equal(fresh.graph(inv.id).g, service.graph(inv.id).g)
    fresh.db.dispose()


def test_edit_from_another_process_refreshes_the_cache(service, db_path):
    """A link added by someone else must count when we check for cycles."""
    from models.db import open_database
    from models.service import Service

    inv = service.create_investigation("x")
    a = service.add_cause(inv.id, "a", kind="event")
    b = service.add_cause(inv.id, "b", effect_id=a.id)
    service.graph(inv.id)  # warm our cache
    other = Service(open_database(db_path), "bob")
    c = other.add_cause(inv.id, "c", effect_id=b.id)
    with pytest.raises(CycleError):
        service.link(a.id, c.id)
    assert service.graph(inv.id).g.has_edge(c.id, b.id)
    other.db.dispose()


def test_paths_are_capped_on_dense_graphs():
    # A ladder with 2^20 paths: the query must stay bounded.
    nodes = [(0, "event", None)] + [(i, "cause", None) for i in range(1, 42)]
    edges = []
    for level in range(20):
        top, bottom = 2 * level + 1, 2 * level + 2
        nxt = (2 * level + 3, 2 * level + 4) if level < 19 else (0, 0)
        for src in (top, bottom):
            for dst in set(nxt):
                edges.append((src, dst))
    g = CauseGraph.build(nodes, edges)
    assert len(g.paths_to_event(1, limit=50)) == 50


def test_findings_are_plain_dicts_for_json(service, chain):
    inv, *_ = chain
    data = [f.as_dict() for f in run_checks(service.dossier(inv.id))]
    assert set(data[0]) == {"code", "severity", "subject", "message"}


def test_fast_build_equals_networkx_public_api():
    nodes = [(i, "cause" if i else "event", f"cat {i % 3}") for i in range(200)]
    edges = [(i, (i * 7) % i) for i in range(1, 200)] + [(150, 3), (199, 150)]
    fast = CauseGraph.build(nodes, edges).g
    slow = nx.DiGraph()
    slow.add_nodes_from((i, {"kind": k, "category": c}) for i, k, c in nodes)
    slow.add_edges_from(edges)
    assert nx.utils.graphs_equal(fast, slow)
    assert nx.is_directed_acyclic_graph(fast)
    assert sorted(nx.ancestors(fast, 0)) == list(range(1, 200))
    fast.add_edge(0, 5)  # still a normal, editable DiGraph
    assert fast.has_edge(0, 5) and 0 in fast.pred[5]


# --- a circle written into the database by another program ----------------------------------


def write_link_outside(db_path, cause_id: int, effect_id: int, investigation_id: int) -> None:
    """What another program (or sqlite3 by hand) can do: the service never sees the insert."""
    import sqlite3

    con = sqlite3.connect(db_path)
    with con:
        con.execute(
            "INSERT INTO causal_link (investigation_id, cause_id, effect_id) VALUES (?, ?, ?)",
            (investigation_id, cause_id, effect_id),
        )
    con.close()


def test_circle_queries():
    nodes = [(1, "event", None), (2, "cause", None), (3, "cause", None), (4, "cause", None)]
    nodes += [(5, "cause", None), (6, "cause", None)]
    # 2 -> 1; 4 -> 3 -> 2 -> 4 closes a circle; 5 -> 5 leads to itself; 6 -> 4.
    edges = [(2, 1), (3, 2), (4, 3), (2, 4), (5, 5), (6, 4)]
    g = CauseGraph.build(nodes, edges)
    assert g.cycles() == [[2, 4, 3, 2], [5, 5]]
    assert g.circle_links() == {(2, 4), (4, 3), (3, 2), (5, 5)}
    # 6 -> 4 -> 3 -> 2 -> 1 with the circle counted as one cause: 6, {2,3,4}, 1.
    assert g.longest_chain() == 2
    acyclic = CauseGraph.build(nodes, [(2, 1), (3, 2), (4, 3), (6, 4)])
    assert acyclic.cycles() == [] and acyclic.circle_links() == set()
    assert acyclic.longest_chain() == 4


def test_check_reports_a_circle_written_outside_the_app(service, db_path):
    from click.testing import CliRunner

    from rca_tui.cli import cli

    inv = service.create_investigation("Fall")
    ev = service.add_cause(inv.id, "Patient fell", kind="event")
    a = service.add_cause(inv.id, "Bed alarm off", effect_id=ev.id)
    b = service.add_cause(inv.id, "Alarm not re-armed", effect_id=a.id)
    write_link_outside(db_path, a.id, b.id, inv.id)
    findings = [f for f in service.check(inv.id) if f.code == "G-CYCLE"]
    assert [(f.severity, f.subject) for f in findings] == [("error", a.id)]
    assert findings[0].message.startswith(
        "Causes lead round in a circle: 'Bed alarm off' led to 'Alarm not re-armed', "
        "which led to 'Bed alarm off'"
    )
    result = CliRunner().invoke(
        cli, ["--db", str(db_path), "--user", "alice", "check", str(inv.id), "--fail-on", "error"]
    )
    assert result.exit_code == 1
    assert "ERROR   G-CYCLE" in result.output and "'Alarm not re-armed'" in result.output
    assert "No findings" not in result.output
    # The JSON copy could not be imported again: refused in one line, nothing written.
    exported = CliRunner().invoke(
        cli, ["--db", str(db_path), "--user", "alice", "export", str(inv.id), "--format", "json"]
    )
    assert exported.exit_code == 1
    assert exported.output.startswith("Error: cannot write the investigation as JSON")
    assert "the links form a circle" in exported.output and "Traceback" not in exported.output


def test_a_self_link_written_outside_is_a_circle_too(service, db_path):
    inv = service.create_investigation("Fall")
    ev = service.add_cause(inv.id, "Patient fell", kind="event")
    a = service.add_cause(inv.id, "Bed alarm off", effect_id=ev.id)
    write_link_outside(db_path, a.id, a.id, inv.id)
    (finding,) = [f for f in service.check(inv.id) if f.code == "G-CYCLE"]
    assert "'Bed alarm off' led to itself" in finding.message


# --- the queries of the checks, answered without networkx (issue 16) --------------------------


def _random_dag(seed: int, n: int = 60) -> tuple[list, list]:
    rng = random.Random(seed)
    nodes = [(0, "event", None)] + [
        (i, rng.choice(["cause", "root", "contributing"]), None) for i in range(1, n)
    ]
    edges = {(i, rng.randrange(i)) for i in range(1, n) if rng.random() < 0.9}
    edges |= {(a, b) for a, b in ((rng.randrange(2, n), rng.randrange(n)) for _ in range(n))
              if b < a}
    return nodes, sorted(edges, key=lambda e: rng.random())


@pytest.mark.parametrize("seed", range(20))
def test_the_first_path_is_the_one_networkx_gives(seed):
    """Among equally short paths the same one, so the R1 draft statement does not change."""
    nodes, edges = _random_dag(seed)
    graph = CauseGraph.build(nodes, edges)
    reference = nx.DiGraph()
    reference.add_nodes_from((i, {"kind": k, "category": c}) for i, k, c in nodes)
    reference.add_edges_from(edges)
    copied, reference_copy = graph.copy(), reference.copy()  # a copy orders the links anew
    assert nx.utils.graphs_equal(copied.g, reference_copy)

    def first(g, cause):
        try:
            return [next(nx.shortest_simple_paths(g, cause, 0))]
        except nx.NetworkXNoPath:
            return []

    for cause, *_ in nodes:
        assert graph.paths_to_event(cause, limit=1) == first(reference, cause)
        assert copied.paths_to_event(cause, limit=1) == first(reference_copy, cause)
    assert graph.disconnected() == sorted(
        n for n in reference if n != 0 and n not in nx.ancestors(reference, 0)
    )
    assert graph.origins() == sorted(n for n in reference if n and reference.in_degree(n) == 0)
    assert graph.has_circle() is False and graph.cycles() == []


def test_a_circle_is_told_from_the_dicts_and_drawn_by_networkx():
    graph = CauseGraph.build([(0, "event", None), (1, "cause", None), (2, "cause", None)],
                             [(1, 0), (2, 1)])
    assert not graph.has_circle()
    graph.add_edge(1, 2)
    assert graph.has_circle() and graph.cycles() == [[1, 2, 1]]
    graph.remove_edge(1, 2)
    graph.add_edge(2, 2)  # a self-link is a circle of one
    assert graph.has_circle() and graph.cycles() == [[2, 2]]


def test_edits_on_either_side_are_seen_by_both():
    graph = CauseGraph.build([(0, "event", None), (1, "cause", "Task")], [(1, 0)])
    g = graph.g
    graph.add_node(2, "root", None)
    graph.add_edge(2, 1)
    assert g.has_edge(2, 1) and g.nodes[2] == {"kind": "root", "category": None}
    g.add_edge(3, 2)
    g.nodes[3].update(kind="cause", category=None)
    assert graph.causes_of(2) == [3] and graph.origins() == [3]
    graph.remove_node(2)
    assert 2 not in g and graph.effects_of(3) == [] and graph.causes_of(1) == []


def test_the_checks_queries_import_no_networkx():
    code = (
        "import sys\n"
        "from models.graph import CauseGraph\n"
        "g = CauseGraph.build([(0, 'event', None), (1, 'cause', None), (2, 'root', 'Task'),"
        " (3, 'cause', None)], [(1, 0), (2, 1), (2, 0)])\n"
        "c = g.copy(); c.add_edge(3, 2); c.remove_edge(2, 0); c.update_node(3, kind='root')\n"
        "print(g.events(), g.origins(), g.root_causes(), g.causes_of(0), g.effects_of(2),"
        " g.paths_to_event(2, limit=1), g.disconnected(), g.cycles(), g.circle_links(),"
        " c.paths_to_event(3, limit=1), c.origins())\n"
        "print('networkx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "[0] [2, 3] [2] [1, 2] [0, 1] [[2, 0]] [3] [] set() [[3, 2, 1, 0]] [3]",
        "False",
    ]


@pytest.mark.parametrize("seed", range(10))
def test_the_longest_chain_is_networkx_s(seed):
    nodes, edges = _random_dag(seed)
    graph = CauseGraph.build(nodes, edges)
    assert graph.longest_chain() == nx.dag_longest_path_length(graph.g) > 0
    a, b = edges[0]
    graph.add_edge(b, a)  # a circle written from outside: it counts as one cause
    assert graph.has_circle()
    assert graph.longest_chain() == nx.dag_longest_path_length(nx.condensation(graph.g))

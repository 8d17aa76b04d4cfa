"""The cause graph as GraphML and Graphviz DOT: faithful, well-formed whatever people typed."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from click.testing import CliRunner

from exports.graphs import LABEL_LINES, LABEL_WIDTH, dot_string, to_dot, to_graphml, wrap_label
from exports.safety import clean_xml_text
from rca_tui.cli import cli

TITLE = 'Fall "4 West" \\ } ] [bold]x[/] <script>alert(1)</script> ends with \\'
EVENT = 'Patient fell {hip} "left" \\N [bold]x[/] <script> 😀 転倒\x07 ends with \\'
CAUSE = "Alarm was off\nafter the 23:00 reset -> nobody knew; a\\b & c"
ROOT = "Beds bought without usability testing [red]of the alarm[/]"
CONTRIB = "Night light broken, repaired only the next working day"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def hostile(service):
    """An investigation whose every string is hard on XML and DOT."""
    inv = service.create_investigation(TITLE)
    event = service.add_cause(inv.id, EVENT, kind="event", evidence="CT \x0c report <1>")
    cause = service.add_cause(inv.id, CAUSE, effect_id=event.id, category="Task & technology")
    root = service.add_cause(
        inv.id, ROOT, effect_id=cause.id, kind="root", statement='Led to "no alarm" \\'
    )
    contrib = service.add_cause(inv.id, CONTRIB, effect_id=event.id, kind="contributing")
    service.link(root.id, contrib.id)
    ids = {"event": event.id, "cause": cause.id, "root": root.id, "contrib": contrib.id}
    return inv.id, ids


def n(cause_id: int) -> str:
    return f"c{cause_id}"


# --- clean_xml_text -------------------------------------------------------------------------
def test_clean_xml_text_shows_controls_and_keeps_the_rest():
    """User text is never silently changed: each control is shown as its picture (one
    character each), tab and line breaks stay, and nothing XML forbids is left."""
    keep = 'tab\there\nnew\rline <b>&amp;</b> "q" \\ 😀 漢字 \u00a0 \ufffd \u202eRTL'
    assert clean_xml_text(keep) == keep
    shown = clean_xml_text("a\x00b\x07c\x0bd\x0ce\x1bf\x1fg\ufffeh\uffffi\x7fj\x9bk")
    assert shown == "a␀b␇c␋d␌e␛f␟g\ufffdh\ufffdi␡j\ufffdk"
    ET.fromstring(f"<a>{shown}</a>")  # XML takes it
    assert clean_xml_text("") == ""


# --- GraphML --------------------------------------------------------------------------------
def test_graphml_keeps_a_carriage_return(service):
    inv = service.create_investigation("CR")
    service.add_cause(inv.id, "line one\r\nline two\rthree")
    d = service.dossier(inv.id)
    g = read_back(to_graphml(d))
    assert [g.nodes[x]["text"] for x in g.nodes] == [d.causes[0].text]
    assert "\r" in d.causes[0].text
def read_back(data: bytes) -> nx.DiGraph:
    ET.fromstring(data)  # well-formed XML, not just something networkx tolerates
    g = nx.read_graphml(io.BytesIO(data))
    assert isinstance(g, nx.DiGraph)
    return g


def test_graphml_round_trips_nodes_edges_and_attributes(service, hostile):
    inv_id, ids = hostile
    data = to_graphml(service.dossier(inv_id))
    assert isinstance(data, bytes)
    assert data.startswith(b"<?xml")
    assert b"\x07" not in data and b"\x0c" not in data
    assert "␇".encode() in data  # the bell is shown, not dropped
    g = read_back(data)

    assert g.number_of_nodes() == 4
    assert set(g.nodes) == {n(i) for i in ids.values()}
    assert set(g.edges) == {
        (n(ids["cause"]), n(ids["event"])),
        (n(ids["root"]), n(ids["cause"])),
        (n(ids["contrib"]), n(ids["event"])),
        (n(ids["root"]), n(ids["contrib"])),
    }

    event = g.nodes[n(ids["event"])]
    assert event["text"] == EVENT.replace("\x07", "␇")
    assert "\x07" not in event["text"]
    for piece in ("[bold]x[/]", "<script>", "😀", "転倒", '"left"', "\\N", "{hip}"):
        assert piece in event["text"]
    assert event["text"].endswith("\\")
    assert event["kind"] == "event"
    assert event["category"] == ""
    assert event["evidence"] == "CT ␌ report <1>"  # the form feed shown, not dropped
    assert event["root"] is False

    cause = g.nodes[n(ids["cause"])]
    assert cause["text"] == CAUSE
    assert cause["category"] == "Task & technology"
    assert cause["kind"] == "cause"

    root = g.nodes[n(ids["root"])]
    assert root["text"] == ROOT
    assert root["label"] == f"C{ids['root']} {ROOT}"  # as the report names it
    assert root["root"] is True
    assert root["statement"] == 'Led to "no alarm" \\'
    assert g.nodes[n(ids["contrib"])]["kind"] == "contributing"
    assert g.nodes[n(ids["contrib"])]["root"] is False

    assert g.graph["title"] == TITLE
    assert g.graph["investigation_id"] == inv_id
    assert g.graph["sac_score"] == ""


def test_graphml_booleans_are_xml_schema_booleans(service, hostile):
    text = to_graphml(service.dossier(hostile[0])).decode("utf-8")
    assert 'attr.name="root" attr.type="boolean"' in text
    assert ">true<" in text and ">false<" in text
    assert ">True<" not in text and ">False<" not in text


def test_graphml_of_the_demo_matches_the_dossier(service, demo_id):
    dossier = service.dossier(demo_id)
    g = read_back(to_graphml(dossier))
    assert g.number_of_nodes() == len(dossier.causes)
    assert set(g.edges) == {(n(link.cause_id), n(link.effect_id)) for link in dossier.links}
    assert g.graph["sac_score"] == 3
    assert g.graph["title"] == dossier.investigation.title
    for c in dossier.causes:
        node = g.nodes[n(c.id)]
        assert node["text"] == c.text
        assert node["category"] == (c.category or "")
        assert node["root"] is (c.kind == "root")
    # The event is the one sink: every cause leads to it.
    (event,) = [x for x, k in g.nodes(data="kind") if k == "event"]
    assert nx.ancestors(g, event) == set(g.nodes) - {event}


def test_graphml_of_an_investigation_without_causes(service):
    inv = service.create_investigation("Nothing analysed yet")
    g = read_back(to_graphml(service.dossier(inv.id)))
    assert g.number_of_nodes() == 0
    assert g.graph["title"] == "Nothing analysed yet"


# --- DOT ------------------------------------------------------------------------------------
def dot_tokens(text: str) -> list[str]:
    """Split DOT as Graphviz's lexer does (quoted strings kept whole); fail on anything odd.

    Inside quotes only `\\"` and `\\\\` are pairs; a string must be closed before the end.
    Outside quotes only identifiers, numbers, `->` and punctuation may appear.
    """
    tokens: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            j = i + 1
            while True:
                assert j < len(text), f"unterminated string from offset {i}"
                if text[j] == "\\" and j + 1 < len(text) and text[j + 1] in '"\\':
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    assert text[j] != "\n", "raw newline inside a DOT string"
                    j += 1
            tokens.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("->", i):
            tokens.append("->")
            i += 2
        elif ch in "{}[];,=":
            tokens.append(ch)
            i += 1
        else:
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] in "_."):
                j += 1
            assert j > i, f"unexpected {ch!r} outside quotes at offset {i}"
            tokens.append(text[i:j])
            i = j
    return tokens


def label_text(token: str) -> str:
    """A quoted DOT label as Graphviz draws it, line breaks as spaces."""
    out, i, body = [], 0, token[1:-1]
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": " ", "\\": "\\", '"': '"'}.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def check_dot(text: str) -> list[str]:
    tokens = dot_tokens(text)
    assert tokens[0] == "digraph"
    assert tokens[2] == "{" and tokens[-1] == "}"
    depth = 0
    for t in tokens:
        depth += {"{": 1, "}": -1}.get(t, 0)
        assert depth >= 0
    assert depth == 0
    assert tokens.count("[") == tokens.count("]")
    return tokens


def flat(text: str) -> str:
    return " ".join(clean_xml_text(text).split())


def labels(tokens: list[str]) -> list[str]:
    return [
        label_text(tokens[i + 2])
        for i, t in enumerate(tokens)
        if t == "label" and tokens[i + 1] == "="
    ]


def test_dot_is_well_formed_and_holds_every_label(service, hostile):
    inv_id, ids = hostile
    text = to_dot(service.dossier(inv_id))
    assert isinstance(text, str)
    assert "\x07" not in text
    tokens = check_dot(text)
    assert "rankdir" in tokens and "LR" in tokens
    found = [flat(x) for x in labels(tokens)]
    assert found[0] == flat(TITLE)  # the graph's label
    for key, cause in (("event", EVENT), ("cause", CAUSE), ("root", ROOT), ("contrib", CONTRIB)):
        assert flat(f"C{ids[key]} {cause}") in found  # the report's C-number first
    assert "Legend" in found and "Root cause" in found  # what the boxes mean
    # Every cause is a node and every link an edge, by id.
    for cause_id in ids.values():
        assert f'"c{cause_id}" [label=' in text
    assert f'"c{ids["cause"]}" -> "c{ids["event"]}";' in text
    assert f'"c{ids["root"]}" -> "c{ids["contrib"]}";' in text


def test_dot_escapes_quotes_backslashes_and_newlines():
    assert dot_string('say "hi"') == '"say \\"hi\\""'
    assert dot_string("ends with \\") == '"ends with \\\\"'
    assert dot_string("\\N \\G") == '"\\\\N \\\\G"'
    assert dot_string("two\nlines\r\nand\rmore") == '"two\\nlines\\nand\\nmore"'
    assert dot_string("bell\x07") == '"bell␇"'
    assert dot_string("} [bold] <b>") == '"} [bold] <b>"'
    for hostile in ('"', "\\", '\\"', '"\\', "}", "\n", "\\\n"):
        check_dot(f"digraph g {{ a [label={dot_string(hostile)}]; }}")


def test_dot_shapes_by_kind(service, hostile):
    inv_id, ids = hostile
    lines = {
        name: next(ln for ln in to_dot(service.dossier(inv_id)).splitlines() if f'"c{i}" [' in ln)
        for name, i in ids.items()
    }
    assert "peripheries=2" in lines["event"] and "bold" in lines["event"]
    assert "filled" in lines["root"] and "fillcolor" in lines["root"]
    assert "dashed" in lines["contrib"]
    assert "rounded" in lines["cause"] and "dashed" not in lines["cause"]


def test_labels_wrap_at_about_thirty_characters():
    text = "The bed model needs a manual re-arm after every reset and shows no sign"
    lines = wrap_label(text).split("\n")
    assert len(lines) > 1
    assert all(len(ln) <= LABEL_WIDTH for ln in lines)
    assert " ".join(lines) == text
    assert wrap_label("x" * 100).split("\n") == ["x" * 30, "x" * 30, "x" * 30, "x" * 10]
    assert wrap_label("first\n\nthird") == "first\n\nthird"
    long = wrap_label("word " * 500)
    assert len(long.split("\n")) == LABEL_LINES
    assert long.endswith("…")
    assert wrap_label("") == ""


def test_dot_renders_with_graphviz(service, hostile, demo_id, tmp_path):
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz (dot) is not installed")
    for inv_id in (hostile[0], demo_id):
        source = tmp_path / f"{inv_id}.dot"
        source.write_text(to_dot(service.dossier(inv_id)), encoding="utf-8")
        done = subprocess.run(
            [dot, "-Tsvg", str(source)], capture_output=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        assert not done.stderr.strip(), done.stderr.decode(errors="replace")
        svg = ET.fromstring(done.stdout)
        drawn = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
        drawn = " ".join(drawn.replace("\xa0", " ").split())
        dossier = service.dossier(inv_id)
        assert flat(dossier.investigation.title) in drawn
        for c in dossier.causes:
            assert flat(c.text) in drawn


def test_importing_the_exporter_does_not_load_networkx():
    code = "import sys, exports.graphs; assert 'networkx' not in sys.modules, 'networkx loaded'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()


# --- the command line -----------------------------------------------------------------------
@pytest.fixture
def rca(db_path):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), "--user", "alice", *args])

    return run


def test_cli_exports_graphml_to_stdout_and_to_a_private_file(rca, hostile, tmp_path):
    inv_id, ids = hostile
    shown = rca("export", str(inv_id), "--format", "graphml")
    assert shown.exit_code == 0, shown.output
    g = read_back(shown.stdout.encode("utf-8"))
    assert g.graph["title"] == TITLE
    assert g.number_of_nodes() == len(ids)

    out = tmp_path / "causes.graphml"
    written = rca("export", str(inv_id), "--format", "GraphML", "-o", str(out))
    assert written.exit_code == 0, written.output
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert read_back(out.read_bytes()).graph["title"] == TITLE
    assert out.read_bytes() == shown.stdout.encode("utf-8")

    again = rca("export", str(inv_id), "--format", "graphml", "-o", str(out))
    assert again.exit_code != 0
    assert "already exists" in again.output
    out.write_bytes(b"old")
    forced = rca("export", str(inv_id), "--format", "graphml", "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert read_back(out.read_bytes()).number_of_nodes() == len(ids)


def test_cli_exports_dot_to_stdout_and_to_a_private_file(rca, hostile, tmp_path):
    inv_id, ids = hostile
    shown = rca("export", str(inv_id), "--format", "dot")
    assert shown.exit_code == 0, shown.output
    check_dot(shown.stdout)
    assert shown.stdout.startswith("digraph ")
    assert all(f'"c{i}" [label=' in shown.stdout for i in ids.values())

    out = tmp_path / "causes.dot"
    written = rca("export", str(inv_id), "--format", "dot", "-o", str(out))
    assert written.exit_code == 0, written.output
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert out.read_text(encoding="utf-8") == shown.stdout

    before = out.read_bytes()
    again = rca("export", str(inv_id), "--format", "dot", "-o", str(out))
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert out.read_bytes() == before
    assert rca("export", str(inv_id), "--format", "dot", "-o", str(out), "--force").exit_code == 0


def test_cli_names_the_formats_when_one_is_unknown(rca, hostile):
    result = rca("export", str(hostile[0]), "--format", "pptx")
    assert result.exit_code != 0
    assert (
        "--format: 'pptx' is not a format (choose from docx, pdf, html, md, csv, xlsx, json, "
        "graphml, dot)" in result.output
    )
    assert "graphml, dot" in rca("export", "--help").output


def test_cli_graph_export_of_a_missing_investigation_is_one_line(rca, service):
    result = rca("export", "999", "--format", "dot")
    assert result.exit_code == 1
    assert len([ln for ln in result.output.splitlines() if ln.strip()]) == 1


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_cli_graph_file_is_private_even_with_a_loose_umask(rca, hostile, tmp_path):
    old = os.umask(0o000)
    try:
        out = tmp_path / "loose.dot"
        assert rca("export", str(hostile[0]), "--format", "dot", "-o", str(out)).exit_code == 0
    finally:
        os.umask(old)
    assert oct(out.stat().st_mode & 0o777) == "0o600"

"""The cause graph of one investigation as GraphML (for yEd, Gephi, networkx) or Graphviz DOT.

Both are built from a `Dossier`, so they show exactly what was saved. An edge `a -> b` means
"a led to b", as in the app. networkx is imported inside the functions: `rca --help` and the
app's start-up never pay for it.
"""

from __future__ import annotations

import functools
import io
import textwrap
from typing import TYPE_CHECKING

from exports.report import cause_ref
from exports.safety import clean_xml_text

if TYPE_CHECKING:
    from models.domain import Cause, Dossier

#: DOT labels are wrapped at this many characters and cut after this many lines (a pasted
#: page of text would otherwise make one node bigger than the whole diagram).
LABEL_WIDTH = 30
LABEL_LINES = 10

#: Node attributes by cause kind; anything unknown is drawn as a plain cause.
_DOT_STYLE = {
    "event": "shape=box, style=bold, peripheries=2, penwidth=2, fontsize=12",
    "root": 'shape=box, style=filled, fillcolor="#fff2b3"',
    "contributing": 'shape=box, style="rounded,dashed"',
    "cause": "shape=box, style=rounded",
}


def node_id(cause_id: int) -> str:
    """The id a cause has in both formats ("c12")."""
    return f"c{cause_id}"


def _xml(value: object) -> str:
    return clean_xml_text("" if value is None else str(value))


def to_graphml(dossier: Dossier) -> bytes:
    """GraphML (UTF-8) that `networkx.read_graphml` reads back into the same graph.

    One node per cause ("c<id>") with `label` ("C12 " and the text, the reference the report
    uses, for Gephi and yEd), `text`, `kind`, `category` ("" when none), `evidence`,
    `statement`, `codes` (its cause codes, comma-separated; "" when none) and `root` (bool);
    one edge per link, cause -> effect. The graph carries
    `title`, `investigation_id` and `sac_score` (an int, or "" when not scored). Characters
    XML 1.0 forbids are dropped; everything else is kept as typed, a carriage return too (as
    `&#13;`, which an XML parser would otherwise read as a line feed).
    """
    import networkx as nx

    inv = dossier.investigation
    g = nx.DiGraph()
    g.graph["title"] = _xml(inv.title)
    g.graph["investigation_id"] = int(inv.id)
    g.graph["sac_score"] = "" if inv.sac_score is None else int(inv.sac_score)
    for c in dossier.causes:
        g.add_node(
            node_id(c.id),
            label=_xml(f"{cause_ref(c.id)} {c.text}"),
            text=_xml(c.text),
            kind=_xml(c.kind),
            category=_xml(c.category),
            evidence=_xml(c.evidence),
            statement=_xml(c.statement),
            codes=_xml(", ".join(dossier.cause_codes.get(c.id, ()))),
            root=str(c.kind) == "root",
        )
    for link in dossier.links:
        g.add_edge(node_id(link.cause_id), node_id(link.effect_id))
    buf = io.BytesIO()
    writer = _graphml_writer()(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(g)
    writer.dump(buf)
    # Only typed text holds a carriage return (the writer ends its lines with "\n").
    return buf.getvalue().replace(b"\r", b"&#13;")


@functools.cache
def _graphml_writer() -> type:
    """networkx's ElementTree GraphML writer (also when lxml is installed: the same output
    everywhere), writing booleans as XML Schema's `true`/`false` rather than Python's `True`."""
    from networkx.readwrite.graphml import GraphMLWriter

    class Writer(GraphMLWriter):
        def add_data(self, name, element_type, value, scope="all", default=None):
            element = super().add_data(name, element_type, value, scope, default)
            if element_type is bool:
                element.text = str(value).lower()  # networkx passes str(value): "True"
            return element

    return Writer


def dot_string(text: str) -> str:
    """`text` as a double-quoted DOT string, line breaks as Graphviz's `\\n` escape.

    Backslashes are doubled (so no `\\N`, `\\G`... and no backslash before the closing quote),
    quotes escaped, and characters no SVG could hold dropped. Braces, brackets and markup-like
    text need nothing inside quotes.
    """
    text = clean_xml_text(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (ln.replace("\\", "\\\\").replace('"', '\\"') for ln in text.split("\n"))
    return '"' + "\\n".join(lines) + '"'


def wrap_label(text: str, width: int = LABEL_WIDTH, max_lines: int = LABEL_LINES) -> str:
    """The cause text in lines of about `width` characters (at most `max_lines`, then "…")."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""])
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return "\n".join(lines)


def _dot_node(c: Cause, codes: tuple[str, ...] = ()) -> str:
    style = _DOT_STYLE.get(str(c.kind), _DOT_STYLE["cause"])
    label = wrap_label(f"{cause_ref(c.id)} {c.text}")  # the event too: the report's "Event: C15"
    if codes:  # the cause codes on a line of their own under the text
        label += "\n[" + ", ".join(codes) + "]"
    return f"  {dot_string(node_id(c.id))} [label={dot_string(label)}, {style}];"


#: The legend of the DOT drawing: what each kind of box means (as the report's pictures).
_DOT_LEGEND = (
    ("legend_event", "event", "The event"),
    ("legend_root", "root", "Root cause"),
    ("legend_contributing", "contributing", "Contributing factor"),
    ("legend_cause", "cause", "Cause (an arrow: led to)"),
)


def to_dot(dossier: Dossier) -> str:
    """Graphviz DOT of the cause graph: causes on the left, the event on the right.

    Render with e.g. `dot -Tsvg file.dot -o file.svg`. The event has a bold double border,
    root causes are filled, contributing factors dashed, other causes rounded boxes; a legend
    says so. Labels start with the cause's reference in the report ("C12", the event's too, as
    in GraphML and the report's "Event: C15") and end with the
    cause's codes in brackets ("[TJC-MED.LASA, LP-TASK]") when it has any.
    """
    inv = dossier.investigation
    out = [
        f"digraph {dot_string(f'rca_{inv.id}')} {{",
        # Edges run cause -> effect, so left-to-right ranks put the event at the right end.
        f'  graph [rankdir=LR, charset="UTF-8", labelloc=t, fontsize=16, '
        f"label={dot_string(inv.title)}];",
        '  node [fontsize=10, margin="0.15,0.08"];',
        "  edge [arrowsize=0.7];",
    ]
    out.extend(_dot_node(c, dossier.cause_codes.get(c.id, ())) for c in dossier.causes)
    out += ["  subgraph cluster_legend {", '    label="Legend"; fontsize=10; style=dashed;']
    out += [f'    {key} [label="{text}", {_DOT_STYLE[kind]}];' for key, kind, text in _DOT_LEGEND]
    out.append("  }")
    out.extend(
        f"  {dot_string(node_id(link.cause_id))} -> {dot_string(node_id(link.effect_id))};"
        for link in dossier.links
    )
    out.append("}")
    return "\n".join(out) + "\n"

"""Pictures for reports (exports.diagrams): a real fishbone and a layered cause graph, with no
label on top of another, marks that survive black-and-white printing, and no crash on hostile
text."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from exports import diagrams
from models.domain import Cause, Link
from models.fishbone import NO_EVENT, UNCATEGORISED

CATEGORIES = (
    "Patient",
    "Individual staff",
    "Task and technology",
    "Team (incl. communication)",
    "Work environment",
    "Organisation and management",
    "Institutional context",
)
EVENT = "Patient fell walking to the bathroom unassisted at 03:10 and fractured her left hip"
HOSTILE = (
    "<script>alert(1)</script>",
    "[bold]x[/] and [red]y",
    '=HYPERLINK("http://x")',
    "$x^2$ cost $5 and $10 \\frac{a}{b}",
    "転倒した患者 😀 emoji and CJK",
    "bell\x07 form\x0c feed and NUL\x00 end",
    "a" * 90,
    "onset = 2 h; javascript: void",
    "",
)
WORDS = [
    *[
        "alarm",
        "bed",
        "night",
        "nurse",
        "staffing",
        "policy",
        "pump",
        "label",
        "order",
        "dose",
        "handover",
        "shift",
        "call",
    ],
    *[
        "light",
        "floor",
        "wet",
        "sedation",
        "confusion",
        "training",
        "vendor",
        "software",
        "interface",
        "alert",
    ],
    *["fatigue", "screen"],
]
SVG = "{http://www.w3.org/2000/svg}"


def causes_on_bones(n: int, bones: int = 7, hostile: bool = False):
    """`n` causes spread over `bones` categories: top-level causes, chains of whys under them,
    one cause reachable twice (drawn once in full, once as a reference), every kind."""
    causes = [Cause(1, 1, EVENT, None, "event")]
    links = []
    lid = itertools.count(1)
    for i in range(2, n + 2):
        length = 3 + (i * 7) % 14
        text = " ".join(WORDS[(i * 5 + k * 3) % len(WORDS)] for k in range(length))
        if hostile and i % 4 == 0:
            text = HOSTILE[(i // 4) % len(HOSTILE)]
        kind = ("cause", "root", "contributing", "cause")[i % 4]
        causes.append(Cause(i, 1, f"{text}", CATEGORIES[i % bones], kind))
        # the first two per bone lead to the event, later ones are whys of an earlier cause
        effect = 1 if i < 2 + 2 * bones else i - bones - (i % 3)
        links.append(Link(next(lid), 1, i, max(effect, 1) if effect != i else 1))
    links.append(Link(next(lid), 1, n + 1, 2))  # a second path: drawn as a reference
    return causes, links


def text_boxes(fig):
    renderer = fig.canvas.get_renderer()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from font")  # drawn as boxes
        return [
            (t.get_text(), t.get_window_extent(renderer))
            for t in fig.texts
            if t.get_text().strip()
        ]


def assert_no_overlap(boxes):
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), f"labels overlap: {ta!r} and {tb!r}"


def assert_inside(fig, boxes):
    frame = fig.bbox
    for text, box in boxes:
        assert box.x0 >= frame.x0 - 0.5 and box.x1 <= frame.x1 + 0.5, text
        assert box.y0 >= frame.y0 - 0.5 and box.y1 <= frame.y1 + 0.5, text


# --- the fishbone ---------------------------------------------------------------------------
def test_fishbone_30_causes_on_7_bones_has_no_overlapping_labels():
    causes, links = causes_on_bones(30)
    fig = diagrams.fishbone_figure("", CATEGORIES, causes, links)
    boxes = text_boxes(fig)
    texts = "\n".join(t for t, _ in boxes)
    # every category, every cause (its first words), the head and a legend are drawn
    for name in CATEGORIES:
        assert name.split()[0] in texts
    for c in causes[1:]:
        assert c.text.split()[0] in texts
    assert "Patient fell walking" in texts
    assert "root cause" in texts and "contributing factor" in texts
    assert diagrams.REF_MARK in texts  # the cause reachable twice
    assert_no_overlap(boxes)
    assert_inside(fig, boxes)
    # the figure grew to hold them: wider than a page, and not absurdly tall
    w, h = fig.get_size_inches()
    assert w > 10 and h < w


def test_fishbone_big_and_hostile_still_has_no_overlapping_labels():
    for n in (75, 130):  # the two sizes where labels get shorter (LARGE, HUGE)
        causes, links = causes_on_bones(n, hostile=True)
        fig = diagrams.fishbone_figure(EVENT, CATEGORIES, causes, links)
        boxes = text_boxes(fig)
        assert_no_overlap(boxes)
        assert_inside(fig, boxes)
        assert len(boxes) >= n  # one label per cause at least


def test_fishbone_shape_head_right_bones_as_in_the_app_labels_left_of_their_bone():
    causes, links = causes_on_bones(14)
    fig = diagrams.fishbone_figure("", CATEGORIES, causes, links)
    renderer = fig.canvas.get_renderer()
    texts = {t.get_gid(): t for t in fig.texts if t.get_gid()}
    head = texts["fishbone-head"].get_window_extent(renderer)
    spine_y = fig.texts[0].get_transform().transform((0, 0))[1]
    cats = [texts[f"fishbone-category-{i}"].get_window_extent(renderer) for i in range(7)]
    for i, box in enumerate(cats):
        assert box.x1 < head.x0  # the head is right of everything
        assert (box.y0 > spine_y) == (i < 4)  # as in the app: the first four above, 3 below
    # each row in category order from left to right, as in the app
    assert cats[0].x0 < cats[1].x0 < cats[2].x0 < cats[3].x0
    assert cats[4].x0 < cats[5].x0 < cats[6].x0
    for c in causes[1:]:
        box = texts[f"fishbone-cause-{c.id}"].get_window_extent(renderer)
        assert box.x1 < head.x0


def test_fishbone_marks_read_without_colour_in_svg():
    causes, links = causes_on_bones(12)
    svg = diagrams.fishbone_svg(EVENT, CATEGORIES, causes, links)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    nodes = [el for el in root.iter(f"{SVG}text")]
    by_text = {("".join(el.itertext())): el.get("style", "") for el in nodes}
    roots = [t for t in by_text if t.startswith(diagrams.ROOT_MARK) and "root cause" not in t]
    contributing = [t for t in by_text if t.startswith(diagrams.CONTRIBUTING_MARK + " ")]
    assert roots and contributing
    assert all("font-weight: 700" in by_text[t] or "bold" in by_text[t] for t in roots)
    assert all("italic" in by_text[t] or "oblique" in by_text[t] for t in contributing)
    legend = " ".join(by_text)
    assert "◆ bold: root cause" in legend and "+ italic: contributing factor" in legend


def test_fishbone_hostile_texts_do_not_crash_and_stay_plain_text():
    causes = [Cause(1, 1, "Event <b>x</b> 😀 転倒 $5", None, "event")]
    causes += [
        Cause(i + 2, 1, text, cat, "cause")
        for i, (text, cat) in enumerate(
            zip(
                HOSTILE,
                ["<Cat>", None, "", "$x$", "Patient", "転倒", "[b]", "x", "Patient"],
                strict=True,
            )
        )
    ]
    links = [Link(i, 1, c.id, 1) for i, c in enumerate(causes[1:], start=1)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # missing-glyph warnings are the only ones silenced
        png = diagrams.fishbone_png("", ["<Cat>", "$x$", "[b]", "Patient"], causes, links, dpi=60)
        svg = diagrams.fishbone_svg("", ["<Cat>", "$x$", "[b]", "Patient"], causes, links)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    ET.fromstring(svg)  # well-formed: control characters dropped, markup escaped
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "$x^2$ cost $5" in svg  # never mathtext
    assert "[bold]x[/]" in svg and "転倒" in svg and "😀" in svg
    assert "\x07" not in svg and "\x00" not in svg
    # "=" and ":" in texts are character references, so no filter mistakes a text for markup
    assert "onset &#61; 2 h; javascript&#58; void" in svg


def test_fishbone_accepts_report_rows_and_mappings_like_domain_causes():
    causes, links = causes_on_bones(10)
    rows = [
        SimpleNamespace(
            id=c.id,
            ref=f"C{c.id}",
            text=c.text,
            kind=c.kind,
            kind_label={"root": "Root cause"}.get(c.kind, c.kind),
            category=c.category or "",
        )
        for c in causes
    ]
    dicts = [{"id": c.id, "text": c.text, "kind": c.kind, "category": c.category} for c in causes]
    link_dicts = [{"cause_id": lk.cause_id, "effect_id": lk.effect_id} for lk in links]
    labels = []
    for cs, ls in ((causes, links), (rows, links), (dicts, link_dicts)):
        fig = diagrams.fishbone_figure("", CATEGORIES, cs, ls)
        labels.append(sorted(t.get_text() for t in fig.texts))
    assert labels[0] == labels[1] == labels[2]


def test_fishbone_uncategorised_bone_once_and_cycles_and_empty():
    causes = [
        Cause(1, 1, "Event", None, "event"),
        Cause(2, 1, "No category", None, "cause"),
        Cause(3, 1, "Unknown category", "Nope", "cause"),
        Cause(4, 1, "A", "Patient", "cause"),
        Cause(5, 1, "B", "Patient", "cause"),
    ]
    links = [Link(1, 1, 2, 1), Link(2, 1, 3, 1), Link(3, 1, 4, 5), Link(4, 1, 5, 4)]  # 4<->5
    # the report model lists "Uncategorised" among its bones: still one bone of that name
    fig = diagrams.fishbone_figure("", ["Patient", UNCATEGORISED], causes, links)
    names = [
        t.get_text()
        for t in fig.texts
        if (t.get_gid() or "").startswith("fishbone-category")
    ]
    assert names.count(UNCATEGORISED) == 1
    texts = [t.get_text() for t in fig.texts]
    assert any(x == "A" or x.startswith("A ") for x in texts)
    assert diagrams.fishbone_png("", [], [], []).startswith(b"\x89PNG")
    assert diagrams.graph_png([], []).startswith(b"\x89PNG")
    fig = diagrams.fishbone_figure(None, [], [], [])
    assert any(NO_EVENT in t.get_text() for t in fig.texts)


# --- the cause graph ---------------------------------------------------------------------------
def test_graph_30_causes_layered_left_to_right_without_overlaps():
    causes, links = causes_on_bones(30)
    fig = diagrams.graph_figure(causes, links)
    renderer = fig.canvas.get_renderer()
    texts = {t.get_gid(): t for t in fig.texts if t.get_gid()}
    boxes = text_boxes(fig)
    assert_no_overlap(boxes)
    assert_inside(fig, boxes)
    patches = [
        p.get_window_extent(renderer)
        for p in fig.artists
        if type(p).__name__ == "FancyBboxPatch"
    ]
    # boxes (the event has two, one inside the other) do not cross each other
    outer = [
        p
        for p in patches
        if not any(
            q is not p and q.x0 <= p.x0 and q.x1 >= p.x1 and q.y0 <= p.y0 and q.y1 >= p.y1
            for q in patches
        )
    ]
    assert len(outer) == len(causes)
    for a, b in itertools.combinations(outer, 2):
        assert not a.overlaps(b)
    # every link goes left to right: a cause is left of what it led to; the event rightmost
    x = {c.id: texts[f"graph-cause-{c.id}"].get_window_extent(renderer).x0 for c in causes}
    for lk in links:
        assert x[lk.cause_id] < x[lk.effect_id]
    assert x[1] == max(x.values())


def test_graph_marks_and_hostile_texts():
    causes, links = causes_on_bones(24, hostile=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = diagrams.graph_svg(causes, links)
        png = diagrams.graph_png(causes, links, dpi=50)
    assert png.startswith(b"\x89PNG")
    root = ET.fromstring(svg)
    texts = ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]
    assert any(t.startswith(diagrams.ROOT_MARK) for t in texts)
    assert any(t.startswith(diagrams.CONTRIBUTING_MARK + " ") for t in texts)
    assert "<script" not in svg
    fig = diagrams.graph_figure(causes, links)
    assert_no_overlap(text_boxes(fig))


def test_graph_survives_a_cycle():
    causes = [Cause(i, 1, f"c{i}", None, "cause") for i in range(1, 4)]
    links = [Link(1, 1, 1, 2), Link(2, 1, 2, 3), Link(3, 1, 3, 1)]
    assert diagrams.graph_png(causes, links, dpi=40).startswith(b"\x89PNG")


# --- the machinery -------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_text_metrics_are_an_upper_bound_of_the_agg_renderer():
    from exports.pictures.canvas import Canvas

    cv = Canvas(150)
    samples = [*HOSTILE, "AVAVA Wq ffi Tj", "light", "Ärger über Öl", "◆ + ↗ ›", "x"]
    for style, size in (("regular", 9.0), ("bold", 9.0), ("italic", 8.0), ("bold", 11.0)):
        for s in samples:
            s = diagrams.clean_label(s)
            if not s:
                continue
            for text in (s, f"{s}\n{s[:5]}"):
                t = cv.text(text, (style, size))
                w, h = cv.size(t)
                real = t.get_window_extent(cv.renderer)
                assert w * 150 >= real.width - 0.01, (style, text)
                assert h * 150 >= real.height - 0.01, (style, text)


def test_wrap_cuts_and_counts_wide_characters():
    assert diagrams.wrap("short", 10, 3) == ["short"]
    lines = diagrams.wrap("one two three four five six seven", 10, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    cjk = diagrams.wrap("転倒した患者が夜間に一人で歩いた", 10, 5)
    from exports.pictures.text import label_cells

    assert all(label_cells(line) <= 10 for line in cjk)
    assert "".join(cjk) == "転倒した患者が夜間に一人で歩いた"
    assert all(len(x) <= 12 for x in diagrams.wrap("x" * 50, 12, 10))


def test_png_resolution_is_capped_for_huge_figures():
    assert diagrams.png_dpi(10, 5, 150) == 150
    dpi = diagrams.png_dpi(40, 60, 150)
    assert 40 * 60 * dpi * dpi <= diagrams.MAX_PIXELS * 1.0001
    assert max(40, 300) * diagrams.png_dpi(40, 300, 150) <= diagrams.MAX_SIDE_PX + 1e-6


def test_import_loads_no_plotting_or_document_library_and_pyplot_never(tmp_path):
    code = (
        "import sys\n"
        "import exports.diagrams, exports.docx, exports.pdf, exports.document\n"
        "heavy = [m for m in ('matplotlib', 'docx', 'fpdf') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "from models.domain import Cause, Link\n"
        "c = [Cause(1, 1, 'e', None, 'event'), Cause(2, 1, 'c', 'X', 'root')]\n"
        "exports.diagrams.fishbone_png('', ['X'], c, [Link(1, 1, 2, 1)], dpi=30)\n"
        "exports.diagrams.graph_svg(c, [Link(1, 1, 2, 1)])\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "import os; print(os.environ['MPLCONFIGDIR'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MPLCONFIGDIR", "MPLBACKEND")}
    env["RCA_CACHE"] = str(tmp_path / "cache")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tmp_path / "cache" / "matplotlib")
    # a folder the user chose is kept
    env["MPLCONFIGDIR"] = str(tmp_path / "mine")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tmp_path / "mine")


@pytest.mark.parametrize("make", ["fishbone", "graph"])
def test_png_and_svg_are_valid_files(make):
    causes, links = causes_on_bones(8)
    if make == "fishbone":
        png = diagrams.fishbone_png(EVENT, CATEGORIES, causes, links, dpi=72)
        svg = diagrams.fishbone_svg(EVENT, CATEGORIES, causes, links)
    else:
        png = diagrams.graph_png(causes, links, dpi=72)
        svg = diagrams.graph_svg(causes, links)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert ET.fromstring(svg).tag == f"{SVG}svg"
    # the same input gives the same SVG (stable ids, no date)
    again = (
        diagrams.fishbone_svg(EVENT, CATEGORIES, causes, links)
        if make == "fishbone"
        else diagrams.graph_svg(causes, links)
    )
    assert svg == again


def test_line_text_canvas_draws_like_matplotlib():
    """The one-call-per-line text drawing gives the same picture as matplotlib's own."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    causes, links = causes_on_bones(12)
    fig = diagrams.fishbone_figure(EVENT, CATEGORIES, causes, links, dpi=80)
    fig.canvas.draw()
    ours = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    stock = FigureCanvasAgg(fig)
    stock.draw()
    theirs = np.asarray(stock.buffer_rgba())[..., :3].astype(int)
    assert ours.shape == theirs.shape

    def pooled(a):  # 4x4 averages: hinting and anti-aliasing differ, placement must not
        h, w = (a.shape[0] // 4) * 4, (a.shape[1] // 4) * 4
        return a[:h, :w].mean(axis=2).reshape(h // 4, 4, w // 4, 4).mean(axis=(1, 3))

    diff = np.abs(pooled(ours) - pooled(theirs))
    assert diff.mean() < 3.0
    assert (diff > 96).mean() < 0.002


def test_pictures_fall_back_to_a_cjk_font_and_name_what_no_font_draws(monkeypatch, caplog):
    """Machine fonts decide nothing here: the list of fallback fonts is set by the test."""
    import logging

    from exports import pdf_fonts
    from exports.formats import Job
    from exports.pictures import text as picture_text

    texts = ["転倒した患者 😀 🩺 fell", "plain"]
    monkeypatch.setattr(pdf_fonts, "CJK_FONTS", ())
    monkeypatch.setattr(picture_text, "RTL_FONTS", ())
    assert diagrams.fallback_font(texts) is None
    assert diagrams.missing_glyphs(texts) == "転倒した患者🩺"  # DejaVu has 😀
    assert diagrams.missing_glyphs(["plain ascii", "Zoë café"]) == ""
    # a font that has every character (matplotlib's "Last Resort") as the machine's CJK font
    last_resort = os.path.join(os.path.dirname(diagrams.font_path()), "LastResortHE-Regular.ttf")
    monkeypatch.setattr(pdf_fonts, "CJK_FONTS", ((last_resort, 0),))
    assert diagrams.fallback_font(texts) == last_resort
    assert diagrams.missing_glyphs(texts, last_resort) == ""
    causes = [Cause(1, 1, "Fall", None, "event"), Cause(2, 1, texts[0], "Patient", "cause")]
    links = [Link(1, 1, 2, 1)]
    assert diagrams.fishbone_png("", ["Patient"], causes, links).startswith(b"\x89PNG")

    # an export names what no font can draw, once
    monkeypatch.setattr(pdf_fonts, "CJK_FONTS", ())
    dossier = SimpleNamespace(causes=causes)
    report = SimpleNamespace(
        ref="RCA-1",
        causes=[
            SimpleNamespace(ref=f"C{c.id}", text=c.text, kind=c.kind, id=c.id, category=c.category)
            for c in causes
        ],
        categories=("Patient",),
        links=links,
        event=None,
    )
    job = Job(dossier)
    job.__dict__["report"] = report  # the cached report, made by hand
    caplog.set_level(logging.WARNING, logger="rca_tui.exports")
    assert set(job.png_pictures) == {"fishbone", "graph"}
    assert job.png_pictures is job.png_pictures
    warnings_ = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings_) == 1 and "🩺" in warnings_[0] and "in C2" in warnings_[0]


def test_a_wrapped_label_can_be_changed_by_its_caller():
    """Wrapped lines are kept for the next picture (the parts of a split fishbone wrap the
    same labels): what a caller does to its lines (the fishbone adds "?" to the last) must
    not show in the next label."""
    from exports.pictures.text import wrap

    text = "The bed exit alarm had been silenced during repositioning at 23:00"
    first = wrap(text, 30, 5)
    first[-1] += " ?"
    again = wrap(text, 30, 5)
    assert again == [line.rstrip(" ?") for line in first] and not again[-1].endswith("?")
    assert "".join(again).replace(" ", "") == text.replace(" ", "")

"""Markdown, HTML, CSV and XLSX exports, de-identified copies in every format, and the
`rca export` command with several formats. Every format is read back and checked on content."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from test_report import NAME, NOW, PLANTED, leaks, make_dossier

from exports import file_stem, parse_formats, render_formats, slug
from exports.html import html_report, safe_svg
from exports.markdown import markdown_report, md_cell, md_text, mermaid_ishikawa
from exports.report import ACTION_COLUMNS, SECTIONS, build_report
from exports.safety import ExportError
from exports.sheets import csv_action_plan, neutralise, xlsx_action_plan
from models.domain import Action, Measure
from rca_tui.cli import cli

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example/x","click")'
HOSTILE = f"{SCRIPT} {FORMULA} [bold]x[/] a | b `code` *em* \x07bell \x1b[31mred"


def hostile_dossier():
    """Every free text hostile; actions whose cells start like formulas."""
    d = make_dossier(HOSTILE)
    a0 = d.actions[0]
    actions = (
        dataclasses.replace(
            a0, text=FORMULA, owner="+1 555 0100 call", hierarchy_category="@SUM(A1)"
        ),
        dataclasses.replace(
            d.actions[1],
            text="-2+3 cmd|' /C calc'!A0",
            owner="\tTabbed",
            measure=Measure("outcome", "\rCR first", "how", "-5", "30", None),
            concurrence_reason="ok",
        ),
    )
    return dataclasses.replace(d, actions=actions)


def report(dossier=None, **kwargs):
    return build_report(
        dossier or hostile_dossier(),
        findings=kwargs.pop("findings", ()),
        generated_by="alice",
        db_version="0003",
        now=NOW,
        **kwargs,
    )


# --- Markdown -------------------------------------------------------------------------------
def render_markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def test_markdown_has_every_section_in_order():
    md = markdown_report(report())
    positions = [md.index(f"## {n}. {title}\n") for n, (_, title) in enumerate(SECTIONS, start=1)]
    assert positions == sorted(positions)
    assert md.startswith("# RCA-12: Inpatient fall")
    assert "Generated 2026-03-02 10:30 by alice" in md
    assert "database schema 0003" in md
    assert "**SAC score: 3 (highest risk: full RCA required)**" in md
    assert "```mermaid\nishikawa-beta\n" in md
    assert md.endswith("\n") and "\n\n\n" not in md


def test_markdown_hostile_texts_are_harmless():
    md = markdown_report(report())
    assert SCRIPT not in md and not re.search(r"(?<!\\)<", md.split("```mermaid")[0])
    assert "\x07" not in md and "\x1b" not in md
    assert r"\[bold\]x\[/\]" in md
    assert r"a \| b" in md
    html = render_markdown(md)
    assert "<script" not in html and "<code>code</code>" not in html
    assert "*em*" in html and "`code`" in html  # shown as typed, not as markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the escaped pipe does not add a column: every row of the team table has 3 cells
    team = html.split("<h2>3. RCA team</h2>")[1].split("<h2>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", team, re.DOTALL)
    assert rows and all(len(re.findall(r"<t[dh]>", row)) == 3 for row in rows)
    assert "Alex Morgan &lt;script&gt;" in team


def test_markdown_escapes_block_markers_and_keeps_line_breaks():
    assert md_text("# not a heading\n- not a list\n1. nor this") == (
        "\\# not a heading\\\n\\- not a list\\\n1\\. nor this"
    )
    assert md_cell("one\ntwo | three") == "one<br>two \\| three"
    html = render_markdown(md_text("# x\n> y\n+ z"))
    assert "<h1>" not in html and "<blockquote>" not in html and "<ul>" not in html


def test_markdown_tables_and_outline_hold_the_content():
    md = markdown_report(report(make_dossier()))
    assert "| 1 | 2026-02-19 22:00 | Sedative given | No sedative | MAR |" in md
    assert "- **Task and technology**\n  - C2 Alarm was off\n    - C3 Beds bought" in md
    assert "↗ C3" in md  # reached twice: a reference the second time
    assert "1. Event: C1 Patient fell" in md
    assert "- **R1** (warning)" not in md  # no findings passed
    assert "Stronger: Forcing function" in md
    # one action-plan row per action: measure and concurrence in it
    assert (
        "Process measure; Beds re-arming; how: Audit; sample: 32; target: 100%; on 2026-05-01 |"
        in md
    )
    assert "| Do not concur (Dr Chief 2026-03-01 12:00): Too costly |" in md
    assert "> **Warning:** Root cause C5 has only weaker actions" in md


def test_mermaid_block_is_one_line_per_cause_indented_by_depth():
    d = make_dossier()
    causes = list(d.causes)
    causes[1] = dataclasses.replace(causes[1], text="ishikawa\nline two %% <x>")
    block = mermaid_ishikawa(report(dataclasses.replace(d, causes=tuple(causes))))
    lines = block.split("\n")
    assert lines[0] == "ishikawa-beta"
    assert lines[1] == "    Patient fell"
    # a bone's name on lines of 14 characters at most (Mermaid set 7 in a row touching), an
    # empty bone drawn as long as the others
    assert "        Task and<br>technology" in lines
    assert "        Patient" in lines and "            (none yet)" in lines
    # a short label (the full text is in the list); "%%" split: never a Mermaid directive
    assert "            C2 ishikawa line two % % ‹x›" in lines
    assert all(line.startswith("    ") for line in lines[1:])
    causes[1] = dataclasses.replace(causes[1], text="Ishikawa first")
    block = mermaid_ishikawa(report(dataclasses.replace(d, causes=tuple(causes))))
    assert "            · C2 Ishikawa first" not in block  # the ref comes first anyway
    assert "            C2 Ishikawa first" in block


def test_a_crowded_bone_shows_its_first_causes_and_counts_the_rest():
    """Mermaid lays labels over each other past a few a bone: a crowded bone shows its first
    top-level causes in three words, and one label counts the rest (all in the list)."""
    from exports.markdown import MERMAID_PER_BONE
    from models.domain import Cause, Link

    d = make_dossier()
    event = next(c for c in d.causes if c.kind == "event")
    causes = [event]
    links = []
    for i in range(10):  # ten top-level causes on one bone, each with one why under it
        top, why = 100 + 2 * i, 101 + 2 * i
        causes.append(Cause(top, d.investigation.id, f"top cause {i} in many words here",
                            "Staff", "cause"))
        causes.append(Cause(why, d.investigation.id, f"why {i}", "Staff", "cause"))
        links += [Link(top, d.investigation.id, top, event.id),
                  Link(why, d.investigation.id, why, top)]
    crowded = dataclasses.replace(d, causes=tuple(causes), links=tuple(links),
                                  categories=("Staff",))
    block = mermaid_ishikawa(report(crowded))
    lines = [line.strip() for line in block.split("\n")]
    staff = lines[lines.index("Staff") + 1:]
    assert len(staff) == MERMAID_PER_BONE + 1
    assert staff[0].endswith("top cause 0…") and not any("why" in x for x in staff)
    assert staff[-1] == f"… {20 - MERMAID_PER_BONE} more in the list below"
    # the demo-sized fishbone is drawn whole
    assert "more in the list below" not in mermaid_ishikawa(report(d))


# --- HTML -----------------------------------------------------------------------------------
class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.h2: list[str] = []
        self._in_h2 = False
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_h2 = tag == "h2"
        self._in_style = tag == "style"
        # attribute values people could read are text too (not SVG path data)
        self.text.extend(
            v for k, v in attrs if v and k in ("title", "alt", "aria-label", "content")
        )

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            return
        self.text.append(data)
        if self._in_h2:
            self.h2.append(data)


def parse(html: str) -> Collect:
    p = Collect()
    p.feed(html)
    p.close()
    return p


def test_html_has_all_sections_in_order_and_no_active_content():
    page = html_report(report())
    p = parse(page)
    names = [t for t, _ in p.tags]
    assert "script" not in names and "iframe" not in names and "img" not in names
    assert [t for t, a in p.tags if t == "section"] and [
        a["id"] for t, a in p.tags if t == "section"
    ] == [key for key, _ in SECTIONS]
    assert p.h2 == [f"{n}. {title}" for n, (_, title) in enumerate(SECTIONS, start=1)]
    for _, attrs in p.tags:
        for name, value in attrs.items():
            assert not name.startswith("on")
            if name in ("src", "href", "action"):
                pytest.fail(f"external reference {name}={value}")
    text = "".join(p.text)
    # the hostile text arrives as text, exactly as typed (minus what XML forbids)
    assert "Alex Morgan " + HOSTILE.replace("\x07", "␇").replace("\x1b", "␛") in text
    assert "default-src 'none'" in page
    assert "@media print" in page and "@page" in page
    assert "De-identified" not in text


def test_html_embeds_given_svg_pictures_and_refuses_active_ones():
    svg = (
        '<?xml version="1.0"?>\n<!-- c --><svg xmlns="http://www.w3.org/2000/svg">'
        '<g id="a"/><use href="#a"/><text>fish</text></svg>'
    )
    page = html_report(report(), {"fishbone": svg, "graph": svg.replace("fish", "graph")})
    p = parse(page)
    assert [t for t, _ in p.tags].count("svg") == 2
    assert "<?xml" not in page
    # ids are made unique per picture, references follow
    assert 'id="fishbone-a"' in page and 'href="#fishbone-a"' in page and 'id="graph-a"' in page
    fish = page.index("<svg")
    assert page.index('id="fishbone"') < fish < page.index('id="whys"')
    for bad in (
        "<svg><script>alert(1)</script></svg>",
        '<svg onload="x()"></svg>',
        '<svg><image href="https://attacker.invalid/x.png"/></svg>',
        "<svg><foreignObject><p>x</p></foreignObject></svg>",
        "<svg><style>@import url(http://attacker.invalid/c.css);</style></svg>",
        "<p>not svg</p>",
    ):
        assert safe_svg(bad) is None, bad
        page = html_report(report(), {"fishbone": bad})
        assert "attacker.invalid" not in page and "<script>alert" not in page
        assert "picture was left out" in page
    assert safe_svg('<svg><image href="data:image/png;base64,AAAA"/></svg>')


def test_html_of_an_empty_investigation():
    from models.domain import Dossier, Investigation

    r = build_report(Dossier(Investigation(id=3, title="x"), (), (), (), (), (), (), (), ()))
    p = parse(html_report(r))
    assert len(p.h2) == len(SECTIONS)
    assert "Not signed off yet." in "".join(p.text)


# --- CSV ------------------------------------------------------------------------------------
def test_neutralise_prefixes_formula_texts_only():
    assert neutralise("=1+1") == "'=1+1"
    for start in ("+", "-", "@", "\t", "\r", "\x00"):
        assert neutralise(start + "x") == "'" + start + "x"
    assert (
        neutralise("-5") == "-5" and neutralise("+3.5") == "+3.5" and neutralise("-10%") == "-10%"
    )
    assert neutralise(7) == 7 and neutralise("") == "" and neutralise(None) is None
    assert neutralise("plain = fine") == "plain = fine"


def test_csv_has_one_row_per_action_with_every_field_and_no_formula():
    data = csv_action_plan(report())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == ACTION_COLUMNS
    assert len(rows) == 3
    first = dict(zip(ACTION_COLUMNS, rows[1], strict=True))
    assert first["No."] == "1" and first["Action id"] == "10"
    assert first["Action"] == "'" + FORMULA
    assert first["Owner"] == "'+1 555 0100 call"
    assert first["Hierarchy category"] == "'@SUM(A1)"
    assert first["Strength"] == "Stronger" and first["Status"] == "In progress"
    assert first["Due"] == "2026-04-01" and first["Measure date"] == "2026-05-01"
    assert first["Measure type"] == "Process measure"
    assert first["Concurrence"] == "Do not concur"
    assert first["Root cause(s) addressed"].startswith("C3: Beds bought without usability")
    second = dict(zip(ACTION_COLUMNS, rows[2], strict=True))
    assert second["Action"] == "'-2+3 cmd|' /C calc'!A0"
    assert second["Owner"] == "'\tTabbed"
    assert second["What is measured"] == "'\rCR first"
    assert second["Sample size"] == "-5" and second["Target"] == "30"  # numbers stay numbers
    for row in rows[1:]:
        assert not any(
            cell.startswith(("=", "+", "-", "@", "\t", "\r")) and cell != "-5" for cell in row
        )


# --- XLSX -----------------------------------------------------------------------------------
def load(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def test_xlsx_action_plan_reads_back_with_types_and_layout():
    wb = load(xlsx_action_plan(report()))
    ws = wb["Action plan"]
    header = [c.value for c in ws[1]]
    assert tuple(header) == ACTION_COLUMNS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "C2"
    assert ws.max_row == 3
    assert ws.column_dimensions["E"].width == 50  # the action
    col = {name: i + 1 for i, name in enumerate(ACTION_COLUMNS)}
    number, ident = ws.cell(2, col["No."]), ws.cell(2, col["Action id"])
    assert (number.value, number.data_type, ident.value, ident.data_type) == (1, "n", 10, "n")
    action = ws.cell(2, col["Action"])
    # typed as text, flagged as text: shown as typed, no apostrophe, never a formula
    assert action.value == FORMULA and action.data_type == "s" and action.quotePrefix
    assert ws.cell(2, col["Owner"]).value == "+1 555 0100 call"
    assert ws.cell(3, col["Owner"]).value == "\tTabbed"
    assert ws.cell(3, col["Sample size"]).value == "-5"
    due = ws.cell(2, col["Due"])
    assert due.value == dt.datetime(2026, 4, 1) and due.is_date
    assert ws.cell(3, col["Due"]).value is None
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert cell.data_type == "s" and "\x07" not in cell.value
                if cell.value.startswith(("=", "+", "@", "\t", "\r")):
                    assert cell.quotePrefix, cell.value
    # rows as tall as their wrapped text; printed three pages wide, titles repeated
    assert ws.row_dimensions[2].height >= 15
    assert ws.page_setup.fitToWidth == 3 and ws.print_title_cols == "$A:$A"
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows()}
    assert about["Generated by"] == "alice" and about["Actions"] == 2
    assert "De-identified copy" not in about


def test_xlsx_cuts_cells_at_the_excel_limit():
    d = make_dossier()
    long_action = dataclasses.replace(d.actions[0], text="x" * 40000)
    ws = load(xlsx_action_plan(report(dataclasses.replace(d, actions=(long_action,)))))[
        "Action plan"
    ]
    assert len(ws.cell(2, ACTION_COLUMNS.index("Action") + 1).value) == 32767


def _header_xml(data: bytes, sheet: int) -> tuple[str, str]:
    """(oddHeader, oddFooter) as written in the file: what Excel checks against its limit."""
    import zipfile

    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{sheet}.xml"))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    head, foot = (
        root.findtext(f"{ns}headerFooter/{ns}{tag}") or "" for tag in ("oddHeader", "oddFooter")
    )
    return head, foot


def test_every_printed_sheet_carries_the_confidentiality_notice_within_excels_limit():
    """The notice heads every printed page of every sheet, as in the PDF; the footer names the
    investigation and the page. A hospital's long notice (with an &) goes on in the footer and
    is never over Excel's 255 characters (Excel would 'repair' the file); About holds it all."""
    from exports.report import DEFAULT_NOTICE

    data = xlsx_action_plan(report())
    for sheet in (1, 2, 3):  # Action plan, Root causes, About
        head, foot = _header_xml(data, sheet)
        assert head == "&C&7 " + DEFAULT_NOTICE
        assert "RCA-12" in foot and "Page &P of &N" in foot
    assert len(DEFAULT_NOTICE) > 200  # the default wording fits the header alone
    words = " ".join(f"clause {i} of the Quality & Safety Act;" for i in range(40))
    long = xlsx_action_plan(report(confidentiality_notice=words))
    head, foot = _header_xml(long, 1)
    assert len(head) <= 255 and len(foot) <= 255
    assert "&&" in head and "& " not in head.replace("&& ", "")  # a typed & is not a code
    shown = head.removeprefix("&C&7 ") + " " + foot.split("&L&7 ")[1].split("&C")[0]
    shown = shown.replace("&&", "&")
    assert shown.rstrip("…").split() == words.split()[: len(shown.rstrip("…").split())]
    assert shown.endswith("…")  # the rest did not fit
    ws = load(long)["About"]
    assert {r[0].value: r[1].value for r in ws.iter_rows()}["Confidentiality"] == words
    marked = xlsx_action_plan(report(deidentify=True))
    assert "de-identified" in _header_xml(marked, 1)[1].lower()
    assert load(long)["Action plan"].oddHeader.center.text  # openpyxl reads it back


# --- de-identified copies in every format -----------------------------------------------------
def planted_dossier():
    d = make_dossier(PLANTED)
    action = Action(
        20, 12, f"Call {NAME} at (555) 123-4567", (3,), "weaker", "Training", f"{NAME}", None
    )
    return dataclasses.replace(d, actions=(*d.actions, action))


def xlsx_text(data: bytes) -> str:
    wb = load(data)
    return (
        "\n".join(
            str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
        )
        + "\n"
        + (wb.properties.title or "")
        + (wb.properties.creator or "")
    )


TEXT_OF = {
    "md": lambda data: data,
    "html": lambda data: "\n".join(parse(data).text),
    "csv": lambda data: data.decode("utf-8-sig"),
    "xlsx": xlsx_text,
    "json": lambda data: data,
    "graphml": lambda data: data.decode("utf-8"),
    "dot": lambda data: data,
}


def test_the_full_copy_does_contain_the_planted_identifiers():
    out = render_formats(planted_dossier(), list(TEXT_OF), findings=(), pictures=False)
    for fmt, data in out.items():
        assert leaks(TEXT_OF[fmt](data)), fmt


def test_deidentified_copies_contain_none_of_the_planted_identifiers():
    out = render_formats(
        planted_dossier(), list(TEXT_OF), findings=(), deidentify=True, pictures=False
    )
    for fmt, data in out.items():
        text = TEXT_OF[fmt](data)
        assert not leaks(text), (fmt, leaks(text))
    for fmt in ("md", "html"):
        assert "De-identified copy" in TEXT_OF[fmt](out[fmt])
    assert "De-identified copy" in xlsx_text(out["xlsx"])
    doc = json.loads(out["json"])
    inv = doc["investigation"]
    assert not inv.get("patient_name") and not inv.get("patient_mrn") and not inv.get("patient_dob")
    ET.fromstring(out["graphml"])


# --- the entry point and file names ---------------------------------------------------------
def test_parse_formats_and_file_names():
    assert parse_formats("DOCX, pdf,md,md,markdown") == ["docx", "pdf", "md"]
    with pytest.raises(ExportError, match="'pptx' is not a format"):
        parse_formats("md,pptx")
    with pytest.raises(ExportError):
        parse_formats(" , ")
    assert slug("Inpatient fall (4 West) — Zoë's hip!") == "inpatient-fall-4-west-zoe-s-hip"
    assert file_stem(12, "Inpatient fall") == "rca-12-inpatient-fall"
    assert file_stem(12, "漢字") == "rca-12"
    assert file_stem(3, "x", deidentified=True) == "rca-3-x-deidentified"
    assert len(slug("word " * 50)) <= 40


# --- the command line -----------------------------------------------------------------------
@pytest.fixture
def rca(db_path):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), "--user", "alice", *args])

    return run


@pytest.fixture
def demo(rca):
    result = rca("demo")
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip().splitlines()[-1])


TEXT_FORMATS = "html,md,csv,xlsx,json,graphml,dot"


def one_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_cli_writes_several_formats_to_a_new_folder(rca, demo, tmp_path):
    folder = tmp_path / "out" / "reports"
    result = rca("export", str(demo), "--format", TEXT_FORMATS, "-o", str(folder))
    assert result.exit_code == 0, result.output
    written = result.stdout.splitlines()
    stem = f"rca-{demo}-inpatient-fall-with-hip-fracture-4-west"
    assert [os.path.basename(p) for p in written] == [
        f"{stem}.html",
        f"{stem}.md",
        f"{stem}-action-plan.csv",
        f"{stem}-action-plan.xlsx",
        f"{stem}.json",
        f"{stem}.graphml",
        f"{stem}.dot",
    ]
    for path in written:
        assert os.path.dirname(path) == str(folder)
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    md = (folder / f"{stem}.md").read_text(encoding="utf-8")
    assert "Eleanor Rigby" in md and "## 10. Action plan, measures and concurrence" in md
    rows = list(
        csv.reader(io.StringIO((folder / f"{stem}-action-plan.csv").read_text("utf-8-sig")))
    )
    assert len(rows) == 1 + 4
    assert json.loads((folder / f"{stem}.json").read_text())["investigation"]["title"]
    assert sorted(os.listdir(folder)) == sorted(os.path.basename(p) for p in written)


def test_cli_refuses_to_overwrite_and_writes_nothing_then_force(rca, demo, tmp_path):
    folder = tmp_path / "r"
    assert rca("export", str(demo), "--format", TEXT_FORMATS, "-o", str(folder)).exit_code == 0
    md = next(folder.glob("*.md"))
    md.write_text("old")
    for other in folder.iterdir():
        if other != md:
            other.unlink()
    again = rca("export", str(demo), "--format", TEXT_FORMATS, "-o", str(folder))
    assert "already exists" in one_line(again)
    assert sorted(folder.iterdir()) == [md]  # nothing else was written
    assert md.read_text() == "old"
    forced = rca("export", str(demo), "--format", TEXT_FORMATS, "-o", str(folder), "--force")
    assert forced.exit_code == 0, forced.output
    assert len(list(folder.iterdir())) == 7
    assert md.read_text(encoding="utf-8").startswith(f"# RCA-{demo}:")


def test_cli_one_format_to_a_file_a_folder_or_stdout(rca, demo, tmp_path):
    out = tmp_path / "plan.xlsx"
    result = rca("export", str(demo), "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0 and result.stdout.strip() == str(out)
    assert load(out.read_bytes())["Action plan"].max_row == 5
    existing = tmp_path / "dir"
    existing.mkdir()
    result = rca("export", str(demo), "--format", "md", "-o", str(existing))
    assert result.exit_code == 0
    assert result.stdout.strip().endswith(".md") and os.path.dirname(result.stdout.strip()) == str(
        existing
    )
    shown = rca("export", str(demo), "--format", "md")
    assert shown.exit_code == 0 and shown.stdout.startswith(f"# RCA-{demo}:")
    csv_out = rca("export", str(demo), "--format", "csv")
    assert csv_out.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert "is not text" in one_line(rca("export", str(demo), "--format", "xlsx"))
    assert "several formats need -o" in one_line(rca("export", str(demo), "--format", "md,html"))
    assert "'pptx' is not a format" in one_line(rca("export", str(demo), "--format", "pptx"))
    file_in_the_way = tmp_path / "file"
    file_in_the_way.write_text("x")
    assert "is a file" in one_line(
        rca("export", str(demo), "--format", "md,csv", "-o", str(file_in_the_way))
    )


def test_cli_unwritable_folder_is_one_line(rca, demo, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    message = one_line(rca("export", str(demo), "--format", "md,csv", "-o", str(blocker / "sub")))
    assert "cannot create the folder" in message
    if os.name == "posix" and os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        try:
            message = one_line(rca("export", str(demo), "--format", "md,csv", "-o", str(locked)))
            assert "cannot write" in message
        finally:
            locked.chmod(0o700)


def test_cli_a_failing_writer_is_one_line_and_writes_nothing(rca, demo, tmp_path, monkeypatch):
    import dataclasses

    from exports.formats import FORMATS
    from models.errors import ExportError

    def broken(job):
        raise ExportError("docx: the document could not be laid out")

    monkeypatch.setitem(FORMATS, "docx", dataclasses.replace(FORMATS["docx"], render=broken))
    folder = tmp_path / "r"
    message = one_line(rca("export", str(demo), "--format", "md,docx,csv", "-o", str(folder)))
    assert message == "Error: docx: the document could not be laid out"
    assert not folder.exists() or not any(folder.iterdir())


def test_progress_is_reported_per_format_in_order(service, demo_id, tmp_path):
    from exports import export_formats

    seen = []
    files = export_formats(
        service.dossier(demo_id),
        "md,csv,json",
        tmp_path,
        pictures=False,
        progress=lambda fmt, done, total: seen.append((fmt, done, total)),
    )
    assert seen == [("md", 0, 3), ("csv", 1, 3), ("json", 2, 3), ("", 3, 3)]
    assert [p.suffix for p in files] == [".md", ".csv", ".json"]


def test_every_existing_target_is_named_at_once(service, demo_id, tmp_path):
    from exports import export_formats
    from models.errors import TargetExistsError

    first = export_formats(service.dossier(demo_id), "md,csv", tmp_path, pictures=False)
    with pytest.raises(TargetExistsError) as caught:
        export_formats(service.dossier(demo_id), "md,csv,json", tmp_path, pictures=False)
    assert caught.value.paths == [str(p) for p in first]
    assert "use --force" in caught.value.message
    assert not list(tmp_path.glob("*.json"))  # nothing written


def test_cli_deidentify_covers_json_and_the_report(rca, demo, tmp_path):
    shown = rca("export", str(demo), "--format", "json", "--deidentify")
    assert shown.exit_code == 0
    doc = json.loads(shown.stdout)
    assert not doc["investigation"].get("patient_name")
    for fmt in ("json", "md", "html", "dot", "graphml", "csv"):
        text = rca("export", str(demo), "--format", fmt, "--deidentify").stdout
        if fmt == "html":
            text = "\n".join(parse(text).text)
        assert not leaks(text), (fmt, leaks(text))
    result = rca("export", str(demo), "--format", "md,xlsx", "--deidentify", "-o", str(tmp_path))
    assert all("-deidentified" in p for p in result.stdout.splitlines())

"""The report a reviewer signs: the executive summary first, one action-plan table, the
confidentiality notice on every page, a signature block, each five-whys chain once, references
that say where the full text is, and the paper size and notice as settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest

from exports.report import DEFAULT_NOTICE, SIGNATURE_ROLES, build_report
from models.demo import demo_document
from models.domain import Cause, Link, SignOff

NOW = dt.datetime(2026, 11, 30, 9, 0)
TODAY = NOW.date()


@pytest.fixture
def demo(service):
    inv = service.import_document(demo_document(TODAY))
    return service.dossier(inv.id)


def build(dossier, **kw):
    kw.setdefault("now", NOW)
    kw.setdefault("today", TODAY)
    return build_report(dossier, **kw)


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_page_one_is_the_executive_summary(demo):
    from exports.pdf import pdf_report

    r = build(demo)
    first = " ".join(pdf_pages(pdf_report(r, None))[0].split())
    assert "1. Executive summary" in first and "SAC score" in first and "Sentinel event" in first
    for c in r.root_causes:  # each root cause with its causal statement
        assert c.ref in first and " ".join(c.statement.split())[:40] in first
    for a in r.actions:  # the actions with their strength and owner
        assert a.ref in first and a.owner.split(",")[0] in first
    assert "RCA target (from decision)" in first and "left" in first
    assert "2. Event summary" not in first  # the detail starts on a new page


def test_deadlines_are_met_or_not_once_approved(demo):
    inv = dataclasses.replace(demo.investigation, status="approved")
    early = SignOff(1, inv.id, "reviewer", "Dr Chief", "approved", at=dt.datetime(2026, 12, 1))
    late = dataclasses.replace(early, at=dt.datetime(2027, 3, 1))
    status = {
        f.label: f.value
        for f in build(
            dataclasses.replace(demo, investigation=inv, signoffs=(early,))
        ).deadline_status
    }
    assert status["RCA target (from decision)"].endswith(": met (approved 2026-12-01)")
    status = {
        f.label: f.value
        for f in build(
            dataclasses.replace(demo, investigation=inv, signoffs=(late,))
        ).deadline_status
    }
    assert ": not met, " in status["RCA target (from decision)"]
    assert "late (approved 2027-03-01)" in status["RCA target (from decision)"]


def test_one_action_plan_table_row_per_action_with_measure_and_concurrence(demo):
    from exports.markdown import markdown_report

    md = markdown_report(build(demo))
    plan = md.split("## 10. Action plan, measures and concurrence")[1].split("\n## ")[0]
    rows = [line for line in plan.splitlines() if line.startswith("| A")]
    assert len(rows) == len(demo.actions) == 4
    assert "Measure (what, how, target, when)" in plan and "Concurrence" in plan
    assert "Measures and follow-up" not in md and "Leadership concurrence" not in md


def test_signature_block_has_a_line_for_every_role_before_anyone_signs(demo):
    r = build(demo)
    assert [s.role for s in r.signatures] == [label for _, label in SIGNATURE_ROLES]
    assert r.signatures[0].name == "Alex Morgan"  # the facilitator of the team
    assert r.signatures[2].name == "" and r.signatures[2].at == ""  # not approved yet
    from exports.html import html_report

    page = html_report(r, None)
    block = page.split("<h3>Signatures</h3>")[1].split("</table>")[0]
    assert block.count("<tr>") == 1 + len(SIGNATURE_ROLES)


def test_confidentiality_notice_on_every_page_and_paper_size(demo):
    from exports.docx import docx_report
    from exports.pdf import pdf_report

    r = build(demo)
    assert r.meta.notice == DEFAULT_NOTICE and r.meta.paper == "letter"
    pages = pdf_pages(pdf_report(r, None))
    assert len(pages) > 3
    assert all("patient safety work product" in " ".join(p.split()) for p in pages)
    own = build(demo, confidentiality_notice="Peer review: 38 U.S.C. 5705", paper_size="a4")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_report(own, None)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert all("38 U.S.C. 5705" in p.extract_text() for p in reader.pages)
    from docx import Document

    doc = Document(io.BytesIO(docx_report(own, None)))
    assert round(doc.sections[0].page_width.inches, 2) == 8.27
    assert all(
        any("38 U.S.C. 5705" in p.text for p in sec.footer.paragraphs) for sec in doc.sections
    )
    assert build(demo, confidentiality_notice="").meta.notice == ""
    with pytest.raises(ValueError, match="paper size"):
        build(demo, paper_size="legal")


def test_settings_give_the_notice_and_the_paper_to_rca_export(tmp_path, monkeypatch, db_path):
    from click.testing import CliRunner

    from rca_tui.cli import cli
    from rca_tui.config import SettingsError, load_settings

    config = tmp_path / "config.toml"
    monkeypatch.setenv("RCA_CONFIG", str(config))
    monkeypatch.setenv("RCA_DB", str(db_path))
    config.write_text('paper_size = "A4"\nconfidentiality_notice = "Hospital   peer review"\n')
    settings = load_settings()
    assert settings.paper_size == "a4" and settings.confidentiality_notice == "Hospital peer review"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    result = runner.invoke(cli, ["export", "1", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "_Hospital peer review_" in result.output
    result = runner.invoke(cli, ["export", "1", "--format", "html"])
    assert "size: A4 portrait" in result.output
    config.write_text('paper_size = "legal"\n')
    with pytest.raises(SettingsError, match=r"paper_size.*letter, a4"):
        load_settings()
    config.write_text("confidentiality_notice = 3\n")
    with pytest.raises(SettingsError, match="confidentiality_notice"):
        load_settings()


def chain_dossier(demo, extra_causes, extra_links):
    return dataclasses.replace(
        demo, causes=(*demo.causes, *extra_causes), links=(*demo.links, *extra_links)
    )


def test_each_five_whys_chain_once(demo):
    r = build(demo)
    paths = [tuple(s.cause_id for s in c.steps) for c in r.whys]
    assert len(paths) == len(set(paths))
    # a root cause that led to another root cause: its chain is read within the longer one
    root = next(c for c in demo.causes if c.kind == "root")
    inv = demo.investigation.id
    deeper = Cause(
        900, inv, "Procurement has no usability step", "Organisation and management", "root"
    )
    d = chain_dossier(demo, (deeper,), (Link(900, inv, 900, root.id),))
    chains = [tuple(s.cause_id for s in c.steps) for c in build(d).whys]
    assert any(path[-2:] == (root.id, 900) for path in chains)
    for path in chains:  # no chain is the start of another (read event first)
        assert not any(other != path and other[: len(path)] == path for other in chains)


def test_a_reference_says_whether_the_full_text_is_above_or_below(demo):
    inv = demo.investigation.id
    event = next(c for c in demo.causes if c.kind == "event")
    # on the first bone, a why that is also a top-level cause of the last bone
    first = next(c for c in demo.causes if c.category == "Patient" and c.kind != "event")
    late = Cause(901, inv, "Night lights off in the bay", "Institutional context", "cause")
    d = chain_dossier(demo, (late,), (Link(901, inv, 901, event.id), Link(902, inv, 901, first.id)))
    r = build(d)
    notes = []
    stack = [n for b in r.fishbone for n in b.nodes]
    while stack:
        n = stack.pop()
        if n.is_reference and n.cause_id == 901:
            notes.append(n.ref_note)
        stack.extend(n.children)
    assert notes == ["given in full below, on Institutional context"]
    from exports.markdown import markdown_report

    assert "↗ C901 _(given in full below, on Institutional context)_" in markdown_report(r)


def test_dates_and_check_codes_are_not_split_at_a_hyphen_in_pdf_or_docx(demo):
    """A due date or a check code in a narrow column came out as "2027-01-/16" and "T-/INVOLVED";
    the columns that hold them are as wide as their longest text, in both paginated formats."""
    import re
    import zipfile

    from exports.docx import docx_report
    from exports.pdf import pdf_report
    from models.domain import Finding

    code = "T-NO-FACILITATOR"
    r = build(demo, findings=(Finding(code, "warning", None, "No facilitator named"),))
    text = "\n".join(pdf_pages(pdf_report(r, None)))
    dues = {a.due for a in r.actions}
    assert dues and all(due in text for due in dues), dues  # each on one line
    assert code in text
    xml = zipfile.ZipFile(io.BytesIO(docx_report(r, None))).read("word/document.xml").decode()
    # Word's column widths (twips) of the first action table: Due gets at least 0.8 in.
    table = xml[: xml.index(">A1<")].rsplit("<w:tbl>", 1)[1]
    grid = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', table)]
    assert grid[-1] >= 0.8 * 1440, grid


def test_unbroken_widths_give_a_column_what_it_needs_from_the_others():
    from exports.table_widths import UNBROKEN_MAX, unbroken_widths

    widths = (0.04, 0.5, 0.38, 0.08)
    out = unbroken_widths(widths, {0: 0.05, 3: 0.12})
    assert abs(sum(out) - 1) < 1e-9
    assert abs(out[0] - 0.05) < 1e-9 and abs(out[3] - 0.12) < 1e-9
    assert out[1] / out[2] == pytest.approx(0.5 / 0.38)  # the others in proportion
    assert unbroken_widths(widths, {3: UNBROKEN_MAX + 0.1}) == widths  # too wide: it wraps
    assert unbroken_widths(widths, {3: 0.05}) == widths  # wide enough already
    narrow = unbroken_widths((0.2, 0.8), {0: 0.3, 1: 0.9})  # nothing to take from
    assert narrow == (0.2, 0.8)

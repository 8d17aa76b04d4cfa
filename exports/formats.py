"""The one list of export formats: name, file suffix, label, and the function that renders it.

The command line's `--format` help, the app's export dialog and `exports.render_formats` all read
`FORMATS`, so a format is added in one place. Renderers import their library inside themselves
(python-docx, fpdf2, matplotlib, openpyxl, networkx are slow to import), and everything they
share (the report model, the pictures, the de-identified dossier) is built at most once per
export by `Job`, and only when a chosen format needs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from models.errors import ExportError

log = logging.getLogger("rca_tui.exports")


@dataclass
class Job:
    """What one export renders from; the shared pieces are made on first use."""

    dossier: Any
    findings: Sequence[Any] | None = None
    generated_by: str = ""
    db_version: str = ""
    deidentify: bool = False
    deadline_policy: Any = None
    today: Any = None
    pictures: bool = True
    confidentiality_notice: str | None = None
    paper_size: str = "letter"
    language: str = "en"

    @cached_property
    def report(self) -> Any:
        from exports.report import build_report

        findings = self.findings
        if findings is None:
            from models.rules.checks import run_checks

            findings = run_checks(self.dossier)
        return build_report(
            self.dossier,
            findings=findings,
            generated_by=self.generated_by,
            db_version=self.db_version,
            deidentify=self.deidentify,
            today=self.today,
            deadline_policy=self.deadline_policy,
            confidentiality_notice=self.confidentiality_notice,
            paper_size=self.paper_size,
            language=self.language,
        )

    @cached_property
    def graph_dossier(self) -> Any:
        """The dossier for json/graphml/dot: de-identified when asked."""
        if not self.deidentify:
            return self.dossier
        from exports.deidentify import deidentify_dossier

        return deidentify_dossier(self.dossier)

    @cached_property
    def png_pictures(self) -> dict[str, bytes]:
        """Fishbone and cause graph for DOCX and PDF (drawn once for both). Characters no
        font on this machine can draw in them are named once, as a warning on the log (the
        command line prints it): the PDF's text lacks them too, the DOCX's has them."""
        if not self.pictures:
            return {}
        out = _pictures(self.report, "png")
        if out:
            _warn_undrawable(self.report)
        return out

    @cached_property
    def svg_pictures(self) -> dict[str, str] | None:
        return _pictures(self.report, "svg") if self.pictures else None


def _pictures(report: Any, kind: str) -> dict[str, Any]:
    if not report.causes:
        return {}
    from exports import diagrams

    event = report.event.text if report.event else None
    out: dict[str, Any] = {}
    if kind == "png":  # print: a fishbone too large for a page is split by bone
        from exports.pictures.canvas import shared_lines

        # The parts repeat the event's lines and the legend: each is laid out once.
        with shared_lines():
            parts = diagrams.fishbone_png_parts(
                event, report.categories, report.causes, report.links
            )
        for i, (name, png) in enumerate(parts, 1):
            out[f"fishbone/{i:02d}/{name}" if name else "fishbone"] = png
    else:
        out.update(_svg_fishbone(event, report))
    out["graph"] = getattr(diagrams, f"graph_{kind}")(report.causes, report.links)
    return out


def _svg_fishbone(event: str | None, report: Any) -> dict[str, str]:
    """The fishbone as SVG for the HTML: the whole picture (a browser zooms), and when it
    would print below 7 pt, its print parts too ("fishbone/NN/<bones>", as for the PDF), which
    the HTML's print stylesheet prints instead of the whole, a page each."""
    from exports.pictures.canvas import to_svg
    from exports.pictures.fishbone import fishbone_figure
    from exports.pictures.fishbone_parts import fishbone_figure_parts, readable
    from exports.pictures.style import SVG_DPI

    fig = fishbone_figure(event, report.categories, report.causes, report.links, dpi=SVG_DPI)
    out = {"fishbone": to_svg(fig)}
    w, h = fig.get_size_inches()
    if readable((float(w), float(h))):
        return out
    parts = fishbone_figure_parts(
        event, report.categories, report.causes, report.links, render=to_svg
    )
    for i, (name, svg) in enumerate(parts, 1):
        if name:
            out[f"fishbone/{i:02d}/{name}"] = svg
    return out


def _warn_undrawable(report: Any) -> None:
    from exports import diagrams

    texts = [c.text for c in report.causes] + list(report.categories)
    missing = diagrams.missing_glyphs(texts, diagrams.fallback_font(texts))
    if not missing:
        return
    refs = [c.ref for c in report.causes if any(ch in c.text for ch in missing)]
    shown = ", ".join(refs[:8]) + (f" and {len(refs) - 8} more" if len(refs) > 8 else "")
    # The PDF embeds this machine's fonts too, so its text shows the same boxes; DOCX, HTML
    # and Markdown leave the drawing to the reader's fonts.
    log.warning(
        "The pictures of %s show a box for %s (no font on this machine has them), in %s; "
        "so does the PDF's text. The DOCX, HTML and Markdown text has them in full. A font "
        "with them (e.g. Debian's fonts-noto-cjk) on this machine would draw them.",
        report.ref,
        " ".join(missing[:20]),
        shown or "the bone names",
    )


def _docx(job: Job) -> bytes:
    from exports.docx import docx_report

    return docx_report(job.report, job.png_pictures)


def _pdf(job: Job) -> bytes:
    from exports.pdf import pdf_report

    return pdf_report(job.report, job.png_pictures)


def _html(job: Job) -> str:
    from exports.html import html_report

    return html_report(job.report, job.svg_pictures)


def _md(job: Job) -> str:
    from exports.markdown import markdown_report

    return markdown_report(job.report)


def _csv(job: Job) -> bytes:
    from exports.sheets import csv_action_plan

    return csv_action_plan(job.report)


def _xlsx(job: Job) -> bytes:
    from exports.sheets import xlsx_action_plan

    return xlsx_action_plan(job.report)


def _json(job: Job) -> str:
    from models.interchange import dumps, to_document

    return dumps(to_document(job.graph_dossier, exported_by=job.generated_by))


def _graphml(job: Job) -> bytes:
    from exports.graphs import to_graphml

    return to_graphml(job.graph_dossier)


def _dot(job: Job) -> str:
    from exports.graphs import to_dot

    return to_dot(job.graph_dossier)


@dataclass(frozen=True)
class Format:
    name: str
    #: How the file name ends, after "rca-12-title".
    suffix: str
    #: What the export dialog calls it.
    label: str
    render: Callable[[Job], bytes | str]
    #: Text that may go to standard output.
    text: bool = False
    #: Ticked when the export dialog opens.
    default: bool = False
    #: Other names accepted by `--format`.
    aliases: tuple[str, ...] = ()


#: Every format, in the order files are written and listed.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("docx", ".docx", "Word report (.docx)", _docx, default=True, aliases=("word",)),
        Format("pdf", ".pdf", "PDF report", _pdf, default=True),
        Format("html", ".html", "Web page (.html, self-contained)", _html, text=True,
               aliases=("htm",)),
        Format("md", ".md", "Markdown (.md)", _md, text=True, aliases=("markdown",)),
        Format("csv", "-action-plan.csv", "Action plan, CSV", _csv, text=True),
        Format("xlsx", "-action-plan.xlsx", "Action plan, spreadsheet (.xlsx)", _xlsx,
               aliases=("excel",)),
        Format("json", ".json", "Whole investigation, JSON (re-importable)", _json, text=True),
        Format("graphml", ".graphml", "Cause graph, GraphML", _graphml, text=True),
        Format("dot", ".dot", "Cause graph, Graphviz DOT", _dot, text=True, aliases=("gv",)),
    )
}
_BY_ALIAS = {alias: f.name for f in FORMATS.values() for alias in f.aliases}


def parse_formats(spec: str | Sequence[str]) -> list[str]:
    """'docx, PDF,md' -> ['docx', 'pdf', 'md'] (known formats, duplicates dropped, in the
    order given); an unknown one is an error naming the formats there are."""
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    names = ", ".join(FORMATS)
    out: list[str] = []
    for part in parts:
        name = part.strip().lower().lstrip(".")
        if not name:
            continue
        name = _BY_ALIAS.get(name, name)
        if name not in FORMATS:
            raise ExportError(f"--format: {part.strip()!r} is not a format (choose from {names})")
        if name not in out:
            out.append(name)
    if not out:
        raise ExportError(f"--format: give one or more of {names}")
    return out

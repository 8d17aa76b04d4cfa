"""Report writers: what leaves the terminal. No Textual here; each writer takes the service's
plain objects (or the report model built from them, `exports.report`) and writes one format
through `exports.safety`.

`export_formats()` is the one entry point the command line and the TUI's export dialog share:
it checks every target before writing any, builds the report model once, renders each format
and writes each file atomically (mode 0600). Everything heavy (networkx, matplotlib, openpyxl,
python-docx, fpdf2) is imported only when its format is asked for.

Formats: docx, pdf (the report, `exports.docx` / `exports.pdf`), html, md (the report), csv,
xlsx (the action plan alone), json (the whole investigation, re-importable), graphml, dot (the
cause graph). With `deidentify=True` every format is made from de-identified data: the report
model passes every text through `exports.deidentify`, and json/graphml/dot are made from a
dossier whose texts are scrubbed the same way and whose patient name, MRN and date of birth
are emptied.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: Every format, in the order files are written.
FORMATS: tuple[str, ...] = ("docx", "pdf", "html", "md", "csv", "xlsx", "json", "graphml", "dot")
#: Formats that may go to standard output (text).
TEXT_FORMATS = frozenset({"md", "html", "csv", "json", "dot", "graphml"})
#: How each file name ends (after "rca-12-title").
SUFFIXES: dict[str, str] = {
    "docx": ".docx",
    "pdf": ".pdf",
    "html": ".html",
    "md": ".md",
    "csv": "-action-plan.csv",
    "xlsx": "-action-plan.xlsx",
    "json": ".json",
    "graphml": ".graphml",
    "dot": ".dot",
}
_ALIASES = {"markdown": "md", "htm": "html", "word": "docx", "excel": "xlsx", "gv": "dot"}
#: Longest slug of the title in a file name (whole words).
SLUG_WORDS_MAX = 40


def _error(message: str) -> Exception:
    from exports.safety import ExportError

    return ExportError(message)


def parse_formats(spec: str | Iterable[str]) -> list[str]:
    """'docx, PDF,md' -> ['docx', 'pdf', 'md'] (known formats, duplicates dropped, in the
    order given); an unknown one is an error naming the formats there are."""
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for part in parts:
        name = part.strip().lower().lstrip(".")
        if not name:
            continue
        name = _ALIASES.get(name, name)
        if name not in FORMATS:
            raise _error(
                f"--format: {part.strip()!r} is not a format (choose from {', '.join(FORMATS)})"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise _error(f"--format: give one or more of {', '.join(FORMATS)}")
    return out


def slug(text: str, max_chars: int = SLUG_WORDS_MAX) -> str:
    """A file-name-safe slug: ASCII letters and digits in lower case joined by '-', cut at a
    word boundary ("Inpatient fall (4 West)" -> "inpatient-fall-4-west")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > max_chars:
            break
        out = candidate
    if not out and words:
        out = words[0][:max_chars]
    return out


def file_stem(investigation_id: int, title: str, *, deidentified: bool = False) -> str:
    """'rca-12-inpatient-fall' (and '-deidentified' for a de-identified copy)."""
    stem = f"rca-{investigation_id}"
    title_slug = slug(title)
    if title_slug:
        stem += f"-{title_slug}"
    if deidentified:
        stem += "-deidentified"
    return stem


def _document_writer(fmt: str) -> Callable[..., bytes]:
    """`exports.docx` / `exports.pdf`'s writer, or a one-line error while it does not exist.

    The writer is the module's `<fmt>_report(report, pictures)` (e.g. `docx_report`) returning
    bytes, where `pictures` maps "fishbone"/"graph" to PNG bytes from `exports.diagrams`.
    """
    import importlib

    try:
        module = importlib.import_module(f"exports.{fmt}")
    except ImportError as exc:
        raise _error(f"format {fmt} is not available yet ({exc})") from None
    fn = getattr(module, f"{fmt}_report", None)
    if callable(fn):
        return fn
    raise _error(f"format {fmt} is not available yet (exports.{fmt} has no {fmt}_report)")


def svg_pictures(report: Any) -> dict[str, str]:
    """The fishbone and cause-graph SVGs for the HTML report (empty when matplotlib or the
    diagrams module is missing, so the HTML is still written, with the outline only)."""
    return _pictures(report, "svg")


def png_pictures(report: Any) -> dict[str, bytes]:
    """The fishbone and cause-graph PNGs for the DOCX and PDF reports (empty when they cannot
    be drawn: the report then gives the fishbone as text only)."""
    return _pictures(report, "png")


def _pictures(report: Any, kind: str) -> dict[str, Any]:
    try:
        from exports import diagrams
    except ImportError:
        return {}
    pictures: dict[str, Any] = {}
    event = report.event.text if report.event else None
    try:
        if report.causes:
            pictures["fishbone"] = getattr(diagrams, f"fishbone_{kind}")(
                event, report.categories, report.causes, report.links
            )
            pictures["graph"] = getattr(diagrams, f"graph_{kind}")(report.causes, report.links)
    except Exception as exc:  # pragma: no cover - a picture must never stop the report
        import logging

        logging.getLogger(__name__).warning(
            "pictures left out of the report (%s: %s)", type(exc).__name__, exc
        )
    return pictures


def render_formats(
    dossier: Any,
    formats: Sequence[str],
    *,
    findings: Sequence[Any] | None = None,
    generated_by: str = "",
    db_version: str = "",
    deidentify: bool = False,
    deadline_policy: Any = None,
    deadline_settings: Mapping[str, Any] | None = None,
    today: Any = None,
    pictures: bool = True,
) -> dict[str, bytes | str]:
    """Each format's content, in memory (str for text formats, bytes for the others).

    The report model is built once; a docx/pdf writer that does not exist yet is reported
    (one line) before anything is rendered. Deadlines follow `deadline_policy`
    (`Settings.deadline_policy()`), or `deadline_settings` as `build_report` takes them.
    """
    formats = parse_formats(formats)
    documents = {fmt: _document_writer(fmt) for fmt in formats if fmt in ("docx", "pdf")}
    needs_report = any(f in formats for f in ("docx", "pdf", "html", "md", "csv", "xlsx"))
    report = None
    if needs_report:
        from exports.report import build_report

        if findings is None:
            from models.rules.checks import run_checks

            findings = run_checks(dossier)
        report = build_report(
            dossier,
            findings=findings,
            generated_by=generated_by,
            db_version=db_version,
            deidentify=deidentify,
            today=today,
            deadline_policy=deadline_policy,
            deadline_settings=deadline_settings,
        )
    graph_dossier = dossier
    if deidentify and any(f in formats for f in ("json", "graphml", "dot")):
        from exports.deidentify import deidentify_dossier

        graph_dossier = deidentify_dossier(dossier)

    out: dict[str, bytes | str] = {}
    pngs: dict[str, bytes] | None = None
    for fmt in formats:
        if fmt in documents:
            if pngs is None:  # drawn once for both DOCX and PDF
                pngs = png_pictures(report) if pictures else {}
            out[fmt] = documents[fmt](report, pngs)
        elif fmt == "html":
            from exports.html import html_report

            out[fmt] = html_report(report, svg_pictures(report) if pictures else None)
        elif fmt == "md":
            from exports.markdown import markdown_report

            out[fmt] = markdown_report(report)
        elif fmt == "csv":
            from exports.sheets import csv_action_plan

            out[fmt] = csv_action_plan(report)
        elif fmt == "xlsx":
            from exports.sheets import xlsx_action_plan

            out[fmt] = xlsx_action_plan(report)
        elif fmt == "graphml":
            from exports.graphs import to_graphml

            out[fmt] = to_graphml(graph_dossier)
        elif fmt == "dot":
            from exports.graphs import to_dot

            out[fmt] = to_dot(graph_dossier)
        elif fmt == "json":
            from models.interchange import dumps, to_document

            out[fmt] = dumps(to_document(graph_dossier, exported_by=generated_by))
    return out


def plan_targets(
    formats: Sequence[str],
    output: str | os.PathLike | None,
    *,
    investigation_id: int,
    title: str,
    deidentified: bool = False,
    force: bool = False,
) -> dict[str, Path]:
    """Where each format goes, checked before anything is written.

    Several formats: `output` is a folder (created if needed), files are named
    `rca-<id>-<title-slug><suffix>`. One format: `output` may name the file, or an existing
    folder (or a path ending in '/'), where the file gets its name as above. An existing file is
    an error without `force`; so is a target that is a folder, and a folder that cannot be
    created or written. Returns {format: path}.
    """
    if output is None:
        raise _error("give -o FOLDER (or -o FILE for one format)")
    raw = os.fspath(output)
    base = Path(raw).expanduser()
    stem = file_stem(investigation_id, title, deidentified=deidentified)
    as_folder = len(formats) > 1 or base.is_dir() or raw.endswith(("/", os.sep))
    if as_folder:
        if base.exists() and not base.is_dir():
            raise _error(f"{base}: is a file; with several formats -o names a folder")
        try:
            base.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _error(f"{base}: cannot create the folder ({exc.strerror or exc})") from None
        targets = {fmt: base / f"{stem}{SUFFIXES[fmt]}" for fmt in formats}
    else:
        targets = {formats[0]: base}
    for path in targets.values():
        folder = path.parent
        if path.is_dir():
            raise _error(f"{path}: is a folder; give a file name")
        if path.exists() and not force:
            raise _error(f"{path}: already exists (use --force to replace it)")
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise _error(f"{folder}: cannot write there (permission denied)")
    return targets


def export_formats(
    dossier: Any,
    formats: str | Sequence[str],
    output: str | os.PathLike,
    *,
    force: bool = False,
    deidentify: bool = False,
    findings: Sequence[Any] | None = None,
    generated_by: str = "",
    db_version: str = "",
    deadline_policy: Any = None,
    pictures: bool = True,
) -> list[Path]:
    """Write the chosen formats of one investigation and return the files written, in order.

    Every target is checked first (`plan_targets`), and every format rendered in memory, so a
    refused overwrite or a missing writer leaves no file behind. Files are written atomically
    with mode 0600. Errors are `ExportError`s with a one-line message.
    """
    from exports.safety import write_atomic

    formats = parse_formats(formats)
    title = dossier.investigation.title
    if deidentify:
        from exports.deidentify import Scrubber

        title = Scrubber.for_investigation(dossier.investigation)(title)
    targets = plan_targets(
        formats,
        output,
        investigation_id=dossier.investigation.id,
        title=title,
        deidentified=deidentify,
        force=force,
    )
    data = render_formats(
        dossier,
        formats,
        findings=findings,
        generated_by=generated_by,
        db_version=db_version,
        deidentify=deidentify,
        deadline_policy=deadline_policy,
        pictures=pictures,
    )
    return [write_atomic(targets[fmt], data[fmt], force=force) for fmt in formats]

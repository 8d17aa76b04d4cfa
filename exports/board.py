"""The board pack: trends across investigations that can leave the safety office.

Aggregates only: counts by one dimension (`rca trends --by`) and the program's quality (the
learning screen's numbers). No title, no free text, no patient data: the only words are the
fixed labels, the cause codes' labels and the units' names. Counts from 1 to below the small-cell
threshold (default 5, the `small_cell` setting) are printed as "<5", and a share or a
median drawn from fewer cases than that is not printed at all, so that no cell points at one
patient. DOCX and PDF go through the report writers (exports/docx.py, exports/pdf.py); the
spreadsheet is guarded against formulas like the action plan's (exports/sheets.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import ExportError, TargetExistsError
from models.trends import SMALL_CELL, percent, small

#: The formats a board pack is written in, and each file's suffix.
BOARD_FORMATS = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "md": ".md", "csv": ".csv"}
TITLE = "Root cause analysis program: trends for the board"


@dataclass(frozen=True)
class Section:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Pack:
    title: str
    meta: str
    note: str
    sections: tuple[Section, ...]


def _share(part: int, whole: int, threshold: int) -> str:
    return percent(part / whole) if whole >= threshold else "-"


def build_pack(
    by: str,
    rows: Sequence[Any],
    learning: Any,
    *,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
    threshold: int = SMALL_CELL,
) -> Pack:
    """The pack from `Service.trends(by)` rows and `Service.learning()` (same window)."""
    n = threshold

    def c(value: int) -> str:
        return small(int(value), n)

    window = f"{start or 'the first event'} to {end or 'the last event'}"
    meta = f"Events from {window} · {c(learning.total)} investigations · prepared {today}"
    note = (
        f"Counts from 1 to {n - 1} are shown as <{n}; shares and medians of fewer than {n} "
        "cases are not shown. No titles, free text or patient data are included."
    )
    by_name = by.replace("_", " ")
    code = by == "code"
    headers = (
        ("Code", "Investigations", "Causes") if code else (by_name.capitalize(), "Investigations")
    )
    counted = []
    for r in rows:
        name = f"{r.key} {r.label}" if code else str(r.label)
        counted.append((name, c(r.investigations), *([c(r.causes or 0)] if code else [])))
    target, sentinel = learning.approved_within_target, learning.sentinel_within_45
    mix = learning.strength_mix
    approved_n = target.whole
    days = learning.median_days_to_approval
    quality = [
        ("Investigations in the window", c(learning.total)),
        *((f"Actions rated {k}", c(mix.get(k, 0))) for k in ("stronger", "intermediate", "weaker")),
        ("Actions not yet rated", c(mix.get("unrated", 0))),
        ("Open actions", c(learning.open_actions)),
        ("Overdue actions", c(learning.overdue_actions)),
        ("Actions followed by recurrence", c(learning.recurred_actions)),
        (
            "Approved within the RCA target",
            f"{c(target.part)} of {c(target.whole)} ({_share(target.part, target.whole, n)})",
        ),
        (
            "Sentinel events approved within 45 business days",
            f"{c(sentinel.part)} of {c(sentinel.whole)} "
            f"({_share(sentinel.part, sentinel.whole, n)})",
        ),
        (
            "Median days from event to approval",
            "-" if days is None or approved_n < n else f"{days:.0f}",
        ),
    ]
    weak = [
        (k, c(s.whole), c(s.part), _share(s.part, s.whole, n))
        for k, s in learning.weak_only_by_quarter
    ]
    recurring = [(f"{r.key} {r.label}", c(r.investigations)) for r in learning.recurring_codes]
    sections = (
        Section(f"Investigations by {by_name}", headers, tuple(counted)),
        Section("Program quality", ("Measure", "Value"), tuple(quality)),
        Section(
            "Root causes with only weaker actions, by quarter",
            ("Quarter", "Root causes with actions", "Only weaker actions", "Share"),
            tuple(weak),
        ),
        Section(
            "Cause codes in two or more investigations",
            ("Code", "Investigations"),
            tuple(recurring),
        ),
    )
    return Pack(TITLE, meta, note, sections)


# --- writers --------------------------------------------------------------------------------
def pack_md(pack: Pack) -> str:
    from exports.markdown import md_cell, md_text

    out = [f"# {md_text(pack.title)}", "", md_text(pack.meta), "", f"*{md_text(pack.note)}*", ""]
    for sec in pack.sections:
        out += [f"## {md_text(sec.title)}", ""]
        if not sec.rows:
            out += ["None.", ""]
            continue
        out.append("| " + " | ".join(md_cell(h) for h in sec.headers) + " |")
        out.append("|" + "---|" * len(sec.headers))
        out += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in sec.rows]
        out.append("")
    return "\n".join(out)


def pack_csv(pack: Pack) -> bytes:
    from exports.sheets import neutralise

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["section", "item", "value", "value 2", "value 3"])
    for sec in pack.sections:
        for row in sec.rows:
            writer.writerow([neutralise(v) for v in (sec.title, *row)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def pack_xlsx(pack: Pack) -> bytes:
    from openpyxl import Workbook

    from exports.sheets import neutralise

    book = Workbook()
    book.remove(book.active)
    for i, sec in enumerate(pack.sections, start=1):
        sheet = book.create_sheet(f"{i} {sec.title}"[:31])
        sheet.append([neutralise(h) for h in sec.headers])
        for row in sec.rows:
            sheet.append([neutralise(v) for v in row])
        for col, width in zip("ABCD", (44, 18, 18, 12), strict=False):
            sheet.column_dimensions[col].width = width
    book.properties.creator = "rca-tui"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _blocks(pack: Pack) -> tuple[Any, list[Any]]:
    from exports.document import Front, Heading, Para, Run, Table
    from models import __version__

    fr = Front(
        title=pack.title,
        meta_line=pack.meta,
        banner="",
        header=pack.title,
        footer=f"rca-tui {__version__} · aggregates only",
        notice=pack.note,
        subject="Root cause analysis program trends",
        author="rca-tui",
    )
    blocks: list[Any] = [Para((Run(pack.note, italic=True),))]
    for sec in pack.sections:
        blocks.append(Heading(sec.title))
        if not sec.rows:
            blocks.append(Para((Run("None."),), style="none"))
            continue
        k = len(sec.headers)
        first = 0.5 if k > 2 else 0.7
        widths = (first, *([(1 - first) / (k - 1)] * (k - 1)))
        blocks.append(Table(tuple(sec.headers), tuple(sec.rows), widths, nowrap=tuple(range(1, k))))
    return fr, blocks


def pack_docx(pack: Pack) -> bytes:
    from exports.docx import docx_blocks
    from models import __version__

    fr, blocks = _blocks(pack)
    return docx_blocks(fr, blocks, __version__)


def pack_pdf(pack: Pack) -> bytes:
    from exports.pdf import pdf_blocks

    fr, blocks = _blocks(pack)
    return pdf_blocks(fr, blocks)


WRITERS: dict[str, Callable[[Any], bytes | str]] = {
    "pdf": pack_pdf,
    "docx": pack_docx,
    "xlsx": pack_xlsx,
    "md": pack_md,
    "csv": pack_csv,
}


def parse_board_formats(spec: str) -> list[str]:
    names = [n.strip().lower() for n in spec.split(",") if n.strip()]
    names = ["md" if n == "markdown" else "docx" if n == "word" else n for n in names]
    for name in names:
        if name not in BOARD_FORMATS:
            raise ExportError(
                f"format {name!r}: a board pack is one or more of {', '.join(BOARD_FORMATS)}"
            )
    if not names:
        raise ExportError("--format: name at least one format")
    return list(dict.fromkeys(names))


def write_pack(
    pack: Pack, formats: Sequence[str], folder: str | Path, *, stem: str, force: bool = False
) -> list[Path]:
    """Write every format into `folder` (created if needed) atomically, mode 0600; nothing is
    written if a file exists (without `force`) or a writer fails."""
    from exports.safety import write_atomic

    base = Path(folder).expanduser()
    if base.exists() and not base.is_dir():
        raise ExportError(f"{base}: is a file; -o names a folder for the board pack")
    targets = {f: base / f"{stem}{BOARD_FORMATS[f]}" for f in formats}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not force:
        raise TargetExistsError(f"{existing[0]}: already exists (use --force to replace)", existing)
    data = {f: WRITERS[f](pack) for f in formats}
    return [write_atomic(targets[f], data[f], force=force) for f in formats]

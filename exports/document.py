"""The report as a flat list of printable blocks, shared by the DOCX and PDF writers.

`exports.docx.docx_report` and `exports.pdf.pdf_report` both walk `outline(report)`, so the two
paginated formats have the same sections, headings, tables and columns, in the same order as the
HTML report (RCA2 / Joint Commission order, `exports.report.SECTIONS`). A writer only decides how
a block looks. Blocks hold plain text only (never markup); every string has been through
`clean_xml_text`. No third-party import here.

Language: the blocks say which text is the app's own wording (headings, labels, "None
recorded.", the checks' messages), English whatever the `language` setting says (`Run.en`,
`Heading.en`, `Note.en`, a table's headers and `Table.en_cols`); everything else is what the
team typed, in the document's language. A writer marks the English parts only where the
document is in another language (`exports.language.app_lang`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from exports import followup_section
from exports.report import HEADINGS, ActionRow, Bone, FishboneNode, Report
from exports.safety import clean_xml_text
from models.fishbone import CONTRIBUTING_MARK, NO_EVENT, REF_MARK, ROOT_MARK


def t(value: object) -> str:
    """A printable string: None -> "", characters XML 1.0 forbids dropped."""
    return "" if value is None else clean_xml_text(str(value))


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    muted: bool = False
    #: The app's own wording (English), not the team's text (the document's language).
    en: bool = False


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 1  # 1: a numbered section, 2: a part of one
    key: str = ""
    #: Starts a new page (the detail after the executive summary).
    page: bool = False
    #: The app's own heading (English); False for one that names the team's text (a chain's
    #: root cause, a causal statement's cause): that is in the document's language.
    en: bool = True


@dataclass(frozen=True, slots=True)
class Para:
    runs: tuple[Run, ...]
    style: str = "body"  # body, score, none (nothing recorded), quote
    indent: int = 0


@dataclass(frozen=True, slots=True)
class Item:
    """One line of an outline (the fishbone as text) or of a numbered list (five whys)."""

    runs: tuple[Run, ...]
    depth: int = 0
    label: str = "•"
    #: Kept on the same page as the next block (the steps of one five-whys chain).
    keep: bool = False
    #: Short runs before the text ("Why? Because", a cause's reference): a PDF sets them in
    #: front of the text's column; a DOCX just puts them first.
    lead: tuple[Run, ...] = ()


@dataclass(frozen=True, slots=True)
class Note:
    """A warning box (a root cause without a stronger action, ...)."""

    text: str
    lead: str = "Warning: "
    #: The app's own message (English), as the lead is.
    en: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative, summing to 1
    key: str = ""
    #: Columns that hold dates or numbers: kept together where possible.
    nowrap: tuple[int, ...] = ()
    #: The first column is a label (a "facts" table: item and value).
    facts: bool = False
    #: Wider than a portrait page holds readably: printed on a landscape page.
    wide: bool = False
    #: Rows to sign on: tall enough for a handwritten signature.
    sign: bool = False
    #: Columns whose cells are the app's own wording (a strength, a check's message), like
    #: the headers and a facts table's labels: English, whatever the document's language.
    en_cols: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Picture:
    key: str  # "fishbone" or "graph", or a part of a large fishbone ("fishbone/NN/<bones>")
    caption: str
    #: The number of the section it belongs to, when it is printed in the figures appendix
    #: (`exports.picture_parts.figures_appendix`); "" where it stands in its section.
    section: str = ""


Block = Heading | Para | Item | Note | Table | Picture


@dataclass(frozen=True, slots=True)
class Front:
    """What goes above the first section and into every page's header and footer."""

    title: str
    meta_line: str
    banner: str  # the de-identified marker, or ""
    header: str
    footer: str
    #: The confidentiality notice for every page ("" for none).
    notice: str
    subject: str
    author: str
    keywords: str = "root cause analysis; RCA2; patient safety"
    deidentified: bool = False
    paper: str = "letter"  # or "a4"
    language: str = "en"  # the document language, BCP 47 (the `language` setting)
    extra: dict[str, str] = field(default_factory=dict)


PICTURE_CAPTIONS = {
    "fishbone": "Fishbone diagram: the event on the right, one bone per category",
    "graph": "Cause graph: an arrow means 'led to'; the event on the right",
}
LEGEND = (
    f"{ROOT_MARK} bold: root cause · {CONTRIBUTING_MARK} italic: contributing factor · "
    f"{REF_MARK} given in full elsewhere"
)


def front(report: Report) -> Front:
    m = report.meta
    title = t(f"{report.ref}: {report.title}")
    by = t(m.generated_by) or "unknown"
    meta_line = t(
        f"Generated {m.generated_at} by {by} · rca-tui {m.app_version} · "
        f"database schema {m.db_version or 'unknown'}"
        + (f" · {m.audit_head}" if m.audit_head else "")
    )
    header = title + (" · De-identified copy" if m.deidentified else "")
    footer = t(f"{report.ref} · generated {m.generated_at} by {by}")
    if m.deidentified:
        footer += " · De-identified copy"
    return Front(
        title=title,
        meta_line=meta_line,
        banner=t(m.marker) if m.deidentified else "",
        header=header,
        footer=footer,
        notice=t(m.notice),
        subject="Root cause analysis report" + (" (de-identified copy)" if m.deidentified else ""),
        author=by,
        deidentified=m.deidentified,
        paper=m.paper,
        language=m.language,
    )


def _none(text: str = "None recorded.") -> Para:
    return Para((Run(text, italic=True, muted=True, en=True),), style="none")


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[float],
    *,
    key: str = "",
    nowrap: Sequence[int] = (),
    facts: bool = False,
    wide: bool = False,
    sign: bool = False,
    en_cols: Sequence[int] = (),
) -> Table:
    total = sum(widths)
    return Table(
        tuple(t(h) for h in headers),
        tuple(tuple(t(c) for c in row) for row in rows),
        tuple(w / total for w in widths),
        key=key,
        nowrap=tuple(nowrap),
        facts=facts,
        wide=wide,
        sign=sign,
        en_cols=tuple(en_cols),
    )


def _kind_runs(kind: str, label: str) -> tuple[Run, ...]:
    if kind == "root":
        return (Run(f" ({t(label)})", bold=True, en=True),)
    if kind == "contributing":
        return (Run(f" ({t(label)})", italic=True, en=True),)
    return ()


def _bone_items(bone: Bone) -> Iterator[Item]:
    """One bone as outline items, depth first with an explicit stack (no recursion limit)."""
    yield Item((Run(t(bone.category), bold=True),), 0, "")
    if not bone.nodes:
        yield Item((Run("(none yet)", italic=True, muted=True, en=True),), 1)
        return
    stack: list[tuple[FishboneNode, int]] = [(n, 1) for n in reversed(bone.nodes)]
    while stack:
        n, depth = stack.pop()
        if n.is_reference:
            yield Item(
                (Run(f"({t(n.ref_note)})", italic=True),),
                depth,
                lead=(Run(f"{REF_MARK} {t(n.ref)} ", muted=True),),
            )
            continue
        text = Run(t(n.text), bold=n.kind == "root", italic=n.kind == "contributing")
        yield Item(
            (text, *_kind_runs(n.kind, n.kind_label)),
            depth,
            lead=(Run(f"{t(n.ref)} ", muted=True),),
        )
        stack.extend((k, depth + 1) for k in reversed(n.children))


def outline(report: Report) -> list[Block]:
    """Every block of the report body, in order (the front matter is `front(report)`)."""
    s = report.summary
    out: list[Block] = []
    n = 0

    def section(key: str, page: bool = False) -> None:
        nonlocal n
        n += 1
        out.append(Heading(f"{n}. {t(HEADINGS[key])}", 1, key, page))

    def listed(key: str) -> None:
        """A list section (`exports.sections`): its table, or one line saying it is empty."""
        x = report.listed(key)
        section(key)
        out.append(
            _table(x.headers, x.rows, x.widths, key=key, nowrap=x.nowrap)
            if x.rows
            else _none(x.empty)
        )

    section("executive")
    out.extend(executive(report))

    section("summary", page=True)
    score = f"{s.sac_score} ({s.sac_meaning})" if s.sac_score else s.sac_meaning
    runs = [Run("SAC score: ", bold=True, en=True), Run(t(score), bold=s.sac_score == "3", en=True)]
    if s.sentinel:
        runs.append(Run("   Sentinel event", bold=True, en=True))
    out.append(Para(tuple(runs), style="score"))
    if s.description:
        out.append(Para((Run(t(s.description)),)))
    out.append(
        _table(("Item", "Value"), ((f.label, f.value) for f in s.facts), (0.3, 0.7), facts=True)
    )
    out.append(Heading("Deadlines", 2))
    out.append(
        _table(
            ("Deadline", "Date"),
            ((f.label, f.value) for f in s.deadlines),
            (0.45, 0.55),
            facts=True,
        )
        if s.deadlines
        else _none("No deadline can be computed yet (dates missing).")
    )

    # 2. team
    section("team")
    out.append(
        _table(
            ("Name", "Role", "Involved in the event"),
            ((m.name, m.role, m.involved) for m in report.team),
            (0.45, 0.33, 0.22),
            key="team",
        )
        if report.team
        else _none()
    )

    listed("people")  # other people involved

    # 3. timeline
    section("timeline")
    out.append(
        _table(
            ("#", "When", "What happened", "What should have happened", "Source"),
            ((str(x.number), x.when, x.happened, x.should_have, x.source) for x in report.timeline),
            (0.05, 0.15, 0.32, 0.32, 0.16),
            key="timeline",
            nowrap=(0, 1),
        )
        if report.timeline
        else _none()
    )

    # 4. fishbone
    section("fishbone")
    out.append(
        Para(
            (
                Run("Event (head of the fishbone): ", bold=True, en=True),
                Run(t(report.event.text))
                if report.event
                else Run(NO_EVENT, italic=True, muted=True, en=True),
            )
        )
    )
    out.append(Picture("fishbone", PICTURE_CAPTIONS["fishbone"]))
    if any(b.nodes for b in report.fishbone):
        out.append(Heading("The fishbone as text", 2))
        for bone in report.fishbone:
            out.extend(_bone_items(bone))
    else:
        out.append(_none("No causes recorded."))

    # 5. five whys (and the cause graph)
    section("whys")
    if report.whys:
        for i, chain in enumerate(report.whys, start=1):
            out.append(Heading(f"Chain {i}: {t(chain.root_ref)} {t(chain.root_text)}", 2, en=False))
            last = len(chain.steps) - 1
            for k, step in enumerate(chain.steps):
                lead = "Event: " if k == 0 else "Why? Because "
                runs = [Run(t(step.text))]
                if k == last:
                    runs.append(Run(f" ({t(step.kind_label)})", italic=True, en=True))
                out.append(
                    Item(
                        tuple(runs),
                        0,
                        f"{k + 1}.",
                        keep=k < last,
                        lead=(Run(lead, bold=True, en=True), Run(f"{t(step.ref)} ", muted=True)),
                    )
                )
    else:
        out.append(_none("No chain from a root cause to the event yet."))
    out.append(Picture("graph", PICTURE_CAPTIONS["graph"]))

    # 6. causal statements
    section("statements")
    if report.statements:
        for st in report.statements:
            out.append(Heading(f"{t(st.ref)} {t(st.cause_text)} ({t(st.kind_label)})", 2, en=False))
            out.append(
                Para((Run(t(st.statement)),), style="quote")
                if st.statement
                else _none("No causal statement written.")
            )
            if st.findings:
                for f in st.findings:
                    out.append(
                        Item(
                            (Run(f"({t(f.severity)}): {t(f.message)}", en=True),),
                            0,
                            lead=(Run(f"{t(f.code)} ", bold=True),),
                        )
                    )
            else:
                out.append(
                    Para((Run("No finding on the five rules of causation.", muted=True, en=True),))
                )
    else:
        out.append(_none("No causal statements yet."))

    # 7. root causes and contributing factors
    section("causes")
    for heading, items in (
        ("Root causes", report.root_causes),
        ("Contributing factors", report.contributing),
    ):
        out.append(Heading(heading, 2))
        out.append(
            _table(
                ("Ref", "Cause", "Category", "Evidence"),
                ((c.ref, c.text, c.category, c.evidence) for c in items),
                (0.08, 0.44, 0.2, 0.28),
                key="root_causes" if heading == "Root causes" else "contributing",
                nowrap=(0,),
            )
            if items
            else _none()
        )
    if report.codes_line:
        out.append(Para((Run(t(report.codes_line), en=True),)))

    # 8. action plan: one row per action
    section("actions")
    out.extend(Note(t(note)) for note in report.plan_notes)
    out.append(
        _table(
            ACTION_PLAN_COLUMNS,
            (action_plan_row(a) for a in report.actions),
            (0.04, 0.15, 0.21, 0.11, 0.1, 0.07, 0.22, 0.1),
            key="actions",
            nowrap=(0, 5),
            wide=True,
            en_cols=(3,),
        )
        if report.actions
        else _none("No actions yet.")
    )

    for key in ("strategies", "lessons", "literature"):  # after the plan, as RCA2 has them
        listed(key)

    # 9. sign-off
    section("signoff")
    out.append(
        _table(
            ("Role", "Name", "Decision", "Comment", "At"),
            ((x.role, x.name, x.decision, x.comment, x.at) for x in report.signoffs),
            (0.18, 0.2, 0.14, 0.32, 0.16),
            key="signoff",
            nowrap=(4,),
        )
        if report.signoffs
        else _none("Not signed off yet.")
    )
    out.append(Heading("Signatures", 2))
    out.append(
        _table(
            ("Role", "Name", "Signature", "Date"),
            (
                (x.role, x.name + (f" ({x.decision})" if x.decision else ""), "", x.at)
                for x in report.signatures
            ),
            (0.3, 0.3, 0.25, 0.15),
            key="signatures",
            facts=True,
            sign=True,
        )
    )

    # 10. follow-up (exports/followup_section.py)
    section("followup")
    for line in followup_section.lines(report.followup):
        out.append(Para((Run(t(line), en=True),)))  # the app's sentences
    if report.followup.rows:
        out.append(
            _table(
                followup_section.COLUMNS,
                followup_section.rows(report.followup),
                followup_section.WIDTHS,
                key="followup",
                nowrap=(2, 3),
            )
        )

    # 11. feedback
    section("feedback")
    out.append(
        _table(
            ("Audience", "Date", "Given by", "Note"),
            ((f.audience, f.given_on, f.given_by, f.note) for f in report.feedback),
            (0.2, 0.13, 0.19, 0.48),
            key="feedback",
            nowrap=(1,),
        )
        if report.feedback
        else _none()
    )

    if report.findings:
        out.append(Heading("Appendix: open check findings", 1, "findings"))
        out.append(
            _table(
                ("Code", "Severity", "Finding"),
                ((f.code, f.severity, f.message) for f in report.findings),
                (0.1, 0.12, 0.78),
                key="findings",
                nowrap=(0, 1),
                en_cols=(1, 2),
            )
        )
    return out


#: The action plan's columns (one row per action), in `action_plan_row` order.
ACTION_PLAN_COLUMNS = (
    "No.",
    "Root cause addressed",
    "Action",
    "Strength (hierarchy)",
    "Responsible",
    "Due",
    "Measure (what, how, target, when)",
    "Concurrence",
)


def action_plan_row(a: ActionRow) -> tuple[str, ...]:
    """One action as a row of the one action-plan table (`ACTION_PLAN_COLUMNS`)."""
    measure = "; ".join(
        part
        for part in (
            a.measure_kind,
            a.measure_what,
            f"how: {a.measure_how}" if a.measure_how else "",
            f"sample: {a.measure_sample}" if a.measure_sample else "",
            f"target: {a.measure_target}" if a.measure_target else "",
            f"on {a.measure_date}" if a.measure_date else "",
        )
        if part
    )
    concurrence = a.concurrence or "Not yet reviewed"
    if a.concurrence_by or a.concurrence_at:
        concurrence += f" ({' '.join(x for x in (a.concurrence_by, a.concurrence_at) if x)})"
    if a.concurrence_reason:
        concurrence += f": {a.concurrence_reason}"
    return (
        a.ref,
        a.addresses,
        a.text,
        a.strength_text,
        a.owner,
        a.due,
        measure,
        concurrence,
    )


def executive(report: Report) -> list[Block]:
    """The executive summary: the event, SAC and sentinel status, the deadlines met or not,
    each root cause with its causal statement, and the actions with strength and owner."""
    s = report.summary
    out: list[Block] = [
        Para(
            (
                Run("Event: ", bold=True, en=True),
                Run(t(report.event.text)) if report.event else Run(NO_EVENT, italic=True, en=True),
            )
        )
    ]
    facts = [("SAC score", s.sac_text), ("Sentinel event", s.sentinel_text)]
    facts += [(f.label, f.value) for f in s.facts if f.label in ("Occurred", "Unit", "Status")]
    facts += [(f.label, f.value) for f in report.deadline_status]
    out.append(_table(("Item", "Value"), facts, (0.35, 0.65), key="executive", facts=True))
    out.append(Heading("Root causes and their causal statements", 2))
    if not report.root_causes:
        out.append(_none("No root cause identified yet."))
    for c in report.root_causes:
        out.append(Item((Run(t(c.text), bold=True),), 0, "", lead=(Run(f"{t(c.ref)} "),)))
        out.append(
            Para((Run(t(c.statement)),), style="quote")
            if c.statement
            else _none("No causal statement written.")
        )
    out.append(Heading("Actions", 2))
    out.append(
        _table(
            ("No.", "Root cause", "Action", "Strength", "Responsible", "Due"),
            (
                (a.ref, a.addresses_refs, a.text, a.strength_text, a.owner, a.due)
                for a in report.actions
            ),
            (0.06, 0.1, 0.42, 0.18, 0.14, 0.1),
            key="executive_actions",
            nowrap=(0, 1, 5),
            en_cols=(3,),
        )
        if report.actions
        else _none("No actions yet.")
    )
    return out


def texts(blocks: Iterable[Block], fr: Front | None = None) -> Iterator[str]:
    """Every string the blocks (and front matter) print: for font coverage checks."""
    if fr is not None:
        yield from (fr.title, fr.meta_line, fr.banner, fr.header, fr.footer, fr.notice)
    for b in blocks:
        if isinstance(b, Heading):
            yield b.text
        elif isinstance(b, Para | Item):
            yield from (r.text for r in b.runs)
            if isinstance(b, Item):
                yield b.label
                yield from (r.text for r in b.lead)
        elif isinstance(b, Note):
            yield b.lead
            yield b.text
        elif isinstance(b, Table):
            yield from b.headers
            for row in b.rows:
                yield from row
        elif isinstance(b, Picture):
            yield b.caption
    yield LEGEND


def wide_section(blocks: Sequence[Block], i: int) -> bool:
    """Whether the section that heading `i` opens holds a wide table (printed landscape)."""
    for b in blocks[i + 1 :]:
        if isinstance(b, Heading) and b.level == 1:
            return False
        if isinstance(b, Table) and b.wide:
            return True
    return False


def png_size(data: bytes) -> tuple[float, float]:
    """(width, height) in inches of a PNG, from its pixel size and its pHYs resolution
    (150 dpi when it has none). Raises ValueError for anything that is not a PNG."""
    import struct

    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG picture")
    w, h = struct.unpack(">II", data[16:24])
    dpi_x = dpi_y = 150.0
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"pHYs" and length == 9:
            px, py, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            if unit == 1 and px and py:  # pixels per metre
                dpi_x, dpi_y = px * 0.0254, py * 0.0254
            break
        if kind in (b"IDAT", b"IEND"):
            break
        pos += 12 + length
    return w / dpi_x, h / dpi_y


def fit(size: tuple[float, float], max_w: float, max_h: float) -> tuple[float, float]:
    """`size` scaled down (never up) to fit in max_w x max_h, keeping its shape."""
    w, h = size
    scale = min(1.0, max_w / w if w else 1.0, max_h / h if h else 1.0)
    return w * scale, h * scale

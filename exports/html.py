"""The report as ONE self-contained HTML file: inline CSS (with a print stylesheet), no scripts,
no external requests, every user text escaped with `html.escape`.

A Content-Security-Policy in the page forbids scripts and any load from elsewhere, so even a
browser that met a bug in this writer would not run or fetch anything. Pictures (the fishbone
and the cause graph, drawn by `exports.diagrams`) are embedded inline as SVG when given:

    html_report(report, pictures={"fishbone": svg_text, "graph": svg_text})

An SVG is embedded only after its XML prolog, DOCTYPE and comments are removed, and only if it
holds no script, event handler, `<foreignObject>` or link to anything outside the file
(internal `#id` references and `data:image/...` are fine); otherwise the picture is left out
with a note. Without pictures the fishbone is given as an outline (it always is, as text).

Language and direction: `<html lang>` is the `language` setting (the team's text, most of the
page); the app's own headings, header cells, labels and messages carry `lang="en"` where that
differs (`exports.language`). Each user text is in an element of its own direction: `dir="auto"`
on a cell or a block, `<bdi>` inside a line, so an Arabic cause reads right to left and does
not pull the label or reference next to it into its run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from exports import followup_section
from exports.document import ACTION_PLAN_COLUMNS, Picture, action_plan_row
from exports.language import app_lang
from exports.picture_parts import parts_note, picture_parts
from exports.pictures.fishbone_parts import MIN_PRINT_PT, PAGE_BOXES, SMALLEST_PT
from exports.report import DEFAULT_NOTICE, HEADINGS, Bone, FishboneNode, Report
from models.fishbone import NO_EVENT, REF_MARK

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #c8c8c8; --head: #eef1f5; --warn: #fff4d6;
        --root: #fff2b3; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", sans-serif;
       color: var(--ink); margin: 2rem auto; max-width: 72rem; padding: 0 1.5rem;
       line-height: 1.45; font-size: 15px; }
header.report { border-bottom: 3px solid #2b4c7e; margin-bottom: 1.5rem; padding-bottom: .5rem; }
header.report h1 { margin: 0 0 .3rem 0; font-size: 1.7rem; }
.meta { color: var(--muted); font-size: .9rem; }
.deid { background: var(--warn); border: 2px solid #b58900; padding: .5rem .8rem; margin: .8rem 0;
        font-weight: 600; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem;
     font-size: 1.3rem; color: #2b4c7e; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left;
         vertical-align: top; }
th { background: var(--head); font-weight: 600; }
table.facts th { width: 16rem; }
td { white-space: pre-wrap; overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
.notice { color: var(--muted); font-size: .8rem; font-style: italic; }
div.notice-print { display: none; }
table.sign td { height: 2.6rem; }
.score { font-size: 1.1rem; font-weight: 700; }
.sac3 { color: #9b1c1c; }
.badge { display: inline-block; border: 1px solid #9b1c1c; color: #9b1c1c; border-radius: 3px;
         padding: 0 .4rem; font-size: .85rem; font-weight: 600; margin-left: .5rem; }
.none { color: var(--muted); font-style: italic; }
.note { background: var(--warn); border-left: 4px solid #b58900; padding: .4rem .7rem;
        margin: .4rem 0; }
ul.fishbone, ul.fishbone ul { list-style: none; padding-left: 1.3rem; margin: .1rem 0; }
ul.fishbone { padding-left: 0; }
ul.fishbone > li > .bone { font-weight: 700; }
ul.fishbone li { margin: .15rem 0; }
.ref { color: var(--muted); font-size: .85rem; margin-right: .3rem; }
.kind { font-size: .8rem; color: var(--muted); margin-left: .3rem; }
.kind.root { background: var(--root); color: var(--ink); padding: 0 .3rem; }
ol.whys li { margin: .15rem 0; }
blockquote.statement { margin: .3rem 0; padding: .4rem .8rem; border-left: 4px solid #2b4c7e;
                       background: #f6f8fb; white-space: pre-wrap; }
ul.findings li.warning::marker { color: #b58900; }
ul.findings li.error::marker { color: #9b1c1c; }
figure { margin: .8rem 0; }
figure svg { max-width: 100%; height: auto; }
.print-parts { display: none; }
figcaption { color: var(--muted); font-size: .85rem; }
footer.report { margin-top: 2.5rem; border-top: 1px solid var(--line); padding-top: .5rem;
                color: var(--muted); font-size: .85rem; }
@media print {
  @page { size: PAPER; margin: 14mm 12mm 22mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  div.notice-print { display: block; position: fixed; bottom: 0; left: 0; right: 0;
                     font-size: 7pt; }
  section { break-before: auto; }
  #summary { break-before: page; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  tr, blockquote, figure, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  figure.whole { display: none; }
  .print-parts { display: block; }
  .print-parts > figure, .print-parts > .turn { break-before: page; page-break-before: always; }
  .print-parts > p.note + figure { break-before: auto; page-break-before: auto; }
  .print-parts svg { max-height: 8.6in; width: auto; }
  .print-parts .turn { position: relative; width: 7.2in; height: 9.2in; break-inside: avoid; }
  .print-parts .turn figure { position: absolute; top: 0; left: 0; width: 9.2in; height: 7.2in;
                              margin: 0; text-align: right; transform-origin: top left;
                              transform: translateY(9.2in) rotate(-90deg); }
  .print-parts .turn svg { max-width: 9.2in; max-height: 6.6in; }
  figure.graph svg { max-height: 8.6in; width: auto; }
  table { font-size: 8.5pt; }
  .deid { border-width: 1px; }
  a { color: inherit; text-decoration: none; }
}
"""

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)

#: Paper of the print stylesheet (the `paper_size` setting, as for the DOCX and PDF).
PAPER = {"letter": "letter portrait", "a4": "A4 portrait"}

_SVG_PROLOG = re.compile(
    r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->|<metadata\b.*?</metadata>",
    re.DOTALL | re.IGNORECASE,
)
_SVG_DANGER = re.compile(
    r"<\s*script|<\s*foreignObject|<\s*iframe|<\s*object|<\s*embed|\son\w+\s*=|javascript:"
    r"|(?:href|src)\s*=\s*[\"'](?!#|data:image/)|url\(\s*[\"']?(?!#|data:image/)"
    r"|@import",
    re.IGNORECASE,
)


def e(text: object) -> str:
    """One user text escaped for HTML (quotes too, so it is also safe in an attribute)."""
    return html.escape("" if text is None else str(text), quote=True)


def safe_svg(svg: str, prefix: str = "") -> str | None:
    """The SVG ready to embed inline, or None when it holds anything active or external.

    With `prefix`, every `id` and every reference to one (`url(#x)`, `href="#x"`) is prefixed,
    so two pictures in one page (matplotlib names its parts "figure_1", "patch_1"...) cannot
    clash.
    """
    body = _SVG_PROLOG.sub("", svg).strip()
    if not re.match(r"<svg[\s>]", body, re.IGNORECASE) or _SVG_DANGER.search(body):
        return None
    if prefix:
        body = re.sub(r'(\sid=")([^"]+")', rf"\g<1>{prefix}-\g<2>", body)
        body = re.sub(r"url\(#", f"url(#{prefix}-", body)
        body = re.sub(r'(href=")#', rf"\g<1>#{prefix}-", body)
    return body


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    css: str = "",
    nowrap: Sequence[int] = (),
    *,
    en: str = "",
    en_cols: Sequence[int] = (),
) -> list[str]:
    """A table; the columns in `nowrap` (dates, numbers) are not broken across lines. `en`
    (the attribute marking the app's English wording) on the headers, on the labels of a
    "facts" table and on the columns `en_cols`; every other cell (the team's text) in its own
    direction."""
    cls = f' class="{css}"' if css else ""
    head = "".join(f"<th{en}>{e(h)}</th>" for h in headers)
    out = [f"<table{cls}>", f"<thead><tr>{head}"]
    out.append("</tr></thead><tbody>")
    own = {*en_cols, *((0,) if css == "facts" else ())}
    td = [f"<td{en}>" if i in own else '<td dir="auto">' for i in range(len(headers))]
    for i in nowrap:
        td[i] = td[i].replace("<td", '<td class="nowrap"')
    for row in rows:
        out.append("<tr>" + "".join(f"{td[i]}{e(c)}</td>" for i, c in enumerate(row)) + "</tr>")
    out.append("</tbody></table>")
    return out


def _none(what: str = "None recorded.", en: str = "") -> str:
    return f'<p class="none"{en}>{e(what)}</p>'


def _kind(kind: str, label: str, en: str = "") -> str:
    if kind not in ("root", "contributing"):
        return ""
    return f' <span class="kind {e(kind)}"{en}>({e(label)})</span>'


def _bone(bone: Bone, en: str = "") -> list[str]:
    """One bone as a nested list, depth first with an explicit stack (no recursion limit)."""
    out = [f'<li><bdi class="bone">{e(bone.category)}</bdi>']
    if not bone.nodes:
        out.append(f'<ul><li class="none"{en}>(none yet)</li></ul></li>')
        return out
    out.append("<ul>")
    stack: list[tuple[FishboneNode, bool]] = [(n, False) for n in reversed(bone.nodes)]
    while stack:
        n, closing = stack.pop()
        if closing:
            out.append("</ul></li>")
        elif n.is_reference:
            out.append(
                f'<li><span class="ref">{REF_MARK} {e(n.ref)}</span> '
                f'<span class="none"{en}>({e(n.ref_note)})</span></li>'
            )
        else:
            out.append(
                f'<li><span class="ref">{e(n.ref)}</span> <bdi>{e(n.text)}</bdi>'
                + _kind(n.kind, n.kind_label, en)
            )
            if n.children:
                out.append("<ul>")
                stack.append((n, True))
                stack.extend((k, False) for k in reversed(n.children))
            else:
                out.append("</li>")
    out.append("</ul></li>")
    return out


def _picture(
    pictures: Mapping[str, str] | None, key: str, caption: str, en: str = ""
) -> list[str]:
    if not pictures or not pictures.get(key):
        return []
    svg = safe_svg(pictures[key], prefix=key)
    if svg is None:
        return [_none(f"The {caption.lower()} picture was left out: it was not a plain SVG.", en)]
    parts = [p for p in picture_parts(Picture(key, caption), pictures) if p.key != key]
    printed = [(p, safe_svg(pictures[p.key], prefix=f"{key}-p{i}")) for i, p in
               enumerate(parts, 1)]
    if not printed or any(part is None for _, part in printed):
        return [f'<figure class="{e(key)}">', svg,
                f"<figcaption{en}>{e(caption)}</figcaption>", "</figure>"]
    # Too large to print readably: the screen shows the whole (a browser zooms); print gives
    # the parts instead, each on its own page, as the PDF does (see the print stylesheet).
    note = parts_note(parts)
    out = [f'<figure class="{e(key)} whole">', svg,
           f"<figcaption{en}>{e(caption)}</figcaption>", "</figure>",
           '<div class="print-parts">']
    if note is not None:
        out.append(f'<p class="note"{en}><strong>{e(note.lead)}</strong>{e(note.text)}</p>')
    for part, part_svg in printed:
        # A part that reads only on a landscape page is turned a quarter on a portrait one:
        # one page size throughout, so the fixed confidentiality line stays at every foot.
        portrait = _fits_portrait(pictures[part.key])
        out += ([] if portrait else ['<div class="turn">']) + [
            '<figure class="part">', part_svg or "",
            f"<figcaption{en}>{e(part.caption)}</figcaption>", "</figure>",
        ] + ([] if portrait else ["</div>"])
    return [*out, "</div>"]


_SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"')


def _fits_portrait(svg: str) -> bool:
    """Whether a print part reads at 7 pt on a portrait page (else it gets a landscape one)."""
    m = _SVG_SIZE.search(svg)
    if m is None:
        return False
    w, h = float(m.group(1)) / 72, float(m.group(2)) / 72
    bw, bh = PAGE_BOXES[1]
    return SMALLEST_PT * min(1.0, bw / w, bh / h) >= MIN_PRINT_PT - 1e-9


def html_report(report: Report, pictures: Mapping[str, str] | None = None) -> str:
    """The whole report as one HTML document (a str; write it as UTF-8).

    `pictures` maps "fishbone" and/or "graph" to SVG text (from `exports.diagrams`); each
    given one is embedded inline, the fishbone in its section and the cause graph after the
    five-whys chains.
    """
    s, m = report.summary, report.meta
    title = f"{report.ref}: {report.title}"
    lang = app_lang(m.language)
    en = f' lang="{lang}"' if lang else ""  # on the app's own wording
    notice_en = en if m.notice == " ".join(DEFAULT_NOTICE.split()) else ""  # not the settings'

    def none(what: str = "None recorded.") -> str:
        return _none(what, en)

    def table(
        headers: Sequence[str],
        rows: Iterable[Sequence[str]],
        css: str = "",
        nowrap: Sequence[int] = (),
        en_cols: Sequence[int] = (),
    ) -> list[str]:
        return _table(headers, rows, css, nowrap, en=en, en_cols=en_cols)

    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{e(m.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex, nofollow">',
        f'<meta name="generator" content="rca-tui {e(m.app_version)}">',
        f"<title>{e(title)}{' (de-identified)' if m.deidentified else ''}</title>",
        f"<style>{CSS.replace('PAPER', PAPER.get(m.paper, PAPER['letter']))}</style>",
        "</head>",
        "<body>",
        '<header class="report">',
        f'<h1 dir="auto">{e(title)}</h1>',
        f'<p class="meta"{en}>Generated {e(m.generated_at)} by {e(m.generated_by or "unknown")}'
        f" · rca-tui {e(m.app_version)} · database schema {e(m.db_version)}"
        + (f" · {e(m.audit_head)}" if m.audit_head else "")
        + "</p>",
    ]
    if m.notice:
        out.append(f'<p class="notice"{notice_en}>{e(m.notice)}</p>')
    if m.deidentified:
        out.append(f'<p class="deid"{en}>{e(m.marker)}</p>')
    out.append("</header>")
    if m.notice:  # printed at the foot of every page
        out.append(f'<div class="notice-print"{notice_en}>{e(m.notice)}</div>')
    n = 0

    def section(key: str) -> None:
        nonlocal n
        n += 1
        out.append(f'<section id="{key}">')
        out.append(f"<h2{en}>{n}. {e(HEADINGS[key])}</h2>")

    def listed(key: str) -> None:
        """A list section (`exports.sections`): its table, or one line saying it is empty."""
        x = report.listed(key)
        section(key)
        out.extend(table(x.headers, x.rows, nowrap=x.nowrap) if x.rows else [none(x.empty)])
        out.append("</section>")

    section("executive")
    head = (
        f"<bdi>{e(report.event.text)}</bdi>"
        if report.event
        else f'<span class="none"{en}>{NO_EVENT}</span>'
    )
    out.append(f"<p><strong{en}>Event:</strong> {head}</p>")
    facts = [("SAC score", s.sac_text), ("Sentinel event", s.sentinel_text)]
    facts += [(f.label, f.value) for f in s.facts if f.label in ("Occurred", "Unit", "Status")]
    facts += [(f.label, f.value) for f in report.deadline_status]
    out += table(("Item", "Value"), facts, "facts")
    out.append(f"<h3{en}>Root causes and their causal statements</h3>")
    if not report.root_causes:
        out.append(none("No root cause identified yet."))
    for c in report.root_causes:
        out.append(
            f'<p><span class="ref">{e(c.ref)}</span> <strong><bdi>{e(c.text)}</bdi></strong></p>'
        )
        out.append(
            f'<blockquote class="statement" dir="auto">{e(c.statement)}</blockquote>'
            if c.statement
            else none("No causal statement written.")
        )
    out.append(f"<h3{en}>Actions</h3>")
    out += (
        table(
            ("No.", "Root cause", "Action", "Strength", "Responsible", "Due"),
            (
                (a.ref, a.addresses_refs, a.text, a.strength_text, a.owner, a.due)
                for a in report.actions
            ),
            nowrap=(0, 1, 5),
            en_cols=(3,),
        )
        if report.actions
        else [none("No actions yet.")]
    )
    out.append("</section>")

    section("summary")
    cls = "score sac3" if s.sac_score == "3" else "score"
    score = f"{s.sac_score} ({s.sac_meaning})" if s.sac_score else s.sac_meaning
    badge = '<span class="badge">Sentinel event</span>' if s.sentinel else ""
    out.append(f'<p class="{cls}"{en}>SAC score: {e(score)}{badge}</p>')
    if s.description:
        out.append(f'<p style="white-space: pre-wrap" dir="auto">{e(s.description)}</p>')
    out += table(("Item", "Value"), ((f.label, f.value) for f in s.facts), "facts")
    out.append(f"<h3{en}>Deadlines</h3>")
    out += (
        table(("Deadline", "Date"), ((f.label, f.value) for f in s.deadlines), "facts")
        if s.deadlines
        else [none("No deadline can be computed yet (dates missing).")]
    )
    out.append("</section>")

    # 2. team
    section("team")
    out += (
        table(
            ("Name", "Role", "Involved in the event"),
            ((t.name, t.role, t.involved) for t in report.team),
        )
        if report.team
        else [none()]
    )
    out.append("</section>")

    # other people involved
    listed("people")

    # 3. timeline
    section("timeline")
    out += (
        table(
            ("#", "When", "What happened", "What should have happened", "Source"),
            ((str(x.number), x.when, x.happened, x.should_have, x.source) for x in report.timeline),
            nowrap=(0, 1),
        )
        if report.timeline
        else [none()]
    )
    out.append("</section>")

    # 4. fishbone
    section("fishbone")
    out.append(f"<p><strong{en}>Event (head of the fishbone):</strong> {head}</p>")
    out += _picture(pictures, "fishbone", "Fishbone diagram", en)
    if any(b.nodes for b in report.fishbone):
        out.append('<ul class="fishbone">')
        for bone in report.fishbone:
            out += _bone(bone, en)
        out.append("</ul>")
    else:
        out.append(none("No causes recorded."))
    out.append("</section>")

    # 5. five whys
    section("whys")
    if report.whys:
        for i, chain in enumerate(report.whys, start=1):
            out.append(
                f"<h3><span{en}>Chain {i}:</span> {e(chain.root_ref)} "
                f"<bdi>{e(chain.root_text)}</bdi></h3>"
            )
            out.append('<ol class="whys">')
            last = len(chain.steps) - 1
            for k, step in enumerate(chain.steps):
                lead = "Event" if k == 0 else "Why? Because"
                kind = f' <span class="kind"{en}>({e(step.kind_label)})</span>' if k == last else ""
                out.append(
                    f"<li><strong{en}>{lead}:</strong> "
                    f'<span class="ref">{e(step.ref)}</span> <bdi>{e(step.text)}</bdi>{kind}</li>'
                )
            out.append("</ol>")
    else:
        out.append(none("No chain from a root cause to the event yet."))
    out += _picture(pictures, "graph", "Cause graph (an arrow means 'led to')", en)
    out.append("</section>")

    # 6. causal statements
    section("statements")
    if report.statements:
        for st in report.statements:
            out.append(
                f'<h3><span class="ref">{e(st.ref)}</span> <bdi>{e(st.cause_text)}</bdi>'
                f' <span class="kind"{en}>({e(st.kind_label)})</span></h3>'
            )
            out.append(
                f'<blockquote class="statement" dir="auto">{e(st.statement)}</blockquote>'
                if st.statement
                else none("No causal statement written.")
            )
            if st.findings:
                out.append('<ul class="findings">')
                out += [
                    f'<li class="{e(f.severity)}"{en}><strong>{e(f.code)}</strong> '
                    f"({e(f.severity)}): {e(f.message)}</li>"
                    for f in st.findings
                ]
                out.append("</ul>")
            else:
                out.append(f"<p{en}>No finding on the five rules of causation.</p>")
    else:
        out.append(none("No causal statements yet."))
    out.append("</section>")

    # 7. root causes and contributing factors
    section("causes")
    for heading, items in (
        ("Root causes", report.root_causes),
        ("Contributing factors", report.contributing),
    ):
        out.append(f"<h3{en}>{heading}</h3>")
        out += (
            table(
                ("Ref", "Cause", "Category", "Evidence"),
                ((c.ref, c.text, c.category, c.evidence) for c in items),
                nowrap=(0,),
            )
            if items
            else [none()]
        )
    if report.codes_line:
        out.append(f"<p{en}>{e(report.codes_line)}</p>")
    out.append("</section>")

    # 8. action plan: one row per action
    section("actions")
    out += [
        f'<p class="note"{en}><strong>Warning:</strong> {e(note)}</p>' for note in report.plan_notes
    ]
    out += (
        table(
            ACTION_PLAN_COLUMNS,
            (action_plan_row(a) for a in report.actions),
            nowrap=(0, 5),
            en_cols=(3,),
        )
        if report.actions
        else [none("No actions yet.")]
    )
    out.append("</section>")

    # strategies not taken, lessons learned, literature reviewed
    for key in ("strategies", "lessons", "literature"):
        listed(key)

    # 9. sign-off
    section("signoff")
    out += (
        table(
            ("Role", "Name", "Decision", "Comment", "At"),
            ((x.role, x.name, x.decision, x.comment, x.at) for x in report.signoffs),
            nowrap=(4,),
        )
        if report.signoffs
        else [none("Not signed off yet.")]
    )
    out.append(f"<h3{en}>Signatures</h3>")
    out += table(
        ("Role", "Name", "Signature", "Date"),
        (
            (x.role, x.name + (f" ({x.decision})" if x.decision else ""), "", x.at)
            for x in report.signatures
        ),
        "sign",
    )
    out.append("</section>")

    # 10. follow-up (exports/followup_section.py)
    section("followup")
    # the app's sentences
    out += [f"<p{en}>{e(line)}</p>" for line in followup_section.lines(report.followup)]
    if report.followup.rows:
        out += table(
            followup_section.COLUMNS, followup_section.rows(report.followup), nowrap=(2, 3)
        )
    out.append("</section>")

    # 11. feedback
    section("feedback")
    out += (
        table(
            ("Audience", "Date", "Given by", "Note"),
            ((f.audience, f.given_on, f.given_by, f.note) for f in report.feedback),
            nowrap=(1,),
        )
        if report.feedback
        else [none()]
    )
    out.append("</section>")

    if report.findings:
        out.append(f'<section id="findings"><h2{en}>Appendix: open check findings</h2>')
        out.append(f'<ul class="findings"{en}>')
        out += [
            f'<li class="{e(f.severity)}"><strong>{e(f.code)}</strong> ({e(f.severity)}): '
            f"{e(f.message)}</li>"
            for f in report.findings
        ]
        out.append("</ul></section>")

    footer = f"{report.ref} · generated {m.generated_at} by {m.generated_by or 'unknown'}"
    if m.deidentified:
        footer += " · De-identified copy"
    out.append(f'<footer class="report"><span{en}>{e(footer)}</span>')
    if m.notice:
        out.append(f'<p class="notice"{notice_en}>{e(m.notice)}</p>')
    out += ["</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"

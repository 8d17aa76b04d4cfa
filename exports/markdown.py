"""The report as Markdown: readable as plain text, diff-able, and safe when rendered.

Sections follow `exports.report.SECTIONS`. Every user text is escaped so that it shows as typed
when a Markdown viewer renders it: `\\ ` * _ [ ] < > # | ~` are backslash-escaped (so no link,
image, raw HTML such as `<script>` or emphasis can come from a cause text), a line that would
start a list, quote or heading is escaped, and line breaks inside table cells become `<br>`
(the only HTML the writer itself emits).

The fishbone is given twice: as a nested list (readable everywhere) and as a Mermaid
`ishikawa-beta` block (Mermaid 11.12 or later draws it; older viewers show the text). In the
Mermaid block one line is one cause, its indentation is its depth; texts are put on one line,
`<`/`>` become `‹`/`›`, and a text that Mermaid would read as a keyword or comment gets a
leading "· ".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from exports.report import HEADINGS, Bone, FishboneNode, Report
from models.fishbone import NO_EVENT, REF_MARK

_ESCAPE = re.compile(r"([\\`*_\[\]<>#|~])")
_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)])(?=\s|$))")


def _escape_start(m: re.Match[str]) -> str:
    """`- x` -> `\\- x`, `1. x` -> `1\\. x` (a backslash escapes punctuation only)."""
    if m.group(2):
        return m.group(1) + "\\" + m.group(2)
    return m.group(1) + m.group(3) + "\\" + m.group(4)


#: Deepest indentation level in the Mermaid block (deeper causes stay at this level, marked).
MERMAID_MAX_DEPTH = 8


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")


def md_text(text: str) -> str:
    """A user text escaped for a Markdown paragraph (line breaks kept as hard breaks)."""
    out = []
    for line in _lines(text):
        line = _ESCAPE.sub(r"\\\1", line.strip())
        line = _LINE_START.sub(_escape_start, line)
        out.append(line)
    while out and not out[-1]:
        out.pop()
    # Blank lines separate paragraphs; single breaks become hard breaks (backslash at the end).
    joined = []
    for i, line in enumerate(out):
        if line and i + 1 < len(out) and out[i + 1]:
            joined.append(line + "\\")
        else:
            joined.append(line)
    return "\n".join(joined)


def md_inline(text: str) -> str:
    """A user text escaped for one line (a list item, a heading): line breaks become spaces."""
    line = _ESCAPE.sub(r"\\\1", " ".join(text.split()))
    return _LINE_START.sub(_escape_start, line)


def md_cell(text: str) -> str:
    """A user text for a pipe-table cell: escaped, `|` escaped, line breaks as `<br>`."""
    parts = [_ESCAPE.sub(r"\\\1", " ".join(line.split())) for line in _lines(text)]
    while parts and not parts[-1]:
        parts.pop()
    return "<br>".join(parts) if parts else ""


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    for row in rows:
        out.append("| " + " | ".join(md_cell(c) for c in row) + " |")
    return out


def _none(what: str = "None recorded.") -> list[str]:
    return [f"_{what}_"]


def _heading(number: int, key: str) -> list[str]:
    return ["", f"## {number}. {HEADINGS[key]}", ""]


def mermaid_text(text: str) -> str:
    """One cause as one line of a Mermaid ishikawa block (see the module docstring)."""
    line = " ".join(text.split()).replace("<", "‹").replace(">", "›")
    if not line:
        return "-"
    if line.startswith("%") or re.match(r"ishikawa", line, re.IGNORECASE):
        line = "· " + line
    return line


def mermaid_ishikawa(report: Report) -> str:
    """The fishbone as a Mermaid `ishikawa-beta` diagram (without the code fence)."""
    head = report.event.text if report.event else NO_EVENT
    out = ["ishikawa-beta", "    " + mermaid_text(head)]

    def node(n: FishboneNode, depth: int) -> None:
        level = min(depth, MERMAID_MAX_DEPTH)
        mark = "› " * min(depth - level, 3)
        text = f"{REF_MARK} {n.ref} (drawn above)" if n.is_reference else f"{n.ref} {n.text}"
        if n.kind in ("root", "contributing") and not n.is_reference:
            text += " [root cause]" if n.kind == "root" else " [contributing]"
        out.append("    " * (level + 2) + mark + mermaid_text(text))

    for bone in report.fishbone:
        out.append("    " * 2 + mermaid_text(bone.category))
        stack = [(n, 1) for n in reversed(bone.nodes)]
        while stack:
            n, depth = stack.pop()
            node(n, depth)
            stack.extend((k, depth + 1) for k in reversed(n.children))
    return "\n".join(out)


def _fence(body: str, info: str) -> list[str]:
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, body, fence]


def _bone_outline(bone: Bone) -> list[str]:
    out = [f"- **{md_inline(bone.category)}**"]
    if not bone.nodes:
        out.append("  - _(none yet)_")
    stack = [(n, 1) for n in reversed(bone.nodes)]
    while stack:
        n, depth = stack.pop()
        pad = "  " * depth
        if n.is_reference:
            out.append(f"{pad}- {REF_MARK} {n.ref} _(given in full above)_")
        else:
            kind = f" _({md_inline(n.kind_label)})_" if n.kind in ("root", "contributing") else ""
            out.append(f"{pad}- {n.ref} {md_inline(n.text)}{kind}")
        stack.extend((k, depth + 1) for k in reversed(n.children))
    return out


def markdown_report(report: Report) -> str:
    """The whole report as Markdown text (UTF-8 when written)."""
    s = report.summary
    m = report.meta
    out: list[str] = [f"# {report.ref}: {md_inline(report.title)}", ""]
    if m.deidentified:
        out += [f"> **{md_inline(m.marker)}**", ""]
    out.append(
        f"Generated {md_inline(m.generated_at)} by {md_inline(m.generated_by) or 'unknown'}"
        f" · rca-tui {md_inline(m.app_version)} · database schema {md_inline(m.db_version)}"
    )
    n = 0

    def section(key: str) -> None:
        nonlocal n
        n += 1
        out.extend(_heading(n, key))

    # 1. summary
    section("summary")
    sentinel = "**Sentinel event**" if s.sentinel else "Not a sentinel event"
    score = f"{s.sac_score} ({s.sac_meaning})" if s.sac_score else s.sac_meaning
    out += [f"**SAC score: {md_inline(score)}** · {sentinel}", ""]
    if s.description:
        out += [md_text(s.description), ""]
    out += _table(("Item", "Value"), ((f.label, f.value) for f in s.facts))
    out += ["", "### Deadlines", ""]
    out += (
        _table(("Deadline", "Date"), ((f.label, f.value) for f in s.deadlines))
        if s.deadlines
        else _none("No deadline can be computed yet (dates missing).")
    )

    # 2. team
    section("team")
    out += (
        _table(
            ("Name", "Role", "Involved in the event"),
            ((t.name, t.role, t.involved) for t in report.team),
        )
        if report.team
        else _none()
    )

    # 3. timeline
    section("timeline")
    out += (
        _table(
            ("#", "When", "What happened", "What should have happened", "Source"),
            ((str(e.number), e.when, e.happened, e.should_have, e.source) for e in report.timeline),
        )
        if report.timeline
        else _none()
    )

    # 4. fishbone
    section("fishbone")
    head = md_inline(report.event.text) if report.event else f"_{NO_EVENT}_"
    out += [f"**Event (head of the fishbone):** {head}", ""]
    if any(b.nodes for b in report.fishbone):
        for bone in report.fishbone:
            out += _bone_outline(bone)
        out += ["", "Mermaid (`ishikawa-beta`, drawn by Mermaid 11.12 or later):", ""]
        out += _fence(mermaid_ishikawa(report), "mermaid")
    else:
        out += _none("No causes recorded.")

    # 5. five whys
    section("whys")
    if report.whys:
        for i, chain in enumerate(report.whys, start=1):
            out += ["", f"### Chain {i}: {chain.root_ref} {md_inline(chain.root_text)}", ""]
            for k, step in enumerate(chain.steps):
                lead = "Event" if k == 0 else "Why? Because"
                label = f" _({md_inline(step.kind_label)})_" if k == len(chain.steps) - 1 else ""
                out.append(f"{k + 1}. {lead}: {step.ref} {md_inline(step.text)}{label}")
    else:
        out += _none("No chain from a root cause to the event yet.")

    # 6. causal statements
    section("statements")
    if report.statements:
        for st in report.statements:
            out += [
                "",
                f"### {st.ref} {md_inline(st.cause_text)} _({md_inline(st.kind_label)})_",
                "",
            ]
            if st.statement:
                out += ["> " + line for line in md_text(st.statement).split("\n")]
            else:
                out += _none("No causal statement written.")
            out.append("")
            if st.findings:
                out += [
                    f"- **{f.code}** ({f.severity}): {md_inline(f.message)}" for f in st.findings
                ]
            else:
                out.append("- No finding on the five rules of causation.")
    else:
        out += _none("No causal statements yet.")

    # 7. root causes and contributing factors
    section("causes")
    for title, items in (
        ("Root causes", report.root_causes),
        ("Contributing factors", report.contributing),
    ):
        out += [f"### {title}", ""]
        out += (
            _table(
                ("Ref", "Cause", "Category", "Evidence"),
                ((c.ref, c.text, c.category, c.evidence) for c in items),
            )
            if items
            else _none()
        )
        out.append("")

    # 8. action plan
    section("actions")
    for note in report.plan_notes:
        out.append(f"> **Warning:** {md_inline(note)}")
    if report.plan_notes:
        out.append("")
    out += (
        _table(
            ("No.", "Root cause(s) addressed", "Action", "Strength", "Owner", "Due", "Status"),
            (
                (a.ref, a.addresses, a.text, a.strength_text, a.owner, a.due, a.status)
                for a in report.actions
            ),
        )
        if report.actions
        else _none("No actions yet.")
    )

    # 9. measures
    section("measures")
    out += (
        _table(
            ("No.", "Measure", "What is measured", "How", "Sample size", "Target", "Date"),
            (
                (
                    a.ref,
                    a.measure_kind,
                    a.measure_what,
                    a.measure_how,
                    a.measure_sample,
                    a.measure_target,
                    a.measure_date,
                )
                for a in report.actions
            ),
        )
        if report.actions
        else _none("No actions yet.")
    )

    # 10. concurrence and sign-off
    section("signoff")
    out += ["### Leadership concurrence", ""]
    out += (
        _table(
            ("No.", "Action", "Concurrence", "Reason", "By", "At"),
            (
                (
                    a.ref,
                    a.text,
                    a.concurrence or "Not yet reviewed",
                    a.concurrence_reason,
                    a.concurrence_by,
                    a.concurrence_at,
                )
                for a in report.actions
            ),
        )
        if report.actions
        else _none("No actions yet.")
    )
    out += ["", "### Sign-off", ""]
    out += (
        _table(
            ("Role", "Name", "Decision", "Comment", "At"),
            ((x.role, x.name, x.decision, x.comment, x.at) for x in report.signoffs),
        )
        if report.signoffs
        else _none("Not signed off yet.")
    )

    # 11. feedback
    section("feedback")
    out += (
        _table(
            ("Audience", "Date", "Given by", "Note"),
            ((f.audience, f.given_on, f.given_by, f.note) for f in report.feedback),
        )
        if report.feedback
        else _none()
    )

    if report.findings:
        out += ["", "## Appendix: open check findings", ""]
        out += [f"- **{f.code}** ({f.severity}): {md_inline(f.message)}" for f in report.findings]

    out += ["", "---", ""]
    footer = f"{report.ref} · generated {md_inline(m.generated_at)}"
    if m.deidentified:
        footer += " · **De-identified copy**"
    out.append(footer)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out))  # one blank line between blocks
    return text.strip("\n") + "\n"

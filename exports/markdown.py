"""The report as Markdown: readable as plain text, diff-able, and safe when rendered.

Sections follow `exports.report.SECTIONS`. Every user text is escaped so that it shows as typed
when a Markdown viewer renders it: `\\ ` * _ [ ] < > # | ~` are backslash-escaped (so no link,
image, raw HTML such as `<script>` or emphasis can come from a cause text), a line that would
start a list, quote or heading is escaped, and line breaks inside table cells become `<br>`
(the only HTML the writer itself emits).

`&` is escaped too, so a typed "&amp;" renders as typed.

The fishbone is given twice: as a nested list with every text in full (readable everywhere)
and as a Mermaid `ishikawa-beta` block (Mermaid 11.12 or later draws it; older viewers show the
text). The diagram holds short labels only, the cause's reference and its first words ("C12
Bed exit alarm was…"), whose full text is in the list beside it, and at most
`MERMAID_PER_BONE` labels a bone (then "… N more in the list below"): so even 2,000 causes stay
far under Mermaid's 50,000-character limit and labels do not overlap. In a label `<`/`>` become
`‹`/`›`, "%%" is split (Mermaid reads `%%{init: ...}%%` anywhere as a directive), and a label
that Mermaid would read as a keyword or comment gets a leading "· ". A bone's name longer than
14 characters is set on two lines (`<br>`, the only markup in the block: a typed `<` is `‹`),
and a bone without causes gets a "(none yet)" label so that it is drawn like the others: in
Mermaid 11 the names of seven bones in one line each touched, and an empty bone's name sat in
the middle of the picture over its neighbour's labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from exports import followup_section
from exports.document import ACTION_PLAN_COLUMNS, action_plan_row
from exports.report import HEADINGS, Bone, FishboneNode, Report
from models.fishbone import NO_EVENT, REF_MARK, kind_mark

_ESCAPE = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)])(?=\s|$))")


def _escape_start(m: re.Match[str]) -> str:
    """`- x` -> `\\- x`, `1. x` -> `1\\. x` (a backslash escapes punctuation only)."""
    if m.group(2):
        return m.group(1) + "\\" + m.group(2)
    return m.group(1) + m.group(3) + "\\" + m.group(4)


#: Deepest indentation level in the Mermaid block (deeper causes stay at this level, marked).
MERMAID_MAX_DEPTH = 8
#: Words of a cause's text in its Mermaid label (the full text is in the list).
MERMAID_WORDS = 5
#: Labels drawn on one bone of the Mermaid diagram, in the list's order; the rest are counted
#: in one last label ("… 22 more in the list below"). Mermaid's ishikawa layout spaces labels
#: evenly along a bone of fixed slant: past about a dozen they overlap (seen in Mermaid 11.17
#: with 200 causes), and the list beside it has every one in full.
MERMAID_PER_BONE = 4
#: Words of a label on a crowded bone: Mermaid wraps labels narrow and spaces them evenly.
CROWDED_WORDS = 3
#: Characters on one line of a bone's name in the Mermaid diagram (a longer name is broken at
#: spaces): two neighbours on a row then keep apart (Mermaid 11.17, 7 bones, in Chromium).
MERMAID_BONE_LINE = 14


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
    line = re.sub("%(?=%)", "% ", line)
    if not line:
        return "-"
    if line.startswith("%") or re.match(r"ishikawa", line, re.IGNORECASE):
        line = "· " + line
    return line


def mermaid_bone(name: str) -> str:
    """A bone's name as a Mermaid label: a name longer than `MERMAID_BONE_LINE` characters on
    as few lines as keep each within that (`<br>` at spaces; a longer word on its own line),
    the lines about even ("Organisation<br>and management"). Mermaid 11 sets the names of a
    row of bones about 160 px apart at 7 bones, each on one line: "Team (incl.
    communication)" (199 px) touched "Individual staff" beside it."""
    text = mermaid_text(name)
    words = text.split(" ")
    if len(text) <= MERMAID_BONE_LINE or len(words) == 1:
        return text
    most = max(MERMAID_BONE_LINE, max(len(w) for w in words))
    lines = words
    for k in range(2, len(words) + 1):
        lines = _wrap_words(words, max(most - 2, -(-len(text) // k)))
        if max(len(x) for x in lines) <= most:
            break
    return "<br>".join(lines)


def _wrap_words(words: Sequence[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def mermaid_ishikawa(report: Report) -> str:
    """The fishbone as a Mermaid `ishikawa-beta` diagram (without the code fence)."""
    head = report.event.text if report.event else NO_EVENT
    out = ["ishikawa-beta", "    " + mermaid_text(head)]

    def node(n: FishboneNode, depth: int, most: int = MERMAID_WORDS) -> None:
        level = min(depth, MERMAID_MAX_DEPTH)
        mark = "› " * min(depth - level, 3)
        if n.is_reference:
            text = f"{REF_MARK} {n.ref}"
        else:
            words = n.text.split()
            short = " ".join(words[:most]) + ("…" if len(words) > most else "")
            text = f"{kind_mark(n.kind)} {n.ref} {short}".lstrip()
        out.append("    " * (level + 2) + mark + mermaid_text(text))

    for bone in report.fishbone:
        out.append("    " * 2 + mermaid_bone(bone.category))
        if not bone.nodes:
            # Drawn as long as the others: a bone without causes is drawn short, its name
            # left in the middle of the picture, over the labels of the bone beside it.
            out.append("    " * 3 + "(none yet)")
        stack = [(n, 1) for n in reversed(bone.nodes)]
        # A crowded bone shows its first top-level causes only: Mermaid lays a sub-branch
        # over its neighbours when a bone is full.
        crowded = sum(_count(n) for n in bone.nodes) > MERMAID_PER_BONE
        drawn = rest = 0
        while stack and drawn < MERMAID_PER_BONE:
            n, depth = stack.pop()
            node(n, depth, CROWDED_WORDS if crowded else MERMAID_WORDS)
            drawn += 1
            if crowded:
                rest += _count(n) - 1
            else:
                stack.extend((k, depth + 1) for k in reversed(n.children))
        rest += sum(_count(n) for n, _ in stack)
        if rest:
            out.append("    " * 3 + mermaid_text(f"… {rest} more in the list below"))
    return "\n".join(out)


def _count(n: FishboneNode) -> int:
    """`n` and every node under it."""
    return 1 + sum(_count(k) for k in n.children)


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
            out.append(f"{pad}- {REF_MARK} {n.ref} _({n.ref_note})_")
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
    if m.notice:
        out += [f"> _{md_inline(m.notice)}_", ""]
    if m.deidentified:
        out += [f"> **{md_inline(m.marker)}**", ""]
    out.append(
        f"Generated {md_inline(m.generated_at)} by {md_inline(m.generated_by) or 'unknown'}"
        f" · rca-tui {md_inline(m.app_version)} · database schema {md_inline(m.db_version)}"
        + (f" · {md_inline(m.audit_head)}" if m.audit_head else "")
    )
    n = 0

    def section(key: str) -> None:
        nonlocal n
        n += 1
        out.extend(_heading(n, key))

    def listed(key: str) -> None:
        """A list section (`exports.sections`): its table, or one line saying it is empty."""
        x = report.listed(key)
        section(key)
        out.extend(_table(x.headers, x.rows) if x.rows else _none(x.empty))

    section("executive")
    head = md_inline(report.event.text) if report.event else f"_{NO_EVENT}_"
    out += [f"**Event:** {head}", ""]
    facts = [("SAC score", s.sac_text), ("Sentinel event", s.sentinel_text)]
    facts += [(f.label, f.value) for f in s.facts if f.label in ("Occurred", "Unit", "Status")]
    facts += [(f.label, f.value) for f in report.deadline_status]
    out += _table(("Item", "Value"), facts)
    out += ["", "### Root causes and their causal statements", ""]
    for c in report.root_causes:
        out += [f"- **{c.ref} {md_inline(c.text)}**", ""]
        statement = md_text(c.statement) if c.statement else "_No causal statement written._"
        out += ["  > " + line for line in statement.split("\n")] + [""]
    if not report.root_causes:
        out += _none("No root cause identified yet.")
    out += ["", "### Actions", ""]
    out += (
        _table(
            ("No.", "Root cause", "Action", "Strength", "Responsible", "Due"),
            (
                (a.ref, a.addresses_refs, a.text, a.strength_text, a.owner, a.due)
                for a in report.actions
            ),
        )
        if report.actions
        else _none("No actions yet.")
    )

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

    # other people involved
    listed("people")

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
    if report.codes_line:
        out += [md_text(report.codes_line), ""]

    # 8. action plan: one row per action
    section("actions")
    for note in report.plan_notes:
        out.append(f"> **Warning:** {md_inline(note)}")
    if report.plan_notes:
        out.append("")
    out += (
        _table(ACTION_PLAN_COLUMNS, (action_plan_row(a) for a in report.actions))
        if report.actions
        else _none("No actions yet.")
    )

    # strategies not taken, lessons learned, literature reviewed
    for key in ("strategies", "lessons", "literature"):
        listed(key)

    # 9. sign-off
    section("signoff")
    out += (
        _table(
            ("Role", "Name", "Decision", "Comment", "At"),
            ((x.role, x.name, x.decision, x.comment, x.at) for x in report.signoffs),
        )
        if report.signoffs
        else _none("Not signed off yet.")
    )
    out += ["", "### Signatures", ""]
    out += _table(
        ("Role", "Name", "Signature", "Date"),
        (
            (x.role, x.name + (f" ({x.decision})" if x.decision else ""), "", x.at)
            for x in report.signatures
        ),
    )

    # 10. follow-up (exports/followup_section.py)
    section("followup")
    out += [md_inline(line) + "\n" for line in followup_section.lines(report.followup)]
    if report.followup.rows:
        out += _table(followup_section.COLUMNS, followup_section.rows(report.followup))

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
    if m.notice:
        out += ["", f"_{md_inline(m.notice)}_"]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out))  # one blank line between blocks
    return text.strip("\n") + "\n"

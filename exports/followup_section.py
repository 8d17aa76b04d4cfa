"""The report's follow-up section: did each action get done, what was measured, did it work,
and when and how the person who reported the event was told.

Built here, apart from `exports.report` (already long), as `FollowupSection`, and rendered by
every report writer (Markdown, HTML, and the DOCX/PDF outline) through `columns()` and
`rows()`, so the three show the same table. Plain text only; dates ISO.
"""

from __future__ import annotations

from dataclasses import dataclass

from exports.safety import clean_xml_text
from models import vocab
from models.domain import Action, Dossier, Feedback, shown_as
from models.rules.dates import format_date
from models.rules.followup_checks import followed, of_action

#: The columns of the follow-up table, in `FollowupRow.cells()` order.
COLUMNS = ("No.", "Action", "Started", "Done", "Results (target)", "Effectiveness")
#: Relative widths for the paginated formats.
WIDTHS = (0.06, 0.28, 0.1, 0.1, 0.24, 0.22)


def _t(value: object) -> str:
    return "" if value is None else clean_xml_text(str(value))


@dataclass(frozen=True, slots=True)
class FollowupRow:
    ref: str  # "A2": the action's number in the action plan
    text: str
    started: str
    done: str
    results: str  # "80 on 2026-12-02; 94% (47/50) on 2027-01-10 (target 95%)"
    verdict: str  # "Effective (rita, 2027-02-01): note" / "Closed by rita: reason" / ""

    def cells(self) -> tuple[str, ...]:
        return (self.ref, self.text, self.started, self.done, self.results, self.verdict)


@dataclass(frozen=True, slots=True)
class FollowupSection:
    #: One row per action leadership did not refuse, in action plan order.
    rows: tuple[FollowupRow, ...] = ()
    #: When and how the reporter was told ("" when not yet).
    reporter: str = ""
    #: Follow-up has begun (the investigation is approved or closed).
    open: bool = False


def _verdict(a: Action) -> str:
    parts = []
    if a.effectiveness:
        said = vocab.Effectiveness(a.effectiveness).label
        who = shown_as(a.effectiveness_by, a.effectiveness_name)
        when = format_date(a.effectiveness_at.date()) if a.effectiveness_at else ""
        by = ", ".join(x for x in (who, when) if x)
        parts.append(f"{said} ({by})" if by else said)
        if a.effectiveness_note.strip():
            parts[-1] += f": {a.effectiveness_note.strip()}"
    if a.closed_reason.strip():
        parts.append(f"Closed by {a.closed_by or 'a reviewer'}: {a.closed_reason.strip()}")
    if a.imported_followup.strip():
        parts.append(f"Imported: {a.imported_followup.strip()}")
    return _t("; ".join(parts))


def _reporter(feedback: tuple[Feedback, ...]) -> str:
    told = [f for f in feedback if f.audience == vocab.FeedbackAudience.REPORTER]
    if not told:
        return ""
    lines = []
    for f in told:
        how = f" {f.method.strip()}" if f.method.strip() else ""
        by = f" by {f.given_by}" if f.given_by else ""
        lines.append(f"{format_date(f.given_on) or 'Date not given'}{how}{by}")
    return _t("The reporter was told: " + "; ".join(lines) + ".")


def build_followup(dossier: Dossier) -> FollowupSection:
    numbers = {a.id: n for n, a in enumerate(dossier.actions, start=1)}
    rows = []
    for a in followed(dossier.actions):
        results = of_action(dossier.measurements, a.id)
        shown = "; ".join(f"{m.shown} on {format_date(m.taken_on)}" for m in results)
        target = a.measure.target.strip()
        if target:
            shown = f"{shown} (target {target})" if shown else f"none yet (target {target})"
        rows.append(
            FollowupRow(
                ref=f"A{numbers[a.id]}",
                text=_t(a.text),
                started=format_date(a.started_on),
                done=format_date(a.done_on),
                results=_t(shown),
                verdict=_verdict(a),
            )
        )
    status = dossier.investigation.status
    return FollowupSection(
        rows=tuple(rows),
        reporter=_reporter(dossier.feedback),
        open=status in (vocab.Status.APPROVED, vocab.Status.CLOSED),
    )


def lines(section: FollowupSection) -> list[str]:
    """The sentences above the table: where follow-up stands, and the reporter's feedback."""
    out = []
    if not section.open:
        out.append("Follow-up begins once the investigation is approved.")
    out.append(section.reporter or "No feedback to the reporter is recorded yet.")
    return out


def rows(section: FollowupSection) -> list[tuple[str, ...]]:
    return [r.cells() for r in section.rows]

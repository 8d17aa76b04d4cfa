"""The SAC risk matrix, drawn with the chosen cell highlighted.

The score and its meaning update as the pickers change. For near misses and unsafe conditions
both severities are marked: the potential one (scored) and the actual one, so the reader sees
why the score is what it is.
"""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from models.rules import sac
from models.vocab import (
    PROBABILITY_MEANING,
    SEVERITY_MEANING,
    Probability,
    ReportType,
    Severity,
)

HEADERS = {
    Severity.CATASTROPHIC: "Catast",
    Severity.MAJOR: "Major",
    Severity.MODERATE: "Moder",
    Severity.MINOR: "Minor",
}
CELL = 7
LABEL = 11
#: Inner width (the widget is 42 wide with its border).
WIDTH = 40


class SacMatrix(Widget):
    """Shows the matrix for (report type, actual, potential, probability)."""

    DEFAULT_CSS = """
    SacMatrix { height: auto; width: 42; padding: 0; }
    """

    report_type: reactive[str | None] = reactive(None)
    severity_actual: reactive[str | None] = reactive(None)
    severity_potential: reactive[str | None] = reactive(None)
    probability: reactive[str | None] = reactive(None)

    def set_values(
        self,
        report_type: str | None,
        severity_actual: str | None,
        severity_potential: str | None,
        probability: str | None,
    ) -> None:
        self.report_type = report_type
        self.severity_actual = severity_actual
        self.severity_potential = severity_potential
        self.probability = probability

    @property
    def score(self) -> int | None:
        return sac.sac_score(
            self.report_type, self.severity_actual, self.severity_potential, self.probability
        )

    def render(self) -> Text:
        scored = sac.scored_severity(
            self.report_type, self.severity_actual, self.severity_potential
        )
        close_call = self.report_type in (ReportType.NEAR_MISS, ReportType.UNSAFE_CONDITION)
        other = self.severity_actual if close_call else None
        out = Text()
        out.append("Risk (SAC)", style="bold")
        out.append(" " * (LABEL - len("Risk (SAC)")))
        for sev in Severity:
            out.append(HEADERS[sev].center(CELL))
        out.append("\n")
        for prob in Probability:
            out.append(prob.label, style="bold" if prob == self.probability else "")
            out.append(" " * (LABEL - len(prob.label)))
            for sev in Severity:
                value = sac.MATRIX[prob][sev]
                chosen = prob == self.probability and sev == scored
                marker = ""
                if close_call and prob == self.probability:
                    if sev == scored:
                        marker = "P"
                    elif sev == other:
                        marker = "A"
                cell = f"{value}{marker}".center(CELL)
                if chosen:
                    out.append(f"[{cell[1:-1]}]", style="bold reverse")
                elif marker:
                    out.append(cell, style="underline")
                else:
                    out.append(cell, style="dim" if value == 1 else "")
            out.append("\n")
        out.append("\n")
        score = self.score
        out.append("Score ", style="bold")
        out.append(sac.describe(score), style="bold reverse" if score == 3 else "bold")
        out.append("\n")
        notes = []
        if close_call:
            notes.append("Close call: scored on the potential severity (P); actual severity (A).")
        if scored:
            notes.append(f"{Severity(scored).label}: {SEVERITY_MEANING[Severity(scored)]}.")
        if self.probability:
            prob = Probability(self.probability)
            notes.append(f"{prob.label}: {PROBABILITY_MEANING[prob]}.")
        for note in notes:
            out.append(textwrap.fill(note, WIDTH, subsequent_indent="  ") + "\n")
        out.rstrip()
        return out

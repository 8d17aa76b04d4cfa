"""The SAC risk matrix, drawn with the deciding cell highlighted.

The scores and their meaning update as the pickers change. Both severities are marked on the
probability's row (A actual, P potential) and both scores are listed under the matrix, with the
one that decides (models.rules.sac.assess), so the reader sees why the score is what it is.
Marks are letters and brackets, so they read without colour.
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

    report_type: reactive[str | None] = reactive(None, layout=True)
    severity_actual: reactive[str | None] = reactive(None, layout=True)
    severity_potential: reactive[str | None] = reactive(None, layout=True)
    probability: reactive[str | None] = reactive(None, layout=True)

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
    def assessment(self) -> sac.Assessment:
        return sac.assess(
            self.report_type, self.severity_actual, self.severity_potential, self.probability
        )

    @property
    def score(self) -> int | None:
        return self.assessment.score

    def render(self) -> Text:
        result = self.assessment
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
                marker = self._marker(sev) if prob == self.probability else ""
                cell = f"{value}{marker}".center(CELL)
                if marker and sev == result.severity:
                    out.append(f"[{cell[1:-1]}]", style="bold reverse")
                elif marker:
                    out.append(cell, style="underline")
                else:
                    out.append(cell, style="dim" if value == 1 else "")
            out.append("\n")
        out.append("\n")
        for name, mark, severity, score in (
            ("Actual", "A", self.severity_actual, result.actual),
            ("Potential", "P", self.severity_potential, result.potential),
        ):
            deciding = result.decided_by in (name.lower(), "both")
            out.append(f"{name} ({mark})".ljust(14), style="bold" if deciding else "")
            out.append("-" if score is None else str(score), style="bold" if deciding else "")
            out.append(f"  {Severity(severity).label if severity else 'not set'}")
            if deciding:
                out.append("  decides", style="bold")
            out.append("\n")
        score = result.score
        out.append("Score ", style="bold")
        out.append(sac.describe(score), style="bold reverse" if score == 3 else "bold")
        out.append("\n")
        notes = [self._why(result)]
        shown = result.severity or self.severity_actual or self.severity_potential
        if shown:
            notes.append(f"{Severity(shown).label}: {SEVERITY_MEANING[Severity(shown)]}.")
        if self.probability:
            prob = Probability(self.probability)
            notes.append(f"{prob.label}: {PROBABILITY_MEANING[prob]}.")
        for note in filter(None, notes):
            out.append(textwrap.fill(note, WIDTH, subsequent_indent="  ") + "\n")
        out.rstrip()
        return out

    def _marker(self, severity: Severity) -> str:
        """Which of the two severities sit in this column: "A", "P", "AP" or ""."""
        return ("A" if severity == self.severity_actual else "") + (
            "P" if severity == self.severity_potential else ""
        )

    @staticmethod
    def _why(result: sac.Assessment) -> str:
        """One sentence on which score decided, and why."""
        if result.close_call:
            if result.decided_by == "actual":
                return "Close call: no potential severity yet, so the actual one is scored."
            return "Close call: scored on the potential severity (worst credible outcome)."
        if result.decided_by:
            return "The higher score counts (RCA2)."
        return ""

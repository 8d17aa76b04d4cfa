"""R-NO-CODE: a root cause without a cause code cannot be counted across investigations.

A warning, not an error: coding is how the program learns (trends, similar investigations,
recurrence), but an investigation can be approved without it.
"""

from __future__ import annotations

from models.domain import Dossier, Finding
from models.vocab import CauseKind


def code_findings(dossier: Dossier) -> list[Finding]:
    out = []
    for cause in dossier.causes:
        if cause.kind == CauseKind.ROOT and not dossier.cause_codes.get(cause.id):
            text = " ".join(cause.text.split())
            text = text if len(text) <= 50 else text[:49] + "…"
            out.append(
                Finding(
                    "R-NO-CODE",
                    "warning",
                    cause.id,
                    f"Root cause '{text}' has no cause code: give it one (the cause dialog, "
                    "Codes) so it is counted with the same cause in other investigations",
                )
            )
    return out

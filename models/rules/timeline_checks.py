"""Timeline checks: entries out of time order, missing times, and long unexplained gaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from models.domain import Finding, TimelineEntry
from models.rules.deadlines import describe_duration

#: A gap longer than this between two entries is worth a look (what happened in between?).
GAP = dt.timedelta(hours=4)


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def timeline_findings(entries: Sequence[TimelineEntry], gap: dt.timedelta = GAP) -> list[Finding]:
    out: list[Finding] = []
    previous: TimelineEntry | None = None
    for entry in entries:
        if entry.at is None:
            out.append(
                Finding(
                    "TL-NO-TIME", "warning", entry.id, f"'{_short(entry.happened)}' has no time"
                )
            )
            continue
        if previous is not None and previous.at is not None:
            if entry.at < previous.at:
                out.append(
                    Finding(
                        "TL-ORDER",
                        "warning",
                        entry.id,
                        f"'{_short(entry.happened)}' is listed after an entry with a later "
                        "time: move it, or correct the time",
                    )
                )
            elif entry.at - previous.at > gap:
                gap_text = describe_duration(entry.at - previous.at)
                out.append(
                    Finding(
                        "TL-GAP",
                        "warning",
                        entry.id,
                        f"{gap_text} pass before '{_short(entry.happened)}' with nothing recorded",
                    )
                )
        previous = entry
    return out

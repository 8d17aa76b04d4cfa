"""A generated set of investigations with known counts, for the trends, learning screen, board
pack and similarity tests: every attribute follows from the index, so the expected counts are
computed here in Python, independently of the SQL that the tests check."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

EVENT_TYPES = ("fall", "medication", "surgery")
HARMS = ("none", "mild", "severe", "death")
UNITS = ("4 West", "ICU", "")
SEVERITIES = ("minor", "moderate", "major", "catastrophic")
#: Planted in every free-text field: the board pack must never contain it.
SECRET = "ZQX-PLANTED"


@dataclass
class Planned:
    index: int
    title: str
    event_type: str
    harm: str
    unit: str
    occurred_at: dt.datetime
    severity: str
    sentinel: bool
    #: one list of codes per root cause
    roots: list[list[str]] = field(default_factory=list)


def plan(n: int = 24) -> list[Planned]:
    out = []
    for i in range(n):
        roots = [["TJC-MED.LASA"] if i % 3 == 0 else ["LP-TASK"]]
        if i % 4 == 0:
            roots.append(["TJC-MED.LASA", "TJC-COMM"])
        if i % 7 == 0:
            roots.append([])  # a root cause without a code
        out.append(
            Planned(
                index=i,
                title=f"Event {i} {SECRET}-title",
                event_type=EVENT_TYPES[i % 3],
                harm=HARMS[i % 4],
                unit=UNITS[i % 3] if i % 5 else "ICU",
                occurred_at=dt.datetime(2025 + (i % 2), 1 + (i * 5) % 12, 1 + i, 8, 30),
                severity=SEVERITIES[i % 4],
                sentinel=i % 6 == 0,
                roots=roots,
            )
        )
    return out


def create(service, planned: list[Planned]) -> dict[int, int]:
    """Make the investigations; index -> investigation id."""
    ids = {}
    for p in planned:
        inv = service.create_investigation(
            p.title,
            description=f"Description {SECRET}-desc",
            event_type=p.event_type,
            harm=p.harm,
            unit=p.unit,
            occurred_at=p.occurred_at,
            severity_actual=p.severity,
            probability="occasional",
            sentinel=p.sentinel,
            patient_name=f"{SECRET}-patient",
            patient_mrn="MRN-ZQX-0001",
        )
        ev = service.add_cause(inv.id, f"Event {SECRET}-cause", kind="event")
        for j, codes in enumerate(p.roots):
            service.add_cause(
                inv.id, f"Root {j} of {p.index} {SECRET}", kind="root", effect_id=ev.id, codes=codes
            )
        ids[p.index] = inv.id
    return ids


def expected(planned: list[Planned], by: str, sac_of: dict[int, int | None]) -> dict:
    """key -> investigations (and for codes, key -> (investigations, causes))."""
    if by == "code":
        invs: Counter = Counter()
        causes: Counter = Counter()
        for p in planned:
            seen = set()
            for codes in p.roots:
                for c in codes:
                    causes[c] += 1
                    seen.add(c)
            invs.update(seen)
        return {k: (invs[k], causes[k]) for k in invs}
    if by == "month":
        return Counter(f"{p.occurred_at:%Y-%m}" for p in planned)
    if by == "quarter":
        return Counter(
            f"{p.occurred_at.year}-Q{(p.occurred_at.month - 1) // 3 + 1}" for p in planned
        )
    if by == "year":
        return Counter(f"{p.occurred_at.year}" for p in planned)
    if by == "sac":
        return Counter(sac_of[p.index] for p in planned)
    attr = {"event_type": "event_type", "harm": "harm", "unit": "unit", "sentinel": "sentinel"}
    return Counter(getattr(p, attr[by]) for p in planned)

"""Sentinel events (The Joint Commission): which events look like one, and the warning if unmarked.

A sentinel event reaches the patient and results in death, permanent harm or severe temporary
harm (The Joint Commission); its analysis and action plan are due within 45 business days. The app
reads the harm from two classifications: the harm scale (death, severe harm) and the NCC MERP
category (G permanent harm, H intervention to sustain life, I death). The event reached the
patient when it is an incident, or when its report type is not known yet.

`suggests_sentinel` is the one definition: the intake form ticks its checkbox with it until the
user sets the box by hand, the service uses it as the default when an investigation is created
or imported without an answer, and `sentinel_findings` warns (I-SENTINEL, never blocking) when
such an event is not marked sentinel, so a missed 45-day clock shows in the overview and in
`rca check`.
"""

from __future__ import annotations

from models.domain import Finding, Investigation
from models.vocab import Harm, NccMerp, ReportType

#: Report types of an event that reached the patient (None: not said yet).
REACHED: tuple[str | None, ...] = (None, ReportType.INCIDENT)
#: Harm-scale values that make an event that reached the patient a sentinel event.
SENTINEL_HARM = (Harm.DEATH, Harm.SEVERE)
#: NCC MERP categories that do the same (permanent harm, life-sustaining intervention, death).
SENTINEL_NCC_MERP = (NccMerp.G, NccMerp.H, NccMerp.I)


def _reasons(report_type: str | None, harm: str | None, ncc_merp: str | None) -> list[str]:
    """What makes the event look sentinel, in words ("death", "NCC MERP I: ..."), or []."""
    if (report_type or None) not in REACHED:
        return []
    out = []
    if harm in SENTINEL_HARM:
        out.append(Harm(harm).label.lower())
    if ncc_merp in SENTINEL_NCC_MERP:
        out.append(f"NCC MERP {NccMerp(ncc_merp).label}")
    return out


def suggests_sentinel(report_type: str | None, harm: str | None, ncc_merp: str | None) -> bool:
    """True when the harm that reached the patient makes this a sentinel event."""
    return bool(_reasons(report_type, harm, ncc_merp))


def sentinel_findings(inv: Investigation) -> list[Finding]:
    """I-SENTINEL: a death or severe/permanent harm that reached the patient, not marked."""
    reasons = _reasons(inv.report_type, inv.harm, inv.ncc_merp)
    if inv.sentinel or not reasons:
        return []
    return [
        Finding(
            "I-SENTINEL",
            "warning",
            None,
            f"Harm that reached the patient ({' and '.join(reasons)}) makes this a sentinel "
            "event, but it is not marked sentinel: its analysis and action plan are due within "
            "45 business days. Tick 'Sentinel event' in the intake (e) if it is one",
        )
    ]

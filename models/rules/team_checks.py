"""Team charter checks (RCA2): warnings, never blocks.

A good RCA team has 4-6 members, a trained facilitator, someone who does not know the event,
and no one who was involved in it (those people are interviewed instead).
"""

from __future__ import annotations

from collections.abc import Sequence

from models.domain import Finding, TeamMember
from models.vocab import TeamRole

MIN_MEMBERS = 4
MAX_MEMBERS = 6


def team_findings(team: Sequence[TeamMember]) -> list[Finding]:
    out: list[Finding] = []
    n = len(team)
    if n < MIN_MEMBERS:
        out.append(
            Finding(
                "T-SIZE",
                "warning",
                None,
                f"The team has {n} member{'s' * (n != 1)}; "
                f"RCA2 suggests {MIN_MEMBERS} to {MAX_MEMBERS}",
            )
        )
    elif n > MAX_MEMBERS:
        out.append(
            Finding(
                "T-SIZE",
                "warning",
                None,
                f"The team has {n} members; RCA2 suggests "
                f"{MIN_MEMBERS} to {MAX_MEMBERS} (a large team is slow to schedule)",
            )
        )
    roles = {m.role for m in team}
    if TeamRole.FACILITATOR not in roles:
        out.append(Finding("T-NO-FACILITATOR", "warning", None, "No facilitator on the team"))
    if TeamRole.UNFAMILIAR not in roles:
        out.append(
            Finding(
                "T-NO-OUTSIDER",
                "warning",
                None,
                "No one unfamiliar with the event: add a member who brings a fresh view",
            )
        )
    for m in team:
        if m.involved:
            out.append(
                Finding(
                    "T-INVOLVED",
                    "warning",
                    m.id,
                    f"{m.name} was involved in the event: interview them rather than "
                    "making them a member",
                )
            )
    return out

"""Plain, immutable objects the service hands out.

They mirror the tables but hold no session and load nothing lazily, so a screen can keep one for
as long as it likes, a worker thread can pass one to the UI thread, and an export can read them
after the database is closed. To change something, pass the object's `id` and `version` back to
the service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from models.summary import InvestigationSummary, _Plain

__all__ = ["InvestigationSummary"]  # re-exported: its home is models.summary


def shown_as(login: str | None, name: str | None) -> str:
    """Who did something, as every screen and report says it: the login, with the name given
    beside it when it differs ("nurse2 (as Dr Rita Okoye)"). Without a login (records older
    than logins), the name alone."""
    if not login:
        return name or ""
    if name and name != login:
        return f"{login} (as {name})"
    return login


@dataclass(frozen=True, slots=True)
class Investigation(_Plain):
    id: int
    title: str
    description: str = ""
    occurred_at: dt.datetime | None = None
    discovered_at: dt.datetime | None = None
    decision_at: dt.datetime | None = None
    #: When the RCA team was chartered (the analysis started): judged against the start by.
    chartered_at: dt.datetime | None = None
    unit: str = ""
    reported_by: str = ""
    event_type: str | None = None
    report_type: str | None = None
    harm: str | None = None
    ncc_merp: str | None = None
    severity_actual: str | None = None
    severity_potential: str | None = None
    probability: str | None = None
    sac_score: int | None = None
    sentinel: bool = False
    blameworthy: bool = False
    blameworthy_note: str = ""
    status: str = "draft"
    patient_name: str = ""
    patient_mrn: str = ""
    patient_dob: dt.date | None = None
    created_by: str = ""
    created_at: dt.datetime | None = None
    updated_by: str = ""
    updated_at: dt.datetime | None = None
    version: int = 1


#: Fields of Investigation a person may set (the rest are derived or kept by the service).
INVESTIGATION_EDITABLE = (
    "title",
    "description",
    "occurred_at",
    "discovered_at",
    "decision_at",
    "chartered_at",
    "unit",
    "reported_by",
    "event_type",
    "report_type",
    "harm",
    "ncc_merp",
    "severity_actual",
    "severity_potential",
    "probability",
    "sentinel",
    "blameworthy",
    "blameworthy_note",
    "status",
    "patient_name",
    "patient_mrn",
    "patient_dob",
)


@dataclass(frozen=True, slots=True)
class TeamMember(_Plain):
    id: int
    investigation_id: int
    name: str
    role: str = "other"
    involved: bool = False
    position: int = 0
    version: int = 1


@dataclass(frozen=True, slots=True)
class ReportNote(_Plain):
    """A lesson learned, a strategy considered and not taken (`detail`: why not), or literature
    or evidence reviewed (`detail`: what it showed); `kind` is a `vocab.NoteKind` key."""

    id: int
    investigation_id: int
    kind: str
    text: str = ""
    detail: str = ""
    position: int = 0
    version: int = 1


@dataclass(frozen=True, slots=True)
class InvolvedPerson(_Plain):
    """Someone involved who is neither the patient nor on the team; the name is an identifier."""

    id: int
    investigation_id: int
    name: str
    involvement: str = ""
    position: int = 0
    version: int = 1


@dataclass(frozen=True, slots=True)
class TimelineEntry(_Plain):
    id: int
    investigation_id: int
    at: dt.datetime | None = None
    happened: str = ""
    should_have: str = ""
    source: str = ""
    position: int = 0
    version: int = 1


@dataclass(frozen=True, slots=True)
class Cause(_Plain):
    id: int
    investigation_id: int
    text: str
    category: str | None = None
    kind: str = "cause"
    evidence: str = ""
    statement: str = ""
    #: Why this root cause has no action (clears P-NO-ACTION).
    no_action_reason: str = ""
    #: Why this root cause has only weaker actions (clears P-WEAK-ONLY).
    weak_only_reason: str = ""
    version: int = 1


@dataclass(frozen=True, slots=True)
class Link(_Plain):
    id: int
    investigation_id: int
    cause_id: int
    effect_id: int


@dataclass(frozen=True, slots=True)
class Measure:
    """How the effect of an action will be measured (DOMAIN: measure of effectiveness)."""

    kind: str | None = None  # process / outcome
    what: str = ""
    how: str = ""
    sample: str = ""
    target: str = ""
    date: dt.date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.kind or self.what or self.how or self.sample or self.target or self.date)


@dataclass(frozen=True, slots=True)
class Action(_Plain):
    id: int
    investigation_id: int
    text: str
    addresses: tuple[int, ...] = ()
    strength: str | None = None
    hierarchy_category: str = ""
    owner: str = ""
    due: dt.date | None = None
    status: str = "open"
    measure: Measure = field(default_factory=Measure)
    concurrence: str | None = None
    concurrence_reason: str = ""
    #: The login that recorded the decision (`concurrence_name`: the name it gave).
    concurrence_by: str = ""
    concurrence_at: dt.datetime | None = None
    version: int = 1
    concurrence_name: str = ""
    #: An admin's reason for concurring although an author of the investigation.
    concurrence_override: str = ""
    #: A concurrence that came in an imported file (history, not a decision).
    imported_concurrence: str = ""
    #: Follow-up (models/service/followup.py): implementation dates, the effectiveness verdict
    #: (who, when, why), a reviewer's closure with its reason, and what a file brought.
    started_on: dt.date | None = None
    done_on: dt.date | None = None
    effectiveness: str | None = None
    effectiveness_by: str = ""
    effectiveness_name: str = ""
    effectiveness_at: dt.datetime | None = None
    effectiveness_note: str = ""
    closed_reason: str = ""
    closed_by: str = ""
    closed_at: dt.datetime | None = None
    imported_followup: str = ""

    @property
    def resolved(self) -> bool:
        """Verified effective, or closed by a reviewer with a reason: follow-up is over."""
        return self.effectiveness == "effective" or bool(self.closed_reason.strip())


@dataclass(frozen=True, slots=True)
class SignOff(_Plain):
    id: int
    investigation_id: int
    role: str
    #: The name given; `login` is who it was (None: signed before logins were recorded).
    name: str
    decision: str
    comment: str = ""
    at: dt.datetime | None = None
    login: str | None = None
    #: Came in an imported file: history, signed by nobody in this database.
    imported: bool = False
    #: Separation of duties set aside by an admin, and why.
    override_reason: str = ""
    #: The audit chain's head (sequence, hash) when it was signed.
    chain_seq: int | None = None
    chain_hash: str | None = None

    @property
    def signed_by(self) -> str:
        """Who signed, as every screen and report says it."""
        if self.imported:
            return f"{self.name} (imported, not signed here)"
        return shown_as(self.login, self.name)


@dataclass(frozen=True, slots=True)
class Feedback(_Plain):
    id: int
    investigation_id: int
    audience: str
    given_on: dt.date | None = None
    given_by: str = ""
    note: str = ""
    method: str = ""


@dataclass(frozen=True, slots=True)
class Measurement(_Plain):
    """One result of an action's measure: a value, or numerator over denominator."""

    id: int
    investigation_id: int
    action_id: int
    taken_on: dt.date
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""
    entered_by: str = ""
    entered_name: str = ""
    entered_at: dt.datetime | None = None
    imported: bool = False
    #: Corrected by the result with this id, and why (`Service.correct_measurement`).
    superseded_by: int | None = None
    superseded_reason: str = ""

    @property
    def superseded(self) -> bool:
        """Entered by mistake and corrected: kept as evidence, counted by no rule."""
        return self.superseded_by is not None or bool(self.superseded_reason)

    @property
    def result(self) -> float | None:
        """The value, or numerator/denominator as a percentage (None when neither is given)."""
        if self.numerator is not None and self.denominator:
            return 100.0 * self.numerator / self.denominator
        return self.value

    @property
    def shown(self) -> str:
        """The result as people write it: "92%  (46/50)" or "3"."""
        if self.numerator is not None and self.denominator:
            return f"{self.result:.0f}% ({self.numerator}/{self.denominator})"
        if self.value is None:
            return "no value"
        return f"{self.value:g}"


@dataclass(frozen=True, slots=True)
class TrackedAction:
    """One open action in the tracker of every investigation (`Service.tracker`)."""

    investigation_id: int
    investigation_title: str
    investigation_status: str
    action: Action
    measurements: tuple[Measurement, ...] = ()
    overdue: bool = False
    days_overdue: int | None = None
    next_measure_due: dt.date | None = None


@dataclass(frozen=True, slots=True)
class User(_Plain):
    """A user name with a role (investigator, reviewer or admin; see models/review.py)."""

    id: int
    name: str
    role: str
    created_by: str = ""
    created_at: dt.datetime | None = None
    version: int = 1


@dataclass(frozen=True, slots=True)
class AuditEntry(_Plain):
    id: int
    seq: int
    at: dt.datetime
    #: The login (on entries older than schema 0006: the name given).
    user: str
    investigation_id: int | None
    entity: str
    entity_id: int | None
    action: str
    field: str | None
    old: str | None
    new: str | None
    display_name: str | None = None

    @property
    def who(self) -> str:
        return shown_as(self.user, self.display_name)


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of `rca check`: a rule that an investigation does not yet meet."""

    code: str
    severity: str  # "error" or "warning"
    subject: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Dossier:
    """Everything about one investigation, read in one transaction (for exports and checks)."""

    investigation: Investigation
    team: tuple[TeamMember, ...]
    timeline: tuple[TimelineEntry, ...]
    causes: tuple[Cause, ...]
    links: tuple[Link, ...]
    actions: tuple[Action, ...]
    signoffs: tuple[SignOff, ...]
    feedback: tuple[Feedback, ...]
    #: The fishbone bones in order (the stored set or the default, then any other in use).
    categories: tuple[str, ...] = ()
    #: The audit chain's newest entry (sequence, hash) when this was read: printed in reports,
    #: so a report on paper can show later that entries were cut off the end of the trail.
    audit_head: tuple[int, str] | None = None
    #: Every measurement of every action, oldest first (follow-up; schema 0007).
    measurements: tuple[Measurement, ...] = ()
    #: Lessons learned, strategies not taken, literature reviewed, in the investigator's order.
    notes: tuple[ReportNote, ...] = ()
    #: Other people involved (names scrubbed from de-identified copies).
    people: tuple[InvolvedPerson, ...] = ()
    #: cause id -> the cause codes it carries (models/codes.py); causes without codes absent.
    cause_codes: dict[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CauseView:
    """One investigation's causal graph as one read transaction saw it: what the fishbone, five
    whys and graph screens draw. `graph` (a `models.graph.CauseGraph`) is the service's cached
    graph itself, lent to read: the service never changes it again (its next edit goes into a
    copy), so the causes, the links and the graph always agree. Never change it."""

    investigation: Investigation
    causes: tuple[Cause, ...]
    links: tuple[Link, ...]
    categories: tuple[str, ...]
    graph: Any

"""The SQLModel tables: what is stored, and nothing else.

Rows never leave the service: screens, exports and the command line get the plain objects of
`models.domain`. Enumerated values are stored as their string keys (see `models.vocab`) so that
adding a value is not a schema change. Every editable row has a `version` counter used for
optimistic locking: the service refuses a write made from a stale read (SQLAlchemy's
`version_id_col` also guards the UPDATE itself, which matters on PostgreSQL).

Columns holding patient identifiers carry `info={"phi": True}` so exports can find and remove them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from models.values import now as _now

# Named constraints: Alembic's batch mode on SQLite can only drop what has a name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

PHI = {"phi": True}


def _text(default: str = "", server_default: str | None = None, **info: object) -> Any:
    """A non-null free-text column (TEXT on every backend, no length limit).

    `server_default` is for columns added to an existing table: the rows already there get it.
    """
    kwargs: dict = {"info": info}
    if server_default is not None:
        kwargs["server_default"] = server_default
    return Field(default=default, sa_type=Text, nullable=False, sa_column_kwargs=kwargs)


def _version() -> Column:
    return Column("version", Integer, nullable=False, default=1)


_inv_version = _version()


class InvestigationRow(SQLModel, table=True):
    __tablename__ = "investigation"
    __mapper_args__ = {"version_id_col": _inv_version}

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_type=Text, nullable=False)
    description: str = _text()
    occurred_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    discovered_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    decision_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    #: When the RCA team was chartered (the analysis started); local time, schema 0011.
    chartered_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    unit: str = _text()
    reported_by: str = _text()
    event_type: str | None = None
    report_type: str | None = None
    harm: str | None = None
    ncc_merp: str | None = None
    severity_actual: str | None = None
    severity_potential: str | None = None
    probability: str | None = None
    sac_score: int | None = None
    sentinel: bool = Field(default=False, nullable=False)
    blameworthy: bool = Field(default=False, nullable=False)
    blameworthy_note: str = _text()
    status: str = Field(default="draft", nullable=False, index=True)
    patient_name: str = _text(phi=True)
    patient_mrn: str = _text(phi=True)
    patient_dob: dt.date | None = Field(default=None, sa_column_kwargs={"info": PHI})
    created_by: str = Field(default="", nullable=False)
    created_at: dt.datetime = Field(default_factory=_now, sa_type=DateTime, nullable=False)
    updated_by: str = Field(default="", nullable=False)
    updated_at: dt.datetime = Field(default_factory=_now, sa_type=DateTime, nullable=False)
    version: int = Field(default=1, sa_column=_inv_version)
    #: Bumped by every cause or link edit, so a service can tell its cached graph is stale.
    graph_rev: int = Field(default=0, nullable=False)


_member_version = _version()


class TeamMemberRow(SQLModel, table=True):
    __tablename__ = "team_member"
    __mapper_args__ = {"version_id_col": _member_version}

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_type=Text, nullable=False)
    role: str = Field(default="other", nullable=False)
    involved: bool = Field(default=False, nullable=False)
    position: int = Field(default=0, nullable=False)
    version: int = Field(default=1, sa_column=_member_version)


_entry_version = _version()


class TimelineEntryRow(SQLModel, table=True):
    __tablename__ = "timeline_entry"
    __mapper_args__ = {"version_id_col": _entry_version}

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    happened: str = _text()
    should_have: str = _text()
    source: str = _text()
    position: int = Field(default=0, nullable=False)
    version: int = Field(default=1, sa_column=_entry_version)


_note_version = _version()


class ReportNoteRow(SQLModel, table=True):
    """One entry of an RCA2 report section the other tables do not hold (`vocab.NoteKind`):
    a lesson learned (`text`), a risk-reduction strategy considered and not taken (`text`, and
    the reason in `detail`), or literature or evidence reviewed (the reference in `text`, what it
    showed in `detail`)."""

    __tablename__ = "report_note"
    __mapper_args__ = {"version_id_col": _note_version}

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    kind: str = Field(nullable=False)
    text: str = _text()
    detail: str = _text()
    position: int = Field(default=0, nullable=False)
    version: int = Field(default=1, sa_column=_note_version)


_person_version = _version()


class InvolvedPersonRow(SQLModel, table=True):
    """Someone involved in the event who is neither the patient nor on the team (the other
    patient of a wrong-patient event, a relative): the name is an identifier, scrubbed from
    de-identified copies like the patient's; `involvement` is their role, as typed."""

    __tablename__ = "involved_person"
    __mapper_args__ = {"version_id_col": _person_version}

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    name: str = _text(phi=True)
    involvement: str = _text()
    position: int = Field(default=0, nullable=False)
    version: int = Field(default=1, sa_column=_person_version)


_cause_version = _version()


class CauseRow(SQLModel, table=True):
    __tablename__ = "cause"
    __mapper_args__ = {"version_id_col": _cause_version}

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    text: str = Field(sa_type=Text, nullable=False)
    category: str | None = None
    kind: str = Field(default="cause", nullable=False)
    evidence: str = _text()
    statement: str = _text()
    #: Why a root cause has no action (clears P-NO-ACTION) or only weaker ones (P-WEAK-ONLY).
    no_action_reason: str = _text(server_default="")
    weak_only_reason: str = _text(server_default="")
    created_by: str = Field(default="", nullable=False)
    created_at: dt.datetime = Field(default_factory=_now, sa_type=DateTime, nullable=False)
    version: int = Field(default=1, sa_column=_cause_version)


class FishboneCategoryRow(SQLModel, table=True):
    """The fishbone bones of one investigation, in order (none stored: the default set)."""

    __tablename__ = "fishbone_category"
    __table_args__ = (UniqueConstraint("investigation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_type=Text, nullable=False)
    position: int = Field(default=0, nullable=False)


class CausalLinkRow(SQLModel, table=True):
    """A graph edge: `cause_id` contributed to `effect_id`."""

    __tablename__ = "causal_link"
    __table_args__ = (UniqueConstraint("cause_id", "effect_id"),)

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    cause_id: int = Field(foreign_key="cause.id", ondelete="CASCADE", index=True)
    effect_id: int = Field(foreign_key="cause.id", ondelete="CASCADE", index=True)


_action_version = _version()


class ActionRow(SQLModel, table=True):
    __tablename__ = "action"
    __mapper_args__ = {"version_id_col": _action_version}

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    text: str = Field(sa_type=Text, nullable=False)
    strength: str | None = None
    hierarchy_category: str = _text()
    owner: str = _text()
    due: dt.date | None = None
    status: str = Field(default="open", nullable=False)
    measure_kind: str | None = None
    measure_what: str = _text()
    measure_how: str = _text()
    measure_sample: str = _text()
    measure_target: str = _text()
    measure_date: dt.date | None = None
    concurrence: str | None = None
    concurrence_reason: str = _text()
    #: The login of who recorded the decision, and the name they gave (shown beside it).
    concurrence_by: str = Field(default="", nullable=False)
    concurrence_name: str = _text(server_default="")
    #: An admin's reason for concurring although an author (separation of duties set aside).
    concurrence_override: str = _text(server_default="")
    concurrence_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    #: A concurrence that came in an imported file: kept as history, never a live decision.
    imported_concurrence: str = _text(server_default="")
    #: Follow-up after approval (schema 0007): when the action was started and done.
    started_on: dt.date | None = None
    done_on: dt.date | None = None
    #: The effectiveness verdict (`vocab.Effectiveness`), by the owner or a reviewer (login,
    #: name given, when, why).
    effectiveness: str | None = None
    effectiveness_by: str = _text(server_default="")
    effectiveness_name: str = _text(server_default="")
    effectiveness_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    effectiveness_note: str = _text(server_default="")
    #: A reviewer closed the action without it being verified effective, and why.
    closed_reason: str = _text(server_default="")
    closed_by: str = _text(server_default="")
    closed_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    #: A verdict or closure that came in an imported file: history, never a live decision.
    imported_followup: str = _text(server_default="")
    version: int = Field(default=1, sa_column=_action_version)


class ActionCauseRow(SQLModel, table=True):
    """Which root causes an action addresses (many to many)."""

    __tablename__ = "action_cause"

    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE", primary_key=True)
    cause_id: int = Field(foreign_key="cause.id", ondelete="CASCADE", primary_key=True, index=True)


class CauseCodeRow(SQLModel, table=True):
    """A hospital's own cause code, or a retirement of a seed code (models/codes.py).

    Seed codes live in the data file; a row with `origin` "seed" only marks one retired. A code
    in use is never deleted, only retired.
    """

    __tablename__ = "cause_code"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=Text, nullable=False, unique=True)
    label: str = _text()
    definition: str = _text()
    parent: str | None = Field(default=None, sa_type=Text)
    origin: str = Field(default="hospital", nullable=False)
    retired: bool = Field(default=False, nullable=False)
    created_by: str = Field(default="", nullable=False)
    created_at: dt.datetime = Field(default_factory=_now, sa_type=DateTime, nullable=False)


class CauseCodeLinkRow(SQLModel, table=True):
    """Which codes a cause carries (many to many); the investigation is kept for counting."""

    __tablename__ = "cause_code_link"

    cause_id: int = Field(foreign_key="cause.id", ondelete="CASCADE", primary_key=True)
    code: str = Field(sa_type=Text, primary_key=True, index=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)


class SignOffRow(SQLModel, table=True):
    __tablename__ = "sign_off"

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    role: str = Field(default="", nullable=False)
    #: The name given (`--user`); `login` is who it was (None on rows older than schema 0006).
    name: str = Field(default="", nullable=False)
    login: str | None = Field(default=None, sa_type=Text)
    decision: str = Field(nullable=False)
    comment: str = _text()
    at: dt.datetime = Field(default_factory=_now, sa_type=DateTime, nullable=False)
    #: Came in an imported file: history only, signed by nobody in this database.
    imported: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": false()}
    )
    #: Separation of duties set aside by an admin: the reason, printed in the report.
    override_reason: str = _text(server_default="")
    #: The audit chain's head when this was signed: a record outside the chain's own rows.
    chain_seq: int | None = None
    chain_hash: str | None = Field(default=None, sa_type=Text)


class FeedbackRow(SQLModel, table=True):
    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    audience: str = Field(nullable=False)
    given_on: dt.date | None = None
    given_by: str = Field(default="", nullable=False)
    note: str = _text()
    #: How it was given (in person, by phone, by letter ...): schema 0007.
    method: str = _text(server_default="")


class MeasurementRow(SQLModel, table=True):
    """One result of an action's measure of effectiveness: a value, or a numerator over a
    denominator (compliance: 47 of 50 charts), on a date, entered by a login (schema 0007)."""

    __tablename__ = "measurement"

    id: int | None = Field(default=None, primary_key=True)
    investigation_id: int = Field(foreign_key="investigation.id", ondelete="CASCADE", index=True)
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE", index=True)
    taken_on: dt.date = Field(nullable=False)
    value: float | None = Field(default=None, sa_type=Float)
    numerator: int | None = None
    denominator: int | None = None
    note: str = _text()
    #: Who entered it (the login, and the name given), and when.
    entered_by: str = Field(default="", sa_type=Text, nullable=False)
    entered_name: str = _text()
    entered_at: dt.datetime = Field(default_factory=_now, sa_type=DateTime, nullable=False)
    #: Came in an imported file: entered by nobody in this database.
    imported: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": false()}
    )
    #: Entered by mistake and corrected (schema 0010): the correction's id and why. A result is
    #: evidence, so it is never edited in place; a superseded one is kept, shown as corrected.
    superseded_by: int | None = None
    superseded_reason: str = _text(server_default="")


_user_version = _version()


class AppUserRow(SQLModel, table=True):
    """A user name and its role (models/review.py). Names not listed are investigators."""

    __tablename__ = "app_user"
    __mapper_args__ = {"version_id_col": _user_version}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=Text, nullable=False, unique=True)
    role: str = Field(nullable=False)
    created_by: str = Field(default="", nullable=False)
    created_at: dt.datetime = Field(default_factory=_now, sa_type=DateTime, nullable=False)
    version: int = Field(default=1, sa_column=_user_version)


class AuditRow(SQLModel, table=True):
    """One change to one field (or one record created/deleted). Never updated, never deleted.

    `investigation_id` has no foreign key on purpose: the trail outlives what it describes.
    Entries form a hash chain (see `models.audit`).
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(nullable=False, unique=True)
    at: dt.datetime = Field(sa_type=DateTime, nullable=False)
    #: Who: the login (the operating-system account, or the PostgreSQL session's role). On rows
    #: older than schema 0006, the name the program was given.
    user: str = Field(nullable=False)
    #: The name given with --user or RCA_USER, shown beside the login (None on older rows).
    display_name: str | None = Field(default=None, sa_type=Text)
    investigation_id: int | None = Field(default=None, index=True)
    entity: str = Field(nullable=False)
    entity_id: int | None = None
    action: str = Field(nullable=False)
    field: str | None = None
    old: str | None = Field(default=None, sa_type=Text)
    new: str | None = Field(default=None, sa_type=Text)
    prev_hash: str = Field(nullable=False)
    hash: str = Field(nullable=False)


#: Tables that belong to one investigation, in an order safe for inserting.
CHILD_TABLES = (
    TeamMemberRow,
    TimelineEntryRow,
    FishboneCategoryRow,
    CauseRow,
    CausalLinkRow,
    ActionRow,
    ActionCauseRow,
    SignOffRow,
    FeedbackRow,
    MeasurementRow,
    ReportNoteRow,
    InvolvedPersonRow,
    CauseCodeLinkRow,
)

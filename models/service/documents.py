"""Whole investigations: the dossier (everything, from one read snapshot), the checks, the
audit trail and its verification, the interchange document (export and all-or-nothing import)
and backups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import starmap
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from models import audit as audit_chain
from models import values
from models.db import backup_to
from models.domain import (
    AuditEntry,
    Cause,
    Dossier,
    Feedback,
    Finding,
    Investigation,
    Link,
    SignOff,
    TeamMember,
    TimelineEntry,
)
from models.errors import ValidationError
from models.service import report_sections
from models.service.actions import action_from, flatten_action
from models.service.categories import categories_in
from models.service.codes import codes_in
from models.service.core import TRACKED, Transaction, UnitOfWork, row_id, table_of
from models.service.followup import measurements_in
from models.service.investigations import derive
from models.summary import _field_names
from models.tables import (
    ActionCauseRow,
    ActionRow,
    AuditRow,
    CausalLinkRow,
    CauseRow,
    FeedbackRow,
    FishboneCategoryRow,
    InvestigationRow,
    InvolvedPersonRow,
    MeasurementRow,
    ReportNoteRow,
    SignOffRow,
    TeamMemberRow,
    TimelineEntryRow,
)
from models.vocab import Concurrence, NoteKind, Status

if TYPE_CHECKING:
    pass


def dossier(uow: UnitOfWork, investigation_id: int) -> Dossier:
    """Everything about one investigation, read in one consistent snapshot."""
    with uow.read() as s:
        return dossier_in(uow, s, investigation_id)


def dossier_in(uow: UnitOfWork, s: Session, investigation_id: int) -> Dossier:
    inv = Investigation.from_row(uow.require_investigation(s, investigation_id))

    def rows(table: Any, *order: Any) -> list[Any]:
        return list(
            s.execute(
                select(table).where(table.investigation_id == investigation_id).order_by(*order)
            ).scalars()
        )

    def core_rows(table: Any, *order: Any) -> list[Any]:
        t = table.__table__
        return list(
            s.execute(
                select(t).where(t.c.investigation_id == investigation_id).order_by(*order)
            ).all()
        )

    team = tuple(
        TeamMember.from_row(r)
        for r in rows(TeamMemberRow, col(TeamMemberRow.position), col(TeamMemberRow.id))
    )
    timeline = tuple(
        TimelineEntry.from_row(r)
        for r in rows(TimelineEntryRow, col(TimelineEntryRow.position), col(TimelineEntryRow.id))
    )
    # Causes and links are the bulk of a large investigation (5,000 causes): read as plain rows
    # with SQLAlchemy Core, not as ORM objects, whose per-object bookkeeping took most of
    # reading the dossier (issue 16). The columns and their types are the ORM's own.
    c = table_of(CauseRow).c
    causes = tuple(
        starmap(
            Cause,
            s.execute(
                select(*(c[n] for n in _field_names(Cause)))
                .where(c.investigation_id == investigation_id)
                .order_by(c.id)
            ).all(),  # fetched at once: row by row took half of reading the dossier
        )
    )
    links = tuple(
        Link(r.id, r.investigation_id, r.cause_id, r.effect_id)
        for r in core_rows(CausalLinkRow, col(CausalLinkRow.id))
    )
    action_rows = rows(ActionRow, col(ActionRow.id))
    pairs = s.execute(
        select(col(ActionCauseRow.action_id), col(ActionCauseRow.cause_id))
        .join(ActionRow, col(ActionRow.id) == col(ActionCauseRow.action_id))
        .where(col(ActionRow.investigation_id) == investigation_id)
        .order_by(col(ActionCauseRow.cause_id))
    ).all()
    by_action: dict[int, list[int]] = {}
    for action_id, cause_id in pairs:
        by_action.setdefault(action_id, []).append(cause_id)
    actions = tuple(action_from(r, tuple(by_action.get(r.id, ()))) for r in action_rows)
    signoffs = tuple(SignOff.from_row(r) for r in rows(SignOffRow, col(SignOffRow.id)))
    feedback = tuple(Feedback.from_row(r) for r in rows(FeedbackRow, col(FeedbackRow.id)))
    categories = tuple(categories_in(s, investigation_id))
    head = s.execute(
        select(col(AuditRow.seq), col(AuditRow.hash)).order_by(col(AuditRow.seq).desc()).limit(1)
    )
    last = head.first()
    return Dossier(
        inv,
        team,
        timeline,
        causes,
        links,
        actions,
        signoffs,
        feedback,
        categories,
        (last[0], last[1]) if last else None,
        measurements=measurements_in(s, investigation_id),
        notes=tuple(report_sections.notes_in(s, investigation_id)),
        people=tuple(report_sections.people_in(s, investigation_id)),
        cause_codes=codes_in(s, investigation_id),
    )


def check(uow: UnitOfWork, investigation_id: int, today: dt.date | None = None) -> list[Finding]:
    """Every finding of every rule for one investigation (what `rca check` prints).

    `today` is the day dated checks (P-OVERDUE) judge against; default: the real date.
    """
    from models.rules.checks import check_findings
    from models.service.recurrence import recurrences

    found = dossier(uow, investigation_id)
    return check_findings(found, recurrences(uow, investigation_id), today)


def audit_entries(uow: UnitOfWork, investigation_id: int | None = None) -> list[AuditEntry]:
    with uow.read() as s:
        query = select(AuditRow).order_by(col(AuditRow.seq))
        if investigation_id is not None:
            query = query.where(col(AuditRow.investigation_id) == investigation_id)
        return [AuditEntry.from_row(r) for r in s.execute(query).scalars()]


def audit_check(uow: UnitOfWork, expect: Sequence[audit_chain.Anchor] = ()) -> Verification:
    """The whole trail checked: its hash chain; that it still reaches every head recorded
    outside its own rows (`expect`, e.g. from a printed report; the sign-offs; this user's
    checkpoint file); that its append-only triggers are in place; and that every record in the
    database says what the trail says (`integrity`). The first problem found, in words."""
    from models import checkpoint
    from models.service import integrity

    name = uow.db.target.name
    with uow.read() as s:
        rows = list(s.execute(select(AuditRow).order_by(col(AuditRow.seq))).scalars())
        anchors = list(expect)
        for so in s.execute(
            select(SignOffRow)
            .where(col(SignOffRow.chain_seq).is_not(None))
            .order_by(col(SignOffRow.id))
        ).scalars():
            anchors.append(
                audit_chain.Anchor(
                    so.chain_seq, so.chain_hash or "", f"the sign-off of {so.at:%Y-%m-%d %H:%M}"
                )
            )
        recorded = checkpoint.read(name)
        sources = [f"{len(anchors)} recorded head{'s' * (len(anchors) != 1)}"]
        if rows and rows[0].hash in recorded:
            seq, digest = recorded[rows[0].hash]
            anchors.append(
                audit_chain.Anchor(seq, digest, f"your checkpoint file ({checkpoint.path()})")
            )
            sources.append(f"your checkpoint (entry {seq})")
        problem = audit_chain.verify(rows, anchors)
        if problem is None and not rows and recorded:
            problem = audit_chain.ChainProblem(
                None, None, "every audit entry was removed: your checkpoint file recorded some"
            )
        if problem is None:
            gone = uow.db.audit_guards_missing(s.connection())
            if gone:
                problem = audit_chain.ChainProblem(
                    None,
                    None,
                    "the audit table's append-only triggers were removed or switched off "
                    f"({', '.join(gone)}): entries can be changed without a trace",
                )
        if problem is None:
            found = integrity.problems(s)
            if found:
                more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                problem = audit_chain.ChainProblem(None, None, found[0] + more)
    return Verification(problem, len(rows), tuple(sources), checkpoint.last_error)


def verify_audit(uow: UnitOfWork) -> audit_chain.ChainProblem | None:
    return audit_check(uow).problem


def export_document(uow: UnitOfWork, investigation_id: int) -> dict[str, Any]:
    from models.interchange import to_document

    return to_document(dossier(uow, investigation_id), exported_by=uow.user)


def import_document(uow: UnitOfWork, data: Any) -> Investigation:
    """Create a new investigation from an interchange document, all or nothing."""
    from models.interchange import parse_document

    doc = parse_document(data)
    with uow.write() as tx:
        inv = write_document(uow, tx, doc)
    return inv


def write_document(uow: UnitOfWork, tx: Transaction, doc: Any) -> Investigation:
    """Insert a validated document as a new investigation (inside the caller's transaction)."""
    from models.errors import ImportFormatError

    def norm(rules: dict, data: dict, path: str) -> dict:
        try:
            return values.normalise(rules, data)
        except ValidationError as exc:
            name, _, why = exc.message.partition(": ")
            raise ImportFormatError(f"{path}.{name.replace(' ', '_')}: {why}") from None

    fields = doc.investigation.model_dump()
    fields.pop("sac_score")
    if fields["sentinel"] is None:
        fields.pop("sentinel")
    # A file cannot bring authority with it: an investigation that was in review, approved or
    # closed where it came from arrives before review here, to be reviewed by people who see it.
    if fields.get("status") in AWAITING_REVIEW:
        fields["status"] = Status.ACTION_PLAN
    data = norm(values.INVESTIGATION, fields, "investigation")
    derive(data)
    inv = InvestigationRow(
        **data, created_by=tx.login, updated_by=tx.login, created_at=tx.at, updated_at=tx.at
    )
    tx.s.add(inv)
    tx.s.flush()
    iid = row_id(inv)
    tx.created(iid, "investigation", inv, action="import")

    def add(row: Any, entity: str, summary: str | None = None) -> Any:
        tx.s.add(row)
        tx.s.flush()
        tx.created(iid, entity, row, summary=summary, action="import")
        return row

    for position, m in enumerate(doc.team):
        member = norm(values.TEAM_MEMBER, m.model_dump(), f"team[{position}]")
        add(
            TeamMemberRow(investigation_id=iid, position=position, **member),
            "team_member",
            m.name,
        )
    for position, e in enumerate(doc.timeline):
        entry = norm(values.TIMELINE_ENTRY, e.model_dump(), f"timeline[{position}]")
        if not entry["happened"].strip():
            raise ImportFormatError(f"timeline[{position}].happened: is required")
        add(
            TimelineEntryRow(investigation_id=iid, position=position, **entry),
            "timeline_entry",
            e.happened,
        )
    if doc.categories:
        tx.s.add_all(
            FishboneCategoryRow(investigation_id=iid, name=name, position=i)
            for i, name in enumerate(doc.categories)
        )
    # Causes and links can be thousands: each kind in one multi-row insert (Core, not one ORM
    # object a row), then their audit entries, the same ones as for one at a time, in one more.
    cause_table = table_of(CauseRow)
    defaults = {name: TRACKED["cause"].default(name) for name in values.CAUSE}
    cause_values = [
        {
            **defaults,
            **norm(values.CAUSE, c.model_dump(exclude={"id", "codes"}), f"causes[{i}]"),
            "investigation_id": iid,
            "created_by": tx.login,
            "created_at": tx.at,
            "version": 1,
        }
        for i, c in enumerate(doc.causes)
    ]
    cause_ids = _insert_returning_ids(tx, cause_table, cause_values)
    ids: dict[str, int] = {}
    entries: list[dict[str, Any]] = []
    for c, row, cause_id in zip(doc.causes, cause_values, cause_ids, strict=True):
        ids[c.id] = cause_id
        entries += tx.created_entries(iid, "cause", cause_id, row, action="import")
    link_values = [
        {"investigation_id": iid, "cause_id": ids[lk.cause], "effect_id": ids[lk.effect]}
        for lk in doc.links
    ]
    link_ids = _insert_returning_ids(tx, table_of(CausalLinkRow), link_values)
    for row, link_id in zip(link_values, link_ids, strict=True):
        entries.append(
            tx.entry(
                iid,
                "causal_link",
                link_id,
                "import",
                None,
                None,
                f"{row['cause_id']}->{row['effect_id']}",
            )
        )
    tx.audit_all(entries)
    import_codes(tx, iid, doc.causes, cause_ids)
    for i, a in enumerate(doc.actions):
        fields = a.model_dump(
            exclude={"addresses", "measure", "concurrence", "concurrence_reason", *_FOLLOWUP}
        )
        # Concurrence in the file is history of another database, never a decision here.
        fields["imported_concurrence"] = a.imported_concurrence or _concurrence_text(a)
        if a.measure is not None:
            fields = flatten_action({**fields, "measure": a.measure.model_dump()})
        # So is a verdict or a closure; the dates the action was started and done are facts.
        followup = norm(
            values.FOLLOWUP,
            {
                "started_on": a.started_on,
                "done_on": a.done_on,
                "imported_followup": _followup_text(a),
            },
            f"actions[{i}]",
        )
        action = add(
            ActionRow(
                investigation_id=iid,
                **norm(values.ACTION, fields, f"actions[{i}]"),
                **followup,
            ),
            "action",
            a.text,
        )
        for j, m in enumerate(a.measurements):
            result = norm(
                values.MEASUREMENT,
                m.model_dump(exclude={"entered_by", "corrected"}),
                f"actions[{i}].measurements[{j}]",
            )
            add(
                MeasurementRow(
                    investigation_id=iid,
                    action_id=action.id,
                    entered_by=m.entered_by,
                    entered_at=tx.at,
                    imported=True,  # history: nobody entered it in this database
                    superseded_reason=m.corrected,
                    **result,
                ),
                "measurement",
                f"imported: {m.taken_on.isoformat()}",
            )
        for ref in dict.fromkeys(a.addresses):
            tx.s.add(ActionCauseRow(action_id=action.id, cause_id=ids[ref]))
            tx.audit(iid, "action", action.id, "update", "addresses", None, ids[ref])
    for i, so in enumerate(doc.signoffs):
        fields = so.model_dump(exclude={"at", "imported"})
        at = values.when("at", so.at) or tx.at
        signoff = SignOffRow(
            investigation_id=iid,
            at=at,
            imported=True,  # history only: nobody signed it in this database
            **norm(values.SIGN_OFF, fields, f"signoffs[{i}]"),
        )
        add(signoff, "sign_off", f"imported: {so.name}: {so.decision}")
    for i, n in enumerate(doc.notes):
        note = norm(values.REPORT_NOTE, n.model_dump(), f"notes[{i}]")
        if note["kind"] == NoteKind.STRATEGY and not note["detail"].strip():
            raise ImportFormatError(f"notes[{i}].detail: a strategy not taken needs its reason")
        add(ReportNoteRow(investigation_id=iid, position=i, **note), "report_note")
    for i, p in enumerate(doc.people):
        person = norm(values.INVOLVED_PERSON, p.model_dump(), f"people[{i}]")
        add(InvolvedPersonRow(investigation_id=iid, position=i, **person), "involved_person")
    for i, fb in enumerate(doc.feedback):
        add(
            FeedbackRow(
                investigation_id=iid,
                **norm(values.FEEDBACK, fb.model_dump(), f"feedback[{i}]"),
            ),
            "feedback",
            fb.audience,
        )
    tx.s.flush()
    return Investigation.from_row(inv)


def _insert_returning_ids(tx: Transaction, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement; their new ids, in the order of `rows`."""
    if not rows:
        return []
    tx.s.flush()  # what is pending first: the links refer to the causes
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(tx.s.execute(statement, rows).scalars())


def import_codes(
    tx: Transaction, iid: int, causes: Sequence[Any], cause_ids: Sequence[int]
) -> None:
    """The cause codes of an imported file: each must be known here (retired ones too: they
    are history); one unknown refuses the file, naming it, so a hospital can add it first."""
    from models.codes import join
    from models.errors import ImportFormatError
    from models.service.codes import catalogue_in
    from models.tables import CauseCodeLinkRow

    if not any(c.codes for c in causes):
        return
    known = {c.key for c in catalogue_in(tx.s)}
    for i, (c, cause_id) in enumerate(zip(causes, cause_ids, strict=True)):
        keys = sorted({k.strip().upper() for k in c.codes})
        for j, key in enumerate(keys):
            if key not in known:
                raise ImportFormatError(
                    f"causes[{i}].codes[{j}]: there is no cause code {key!r} in this database "
                    "(add it with `rca codes add`, then import again)"
                )
        tx.s.add_all(
            CauseCodeLinkRow(cause_id=cause_id, code=k, investigation_id=iid) for k in keys
        )
        if keys:
            tx.audit(iid, "cause", cause_id, "update", "codes", None, join(keys))
    tx.s.flush()


@dataclass(frozen=True)
class Verification:
    """What `rca audit verify` found: the first problem (None: intact), how many entries were
    checked, against which recorded heads, and why no checkpoint could be kept (if so)."""

    problem: audit_chain.ChainProblem | None
    entries: int
    anchors: tuple[str, ...]
    checkpoint_error: str | None = None


#: Statuses an imported investigation may not keep: it arrives in the action plan instead.
AWAITING_REVIEW = frozenset({Status.IN_REVIEW, Status.APPROVED, Status.CLOSED})


#: Follow-up fields of an action document that are not copied as they are on import.
_FOLLOWUP = frozenset(
    {
        "started_on",
        "done_on",
        "effectiveness",
        "effectiveness_by",
        "effectiveness_at",
        "effectiveness_note",
        "closed_reason",
        "closed_by",
        "closed_at",
        "imported_followup",
        "measurements",
    }
)


def _followup_text(action: Any) -> str:
    """A verdict or closure given in a file, as history: "effective (rita): note; closed by
    rita: reason"; what the file itself had imported comes first."""
    from models.vocab import Effectiveness

    parts = [action.imported_followup] if action.imported_followup else []
    if action.effectiveness:
        said = Effectiveness(action.effectiveness).label.lower()
        who = f" ({action.effectiveness_by})" if action.effectiveness_by else ""
        note = f": {action.effectiveness_note}" if action.effectiveness_note else ""
        parts.append(f"{said}{who}{note}")
    if action.closed_reason:
        parts.append(f"closed by {action.closed_by or 'a reviewer'}: {action.closed_reason}")
    return "; ".join(parts)


def _concurrence_text(action: Any) -> str:
    """A concurrence given in a file, as history: "concur" or "do not concur: reason"."""
    if action.concurrence is None:
        return ""
    said = Concurrence(action.concurrence).label.lower()
    return f"{said}: {action.concurrence_reason}" if action.concurrence_reason else said


def backup(uow: UnitOfWork, dest: str, *, force: bool = False) -> str:
    return str(backup_to(uow.db.target, dest, force=force))

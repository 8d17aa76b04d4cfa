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
from models.service import report_sections
from models.service.actions import action_from
from models.service.categories import categories_in
from models.service.codes import codes_in
from models.service.core import TRACKED, Transaction, UnitOfWork, row_id, table_of
from models.service.followup import measurements_in
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
    """Insert a validated document as a new investigation (inside the caller's transaction).
    What each part is stored as is `models.import_rows`, shared with the sqlite3 writer
    (`models.sqlite_import`), which writes the same rows and audit entries."""
    from models.import_rows import (
        action_fields,
        investigation_fields,
        norm,
        note_fields,
        timeline_fields,
    )

    data = investigation_fields(doc)
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
        entry = timeline_fields(e, position)
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
        fields, followup = action_fields(a, i)
        action = add(
            ActionRow(investigation_id=iid, **fields, **followup),
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
        note = note_fields(n, i)
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
    """The cause codes of an imported file (`import_rows.code_keys`: each must be known)."""
    from models.codes import join
    from models.import_rows import code_keys
    from models.service.codes import catalogue_in
    from models.tables import CauseCodeLinkRow

    if not any(c.codes for c in causes):
        return
    every = code_keys(causes, lambda: {c.key for c in catalogue_in(tx.s)})
    for keys, cause_id in zip(every, cause_ids, strict=True):
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


def backup(uow: UnitOfWork, dest: str, *, force: bool = False) -> str:
    return str(backup_to(uow.db.target, dest, force=force))

"""Recurrence across investigations (models/recurrence.py): the rows it matches on, read with
plain queries that run on SQLite and PostgreSQL.

When an action was completed: `completed_on` reads it from the audit trail (the first entry that
set the action's status to done, verified effective or not effective). It is the one place to
change when actions carry their own completion date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from models.recurrence import WINDOW_DAYS, Coded, Completed, Recurrence, match
from models.service.core import UnitOfWork, table_of
from models.service.trends import event_day
from models.tables import (
    ActionCauseRow,
    ActionRow,
    AuditRow,
    CauseCodeLinkRow,
    CauseRow,
    InvestigationRow,
)

#: Statuses of an action that has been carried out.
COMPLETED = ("done", "verified_effective", "not_effective")


def completed_on(s: Session, action_ids: Iterable[int] | None = None) -> dict[int, dt.date]:
    """action id -> the day it was completed: its `done_on` (recorded in the follow-up), else
    the day of the audit entry that first set a completed status (an action marked done before
    follow-up existed). Actions never completed are absent."""
    ids = None if action_ids is None else list(action_ids)
    a = table_of(ActionRow).c
    done = select(a.id, a.done_on).where(a.done_on.is_not(None))
    if ids is not None:
        done = done.where(a.id.in_(ids))
    out: dict[int, dt.date] = {aid: day for aid, day in s.execute(done).all()}
    au = table_of(AuditRow).c
    query = (
        select(au.entity_id, func.min(au.at))
        .where(au.entity == "action", au.field == "status", au.new.in_(COMPLETED))
        .group_by(au.entity_id)
    )
    if ids is not None:
        query = query.where(au.entity_id.in_(ids))
    for aid, at in s.execute(query).all():
        if aid is not None and aid not in out:
            out[aid] = at.date()
    return out


def _completed(
    s: Session, codes: Iterable[str] | None = None, investigation_id: int | None = None
) -> list[Completed]:
    """Completed actions addressing a coded root cause (only those the trail says were
    completed: without a completion date nothing can recur within a window)."""
    when = completed_on(s) if investigation_id is None else None
    if when is not None and not when:
        return []
    a = table_of(ActionRow).c
    ac = table_of(ActionCauseRow).c
    c = table_of(CauseRow).c
    lk = table_of(CauseCodeLinkRow).c
    rows = s.execute(
        select(a.id, a.investigation_id, lk.code, a.text)
        .select_from(
            table_of(ActionRow).join(table_of(ActionCauseRow), ac.action_id == a.id)
            .join(table_of(CauseRow), c.id == ac.cause_id)
            .join(table_of(CauseCodeLinkRow), lk.cause_id == c.id)
        )
        .where(
            a.status.in_(COMPLETED),
            c.kind == "root",
            *([lk.code.in_(sorted(set(codes)))] if codes is not None else []),
            *([a.investigation_id == investigation_id] if investigation_id is not None else []),
        )
    ).all()
    if when is None:
        when = completed_on(s, {r[0] for r in rows}) if rows else {}
    return [
        Completed(aid, iid, code, when[aid], text) for aid, iid, code, text in rows if aid in when
    ]


def _coded(
    s: Session, ids: Iterable[int] | None = None, codes: Iterable[str] | None = None
) -> list[Coded]:
    t = table_of(InvestigationRow).c
    c = table_of(CauseRow).c
    lk = table_of(CauseCodeLinkRow).c
    rows = s.execute(
        select(t.id, lk.code, t.event_type, t.unit, event_day())
        .select_from(
            table_of(CauseCodeLinkRow).join(table_of(CauseRow), c.id == lk.cause_id).join(
                table_of(InvestigationRow), t.id == lk.investigation_id
            )
        )
        .where(
            c.kind == "root",
            *([t.id.in_(sorted(set(ids)))] if ids is not None else []),
            *([lk.code.in_(sorted(set(codes)))] if codes is not None else []),
        )
        .distinct()
    ).all()
    return [Coded(i, code, et, unit or "", day.date()) for i, code, et, unit, day in rows]


def recurrences_in(s: Session, window_days: int = WINDOW_DAYS) -> list[Recurrence]:
    completed = _completed(s)
    if not completed:
        return []
    return match(completed, _coded(s), window_days)


def recurrences_of(s: Session, later_id: int, window_days: int = WINDOW_DAYS) -> list[Recurrence]:
    """The recurrences where `later_id` is the later investigation, reading only the rows that
    can match it (its root-cause codes), so that the overview and `rca check` stay fast."""
    mine = _coded(s, [later_id])
    if not mine:
        return []
    completed = _completed(s, {c.code for c in mine})
    if not completed:
        return []
    coded = mine + _coded(s, {d.investigation_id for d in completed} - {later_id})
    return [r for r in match(completed, coded, window_days) if r.later_id == later_id]


def recurrences_after(
    s: Session, earlier_id: int, window_days: int = WINDOW_DAYS
) -> list[Recurrence]:
    """The recurrences where `earlier_id` is the earlier investigation (its completed actions
    followed by recurrence), reading only the rows that can match it."""
    completed = _completed(s, investigation_id=earlier_id)
    if not completed:
        return []
    codes = {d.code for d in completed}
    coded = _coded(s, [earlier_id]) + [
        c for c in _coded(s, codes=codes) if c.investigation_id != earlier_id
    ]
    return [r for r in match(completed, coded, window_days) if r.earlier_id == earlier_id]


def recurrences(
    uow: UnitOfWork,
    investigation_id: int | None = None,
    window_days: int = WINDOW_DAYS,
    *,
    later_only: bool = False,
) -> list[Recurrence]:
    """Every recurrence, or those where `investigation_id` is the later or the earlier one
    (`later_only`: the later one)."""
    with uow.read() as s:
        if investigation_id is not None:
            later = recurrences_of(s, investigation_id, window_days)
            if later_only:
                return later
            return later + recurrences_after(s, investigation_id, window_days)
        found = recurrences_in(s, window_days)
    if investigation_id is None:
        return found
    return [r for r in found if investigation_id in (r.later_id, r.earlier_id)]


def recurred_actions_in(s: Session, window_days: int = WINDOW_DAYS) -> list[int]:
    """One investigation id per earlier action followed by a recurrence."""
    seen: dict[int, int] = {}
    for r in recurrences_in(s, window_days):
        seen.setdefault(r.action_id, r.earlier_id)
    return list(seen.values())

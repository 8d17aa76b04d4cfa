"""The learning screen's numbers, read in one snapshot as GROUP BYs (no backend's own functions,
so they run unchanged on SQLite and PostgreSQL); `models.learning` folds the aggregate rows.

At 10,000 investigations each query returns tens or hundreds of rows, never one per cause: the
approvals (one row per approved investigation, for its deadlines) are the largest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, extract, func, select

from models import learning as fold
from models.learning import LearningData
from models.service.core import UnitOfWork, table_of
from models.service.trends import counts_in, event_day, in_window
from models.tables import ActionCauseRow, ActionRow, CauseRow, InvestigationRow, SignOffRow


def learning(
    uow: UnitOfWork,
    *,
    period: str = "quarter",
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    policy: Any = None,
) -> LearningData:
    from models.rules.deadlines import default_policy
    from models.service.recurrence import recurred_actions_in

    policy = policy or default_policy()
    today = today or dt.date.today()
    inv = table_of(InvestigationRow)
    t = inv.c
    a = table_of(ActionRow).c
    with uow.read() as s:
        counts = {
            dim: counts_in(s, period if dim == "period" else dim, start, end)
            for dim in fold.SCREEN_DIMENSIONS
        }
        # root causes with an action, and whether any of their actions is strong
        c = table_of(CauseRow).c
        ac = table_of(ActionCauseRow).c
        strong = func.max(case((a.strength.in_(fold.STRONG), 1), else_=0))
        per_root = (
            select(c.id.label("cid"), c.investigation_id.label("iid"), strong.label("strong"))
            .select_from(
                table_of(CauseRow).join(table_of(ActionCauseRow), ac.cause_id == c.id).join(
                    table_of(ActionRow), a.id == ac.action_id
                )
            )
            .where(c.kind == "root")
            .group_by(c.id, c.investigation_id)
            .subquery()
        )
        day = event_day()
        year, month = extract("year", day), extract("month", day)
        weak = func.sum(case((per_root.c.strong == 0, 1), else_=0))
        roots = s.execute(
            in_window(
                select(year, month, t.unit, func.count(), weak)
                .select_from(per_root.join(inv, t.id == per_root.c.iid))
                .group_by(year, month, t.unit),
                start,
                end,
            )
        ).all()
        late = func.sum(case((a.due < today, 1), else_=0))
        actions = s.execute(
            in_window(
                select(a.strength, a.status, func.count(), late)
                .select_from(table_of(ActionRow).join(inv, t.id == a.investigation_id))
                .group_by(a.strength, a.status),
                start,
                end,
            )
        ).all()
        so = table_of(SignOffRow).c
        approved = s.execute(
            in_window(
                select(
                    t.id, t.occurred_at, t.discovered_at, t.decision_at, t.sentinel, func.min(so.at)
                )
                .select_from(table_of(SignOffRow).join(inv, t.id == so.investigation_id))
                .where(so.decision == "approved", so.imported.is_(False))
                .group_by(t.id, t.occurred_at, t.discovered_at, t.decision_at, t.sentinel),
                start,
                end,
            )
        ).all()
        total = s.execute(in_window(select(func.count()).select_from(inv), start, end)).scalar()
        recurred = recurred_actions_in(s)
        if start is not None or end is not None:
            window = {r[0] for r in s.execute(in_window(select(t.id), start, end))}
            recurred = [r for r in recurred if r in window]
    by_quarter, by_unit = fold.weak_only(roots)
    mix, open_n, overdue = fold.action_totals(actions)
    on_target, sentinel, days = fold.approvals(approved, policy.deadlines)
    return LearningData(
        total=int(total or 0),
        counts=counts,
        period=period,
        weak_only_by_quarter=by_quarter,
        weak_only_by_unit=by_unit,
        strength_mix=mix,
        approved_within_target=on_target,
        sentinel_within_45=sentinel,
        median_days_to_approval=days,
        open_actions=open_n,
        overdue_actions=overdue,
        recurring_codes=[r for r in counts["code"] if r.investigations >= 2],
        recurred_actions=len(recurred),
        recurred_ids=tuple(sorted(set(recurred))),
    )

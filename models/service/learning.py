"""The rows the learning screen counts, read in one snapshot with five plain queries (no
backend's own functions, so they run unchanged on SQLite and PostgreSQL); `models.learning`
counts them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from models.learning import InvRow, LearningData, build
from models.service.core import UnitOfWork
from models.service.trends import event_day, in_window, label
from models.tables import (
    ActionCauseRow,
    ActionRow,
    CauseCodeLinkRow,
    CauseRow,
    InvestigationRow,
    SignOffRow,
)


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
    from models.service.codes import catalogue_in

    policy = policy or default_policy()
    t = InvestigationRow.__table__.c
    with uow.read() as s:
        query = select(
            t.id,
            event_day(),
            t.unit,
            t.event_type,
            t.harm,
            t.sac_score,
            t.sentinel,
            t.status,
            t.occurred_at,
            t.discovered_at,
            t.decision_at,
        )
        invs = [InvRow(*r) for r in s.execute(in_window(query, start, end))]
        so = SignOffRow.__table__.c
        approvals = dict(
            s.execute(
                select(so.investigation_id, func.min(so.at))
                .where(so.decision == "approved", so.imported.is_(False))
                .group_by(so.investigation_id)
            ).all()
        )
        c = CauseRow.__table__.c
        ac = ActionCauseRow.__table__.c
        a = ActionRow.__table__.c
        roots = s.execute(
            select(c.id, c.investigation_id, a.strength)
            .select_from(
                CauseRow.__table__.join(ActionCauseRow.__table__, ac.cause_id == c.id).join(
                    ActionRow.__table__, a.id == ac.action_id
                )
            )
            .where(c.kind == "root")
        ).all()
        actions = s.execute(select(a.investigation_id, a.strength, a.status, a.due)).all()
        lk = CauseCodeLinkRow.__table__.c
        links = s.execute(select(lk.code, lk.investigation_id, lk.cause_id)).all()
        names = {code.key: code.label for code in catalogue_in(s)}
        from models.service.recurrence import recurred_actions_in

        recurred = recurred_actions_in(s)
    return build(
        invs,
        period=period,
        approvals=approvals,
        roots=roots,
        actions=actions,
        code_links=links,
        code_labels=names,
        deadlines=policy.deadlines_of,
        labeller=label,
        today=today or dt.date.today(),
        recurred=recurred,
    )

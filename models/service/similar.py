"""Similar past investigations (models/similarity.py): candidates read with plain queries that
run on SQLite and PostgreSQL, ranked in two rounds so that 10,000 investigations answer fast.

Round one keeps the `CODE_POOL` candidates sharing the most codes (their Jaccard index then
computed from their own number of codes) and the best `POOL` by title (one rapidfuzz call over
every title), and scores them on codes and title; round two reads the root causes of the best
`POOL` of those and scores them again on title and root causes together. Only approved or
closed investigations are candidates unless `include_all`.
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from models.service.core import UnitOfWork, row_id, table_of
from models.similarity import (
    MIN_SCORE,
    Similar,
    SimilarAction,
    combine,
    ranked,
    text_similarities,
)
from models.tables import ActionRow, CauseCodeLinkRow, CauseRow, InvestigationRow

FINISHED = ("approved", "closed")
POOL = 100
#: Candidates kept by their shared codes alone, before texts are compared.
CODE_POOL = 500


def similar(
    uow: UnitOfWork, investigation_id: int, *, include_all: bool = False, limit: int = 10
) -> list[Similar]:
    t = table_of(InvestigationRow).c
    lk = table_of(CauseCodeLinkRow).c
    with uow.read() as s:
        target = uow.require_investigation(s, investigation_id)
        mine = frozenset(
            s.execute(select(lk.code).where(lk.investigation_id == target.id).distinct()).scalars()
        )
        target_id = row_id(target)
        roots = _roots(s, [target_id]).get(target_id, [])
        my_text = " ".join([target.title, *roots])
        query = select(t.id, t.title, t.status).where(t.id != target.id)
        if not include_all:
            query = query.where(t.status.in_(FINISHED))
        candidates = {i: (title, status) for i, title, status in s.execute(query)}
        # Shared codes through the index on the code; the Jaccard index (which needs each
        # candidate's own number of codes) for the CODE_POOL sharing the most.
        jaccards: dict[int, float] = {}
        if mine:
            query = (
                select(lk.investigation_id, func.count(distinct(lk.code)))
                .select_from(table_of(CauseCodeLinkRow).join(table_of(InvestigationRow)))
                .where(lk.code.in_(sorted(mine)), lk.investigation_id != target.id)
                .group_by(lk.investigation_id)
            )
            if not include_all:
                query = query.where(t.status.in_(FINISHED))
            hits = sorted(s.execute(query).all(), key=lambda r: (-r[1], -r[0]))[:CODE_POOL]
            if hits:
                sizes = dict(
                    s.execute(
                        select(lk.investigation_id, func.count(distinct(lk.code)))
                        .where(lk.investigation_id.in_([i for i, _ in hits]))
                        .group_by(lk.investigation_id)
                    ).all()
                )
                jaccards = {i: n / (len(mine) + sizes.get(i, n) - n) for i, n in hits}

        def code_score(i: int) -> float:
            return jaccards.get(i, 0.0)

        titles = text_similarities(my_text, {i: v[0] for i, v in candidates.items()})
        by_title = ranked(titles.items(), POOL)
        pool = {i for i, _ in by_title} | set(jaccards)
        first = ranked(
            ((i, combine(code_score(i), titles.get(i, 0.0), has_codes=bool(mine))) for i in pool),
            POOL,
        )
        pool_roots = _roots(s, [i for i, _ in first])
        again = text_similarities(
            my_text,
            {i: " ".join([candidates[i][0], *pool_roots.get(i, [])]) for i, _ in first},
        )
        best = ranked(
            (
                (
                    i,
                    combine(
                        code_score(i),
                        max(titles.get(i, 0.0), again.get(i, 0.0)),
                        has_codes=bool(mine),
                    ),
                )
                for i, _ in first
            ),
            limit,
            MIN_SCORE,
        )
        actions = _actions(s, [i for i, _ in best])
        shared: dict[int, set[str]] = {}
        if mine and best:
            for inv_id, code in s.execute(
                select(lk.investigation_id, lk.code)
                .where(lk.investigation_id.in_([i for i, _ in best]), lk.code.in_(sorted(mine)))
                .distinct()
            ):
                shared.setdefault(inv_id, set()).add(code)
        return [
            Similar(
                i,
                candidates[i][0],
                min(1.0, score),
                candidates[i][1],
                tuple(sorted(shared.get(i, ()))),
                tuple(pool_roots.get(i, ())),
                tuple(actions.get(i, ())),
            )
            for i, score in best
        ]


def _roots(s, ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    c = table_of(CauseRow).c
    out: dict[int, list[str]] = {}
    for inv_id, text in s.execute(
        select(c.investigation_id, c.text)
        .where(c.investigation_id.in_(ids), c.kind == "root")
        .order_by(c.id)
    ):
        out.setdefault(inv_id, []).append(text)
    return out


def _actions(s, ids: list[int]) -> dict[int, list[SimilarAction]]:
    if not ids:
        return {}
    a = table_of(ActionRow).c
    out: dict[int, list[SimilarAction]] = {}
    for inv_id, text, strength, status in s.execute(
        select(a.investigation_id, a.text, a.strength, a.status)
        .where(a.investigation_id.in_(ids))
        .order_by(a.id)
    ):
        out.setdefault(inv_id, []).append(SimilarAction(text, strength, status))
    return out

"""Counts across investigations (`rca trends`, the board pack) as SQL GROUP BYs that run
unchanged on SQLite and PostgreSQL, and the drill-down to the investigations behind a count.

An investigation is dated by its event (`occurred_at`, else `discovered_at`, else when it was
entered); `start` and `end` are inclusive days. Periods are grouped with SQL `EXTRACT` (SQLite:
`strftime`), so no backend's own date functions are written here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import distinct, extract, func, select

from models import vocab
from models.domain import InvestigationSummary
from models.errors import ValidationError
from models.service.core import UnitOfWork, table_of
from models.tables import CauseCodeLinkRow, InvestigationRow
from models.trends import DIMENSIONS, PERIODS, TrendRow, period_key

_COLUMNS = {
    "event_type": "event_type",
    "harm": "harm",
    "unit": "unit",
    "sac": "sac_score",
    "sentinel": "sentinel",
}
_VOCAB: dict[str, Any] = {"event_type": vocab.EventType, "harm": vocab.Harm}


def event_day() -> Any:
    """The date an investigation is counted under (an SQL expression)."""
    t = table_of(InvestigationRow).c
    return func.coalesce(t.occurred_at, t.discovered_at, t.created_at)


def in_window(query: Any, start: dt.date | None, end: dt.date | None) -> Any:
    day = event_day()
    if start is not None:
        query = query.where(day >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        query = query.where(day < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    return query


def label(by: str, key: Any, code_labels: dict[str, str] | None = None) -> str:
    if key is None or key == "":
        return "(not set)"
    if by in _VOCAB:
        try:
            return _VOCAB[by](key).label
        except ValueError:
            return str(key)
    if by == "sac":
        return f"SAC {key}"
    if by == "sentinel":
        return "sentinel" if key else "not sentinel"
    if by == "code" and code_labels:
        return code_labels.get(key, str(key))
    return str(key)


def _sort_key(row: TrendRow) -> tuple:
    return (-row.investigations, row.key is None or row.key == "", str(row.key))


def counts(
    uow: UnitOfWork, by: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[TrendRow]:
    """One row per key: periods in order, other dimensions largest first."""
    with uow.read() as s:
        return counts_in(s, by, start, end)


def counts_in(s: Any, by: str, start: dt.date | None, end: dt.date | None) -> list[TrendRow]:
    """`counts` inside the caller's read (the learning screen reads all in one snapshot)."""
    if by not in DIMENSIONS:
        raise ValidationError(f"by: {by!r} is not one of {', '.join(DIMENSIONS)}")
    t = table_of(InvestigationRow).c
    if by == "code":
        from models.service.codes import catalogue_in

        names = {c.key: c.label for c in catalogue_in(s)}
        lk = table_of(CauseCodeLinkRow).c
        query = (
            select(
                lk.code,
                func.count(distinct(lk.investigation_id)),
                func.count(distinct(lk.cause_id)),
            )
            .select_from(table_of(CauseCodeLinkRow).join(table_of(InvestigationRow)))
            .group_by(lk.code)
        )
        rows = s.execute(in_window(query, start, end)).all()
        out = [TrendRow(k, label(by, k, names), n, c) for k, n, c in rows]
        return sorted(out, key=_sort_key)
    if by in PERIODS:
        day = event_day()
        year, month = extract("year", day), extract("month", day)
        query = select(year, month, func.count()).group_by(year, month)
        merged: dict[str, int] = {}
        for y, m, n in s.execute(in_window(query, start, end)).all():
            key = period_key(by, int(y), int(m))
            merged[key] = merged.get(key, 0) + n
        return [TrendRow(k, k, merged[k]) for k in sorted(merged)]
    col = t[_COLUMNS[by]]
    query = select(col, func.count()).group_by(col)
    rows = s.execute(in_window(query, start, end)).all()
    return sorted((TrendRow(k, label(by, k), n) for k, n in rows), key=_sort_key)


def behind(
    uow: UnitOfWork,
    by: str,
    key: Any,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[InvestigationSummary]:
    """The investigations counted under one key of `counts(by)`, in id order."""
    t = table_of(InvestigationRow).c
    cols = [t[f] for f in InvestigationSummary.__dataclass_fields__]
    query = select(*cols).order_by(t.id)
    if by == "code":
        lk = table_of(CauseCodeLinkRow).c
        query = query.where(
            t.id.in_(select(lk.investigation_id).where(lk.code == key).scalar_subquery())
        )
    elif by in PERIODS:
        day = event_day()
        y, _, rest = str(key).partition("-")
        query = query.where(extract("year", day) == int(y))
        if by == "month":
            query = query.where(extract("month", day) == int(rest))
        elif by == "quarter":
            q = int(rest.removeprefix("Q"))
            query = query.where(extract("month", day).between(3 * q - 2, 3 * q))
    elif by in _COLUMNS:
        col = t[_COLUMNS[by]]
        query = query.where(col.is_(None) if key is None else col == key)
    else:
        raise ValidationError(f"by: {by!r} is not one of {', '.join(DIMENSIONS)}")
    with uow.read() as s:
        return [InvestigationSummary(*r) for r in s.execute(in_window(query, start, end))]

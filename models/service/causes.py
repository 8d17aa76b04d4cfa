"""Causes and the links between them: one causal graph behind the fishbone and the five whys.

Every cause or link edit bumps the investigation's `graph_rev` in its transaction and, after the
commit, updates the cached `CauseGraph` (`UnitOfWork.graph_in`), so another process's edits are
seen (the revision moved) and a link that would close a circle is refused with the circle named.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import col

from models import review, values
from models.domain import (
    Cause,
    CauseView,
    Investigation,
    Link,
)
from models.errors import (
    ConflictError,
    CycleError,
    NotFoundError,
    ValidationError,
)
from models.service import codes as cause_codes
from models.service.categories import categories_in
from models.service.core import Transaction, UnitOfWork, load_graph_in, row_id, short, table_of
from models.service.driver import Prepared
from models.tables import (
    AuditRow,
    CausalLinkRow,
    CauseRow,
    InvestigationRow,
)

_c = table_of(CauseRow).c
_inv = table_of(InvestigationRow).c
_audit = table_of(AuditRow).c
#: A cause, its investigation's status and the audit chain's head, in one statement: an
#: edit's one read (under the write lock, so the head is the one this edit links to).
_CAUSE_AND_STATUS = Prepared(
    select(
        *(_c[f] for f in Cause.__dataclass_fields__),
        _inv.status,
        select(_audit.seq).order_by(_audit.seq.desc()).limit(1).scalar_subquery(),
        select(_audit.hash).order_by(_audit.seq.desc()).limit(1).scalar_subquery(),
    )
    .join_from(table_of(CauseRow), table_of(InvestigationRow), _c.investigation_id == _inv.id)
    .where(_c.id == bindparam("cid"))
)


@functools.cache
def _update_statement(names: tuple[str, ...]) -> Prepared:
    """UPDATE cause SET the fields named and version + 1 WHERE id and version are as read."""
    return Prepared(
        update(table_of(CauseRow))
        .where(_c.id == bindparam("cid"), _c.version == bindparam("seen"))
        .values({**{n: bindparam(n) for n in names}, "version": _c.version + 1})
    )


if TYPE_CHECKING:
    from sqlmodel import Session

    from models.graph import CauseGraph


def list_causes(uow: UnitOfWork, investigation_id: int) -> list[Cause]:
    t = table_of(CauseRow).c
    cols = [t[f] for f in Cause.__dataclass_fields__]
    with uow.read() as s:
        rows = s.execute(select(*cols).where(t.investigation_id == investigation_id).order_by(t.id))
        return [Cause(*r) for r in rows]


def get_cause(uow: UnitOfWork, cause_id: int) -> Cause:
    with uow.read() as s:
        return Cause.from_row(uow.get(s, CauseRow, cause_id, "cause"))


def list_links(uow: UnitOfWork, investigation_id: int) -> list[Link]:
    t = table_of(CausalLinkRow).c
    with uow.read() as s:
        rows = s.execute(
            select(t.id, t.investigation_id, t.cause_id, t.effect_id)
            .where(t.investigation_id == investigation_id)
            .order_by(t.id)
        )
        return [Link(*r) for r in rows]


def add_cause(
    uow: UnitOfWork,
    investigation_id: int,
    text: str,
    *,
    effect_id: int | None = None,
    **fields: Any,
) -> Cause:
    """Add a cause (optionally linked as a cause of `effect_id`, in the same transaction)."""
    codes = fields.pop("codes", None)
    data = values.normalise(
        values.CAUSE, {"text": text, "kind": fields.pop("kind", "cause"), **fields}
    )
    with uow.write() as tx:
        uow.writable(tx.s, investigation_id)
        graph = uow.graph_in(tx.s, investigation_id)
        if effect_id is not None and effect_id not in graph:
            raise NotFoundError(f"There is no cause with id {effect_id} in this investigation")
        row = CauseRow(
            investigation_id=investigation_id, created_by=tx.login, created_at=tx.at, **data
        )
        tx.s.add(row)
        tx.s.flush()
        tx.created(investigation_id, "cause", row)
        if codes:
            cause_codes.set_in(uow, tx, row, codes)
        if effect_id is not None:
            insert_link(uow, tx, investigation_id, row_id(row), effect_id)
        rev = uow.touch(tx, investigation_id, graph=True)
        cause = Cause.from_row(row)

        def sync() -> None:
            with uow.graph_lock:
                own = uow.own_graph(investigation_id, graph)
                own.add_node(cause.id, cause.kind, cause.category)
                if effect_id is not None:
                    own.add_edge(cause.id, effect_id)
                own.rev = rev

        tx.after_commit.append(sync)
    return cause


def update_cause(uow: UnitOfWork, cause_id: int, version: int | None, **changes: Any) -> Cause:
    """Change a cause's fields, one audit entry each; a stale `version` is a ConflictError.

    Core statements, not the ORM: a cause edit is the app's most frequent write, and the ORM's
    identity map, two `get()`s and the flush's unit of work were most of its cost (issue 16).
    The version check is the ORM's own (`UPDATE ... WHERE id AND version`, the version + 1),
    and the audit entries are the same links of the same chain. Codes go the ORM way.
    """
    codes = changes.pop("codes", None)
    data = values.normalise(values.CAUSE, changes)
    if codes is not None:
        return _update_cause_orm(uow, cause_id, version, codes, data)
    with uow.write(core=True) as tx:
        conn = tx.conn
        found = _CAUSE_AND_STATUS.first(conn, {"cid": cause_id})
        if found is None:
            raise NotFoundError(f"There is no cause with id {cause_id}")
        before = Cause(*found[:-3])
        tx.known_head(found[-2], found[-1])
        inv = before.investigation_id
        if review.is_frozen(found[-3]):
            uow.writable(tx.s, inv)  # raises, naming who approved it and when
        if version is not None and before.version != version:
            uow.stale(tx.s, "cause", cause_id, f"Cause '{short(before.text)}'")
        changed = {k: v for k, v in data.items() if getattr(before, k) != v}
        if not changed:
            return before
        done = _update_statement(tuple(changed)).execute(
            conn, {**changed, "cid": cause_id, "seen": before.version}
        )
        if done != 1:  # never while writers are serialised; the ORM checked it too
            raise ConflictError(
                "Someone else saved this record at the same moment; reload and try again"
            )
        tx.audit_all(
            [
                tx.entry(inv, "cause", cause_id, "update", k, getattr(before, k), v)
                for k, v in changed.items()
            ]
        )
        after = before.replace(**changed, version=before.version + 1)
        # The graph holds kind and category only: a text edit leaves other caches valid.
        if {"kind", "category"} & set(changed):
            _node_after_commit(uow, tx, inv, cause_id, after.kind, after.category)
        else:
            uow.touch(tx, inv)
        return after


def _node_after_commit(
    uow: UnitOfWork, tx: Any, inv: int, cause_id: int, kind: Any, category: Any
) -> None:
    """A kind or category edit: the cached graph's node is changed once the edit commits."""
    graph = uow.graph_in(tx.s, inv)
    rev = uow.touch(tx, inv, graph=True)

    def sync() -> None:
        with uow.graph_lock:
            own = uow.own_graph(inv, graph)
            own.update_node(cause_id, kind=kind, category=category)
            own.rev = rev

    tx.after_commit.append(sync)


def _update_cause_orm(
    uow: UnitOfWork, cause_id: int, version: int | None, codes: Any, data: dict[str, Any]
) -> Cause:
    """`update_cause` with its codes: through the ORM row that `cause_codes.set_in` takes."""
    with uow.write() as tx:
        row = uow.get(tx.s, CauseRow, cause_id, "cause")
        uow.writable(tx.s, row.investigation_id)
        uow.check_version(tx.s, row, version, f"Cause '{short(row.text)}'")
        changed = uow.apply(tx, row, data, row.investigation_id, "cause")
        before = cause_codes.codes_in(tx.s, row.investigation_id).get(row.id, ())
        if cause_codes.set_in(uow, tx, row, codes) != before:
            uow.touch(tx, row.investigation_id)
        if changed:
            tx.s.flush()
        if {"kind", "category"} & set(changed):
            _node_after_commit(uow, tx, row.investigation_id, cause_id, row.kind, row.category)
        elif changed:
            uow.touch(tx, row.investigation_id)
        return Cause.from_row(row)


def delete_cause(
    uow: UnitOfWork, cause_id: int, version: int | None = None
) -> tuple[Cause, list[tuple[int, int]]]:
    """Delete a cause and its links (each link removal is audited too).

    Returns the cause and its links as they were, so that undo can put them back. With a
    `version`, a cause changed since is a conflict (undo passes the one it left).
    """
    with uow.write() as tx:
        row = uow.get(tx.s, CauseRow, cause_id, "cause")
        uow.writable(tx.s, row.investigation_id)
        uow.check_version(tx.s, row, version, f"Cause '{short(row.text)}'")
        inv = row.investigation_id
        removed = Cause.from_row(row)
        graph = uow.graph_in(tx.s, inv)
        links = (
            tx.s.execute(
                select(CausalLinkRow).where(
                    (col(CausalLinkRow.cause_id) == cause_id)
                    | (col(CausalLinkRow.effect_id) == cause_id)
                )
            )
            .scalars()
            .all()
        )
        for link in links:
            tx.audit(
                inv,
                "causal_link",
                link.id,
                "delete",
                None,
                f"{link.cause_id}->{link.effect_id}",
                None,
            )
        tx.audit(inv, "cause", cause_id, "delete", None, row.text, None)
        tx.s.delete(row)
        tx.s.flush()
        rev = uow.touch(tx, inv, graph=True)

        def sync() -> None:
            with uow.graph_lock:
                own = uow.own_graph(inv, graph)
                own.remove_node(cause_id)
                own.rev = rev

        tx.after_commit.append(sync)
    return removed, [(link.cause_id, link.effect_id) for link in links]


def link(uow: UnitOfWork, cause_id: int, effect_id: int) -> Link:
    """Record that `cause_id` led to `effect_id`; a link closing a cycle is refused."""
    with uow.write() as tx:
        cause = uow.get(tx.s, CauseRow, cause_id, "cause")
        effect = uow.get(tx.s, CauseRow, effect_id, "cause")
        if cause.investigation_id != effect.investigation_id:
            raise ValidationError("Causes of two different investigations cannot be linked")
        inv = cause.investigation_id
        uow.writable(tx.s, inv)
        graph = uow.graph_in(tx.s, inv)
        link = insert_link(uow, tx, inv, cause_id, effect_id)
        rev = uow.touch(tx, inv, graph=True)

        def sync() -> None:
            with uow.graph_lock:
                own = uow.own_graph(inv, graph)
                own.add_edge(cause_id, effect_id)
                own.rev = rev

        tx.after_commit.append(sync)
        return link


def insert_link(uow: UnitOfWork, tx: Transaction, inv: int, cause_id: int, effect_id: int) -> Link:
    graph = uow.graphs[inv]
    if graph.has_edge(cause_id, effect_id):
        raise ValidationError("These two causes are already linked")
    cycle = graph.cycle_if_linked(cause_id, effect_id)
    if cycle is not None:
        texts = dict(
            tx.s.execute(
                select(col(CauseRow.id), col(CauseRow.text)).where(col(CauseRow.id).in_(cycle))
            ).all()
        )
        named = " -> ".join(f"'{short(texts.get(n, str(n)), 30)}'" for n in cycle)
        raise CycleError(f"That link would make a circle: {named}", cycle)
    row = CausalLinkRow(investigation_id=inv, cause_id=cause_id, effect_id=effect_id)
    tx.s.add(row)
    tx.s.flush()
    tx.audit(inv, "causal_link", row.id, "create", None, None, f"{cause_id}->{effect_id}")
    return Link(row_id(row), inv, cause_id, effect_id)


def unlink(uow: UnitOfWork, cause_id: int, effect_id: int) -> None:
    with uow.write() as tx:
        row = tx.s.execute(
            select(CausalLinkRow).where(
                col(CausalLinkRow.cause_id) == cause_id, col(CausalLinkRow.effect_id) == effect_id
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFoundError(f"Cause {cause_id} is not linked to {effect_id}")
        inv = row.investigation_id
        uow.writable(tx.s, inv)
        graph = uow.graph_in(tx.s, inv)
        tx.audit(inv, "causal_link", row.id, "delete", None, f"{cause_id}->{effect_id}", None)
        tx.s.delete(row)
        tx.s.flush()
        rev = uow.touch(tx, inv, graph=True)

        def sync() -> None:
            with uow.graph_lock:
                own = uow.own_graph(inv, graph)
                own.remove_edge(cause_id, effect_id)
                own.rev = rev

        tx.after_commit.append(sync)


def restore_cause(uow: UnitOfWork, cause: Cause, links: Sequence[tuple[int, int]] = ()) -> Cause:
    """Put back a deleted cause under its old id, with its links (used by undo).

    Its version goes on from the deleted one's, so a version read before the delete is
    stale, and an undo history can follow the cause through delete and restore.
    """
    data = values.normalise(
        values.CAUSE,
        {
            k: getattr(cause, k)
            for k in (
                "text",
                "category",
                "kind",
                "evidence",
                "statement",
                "no_action_reason",
                "weak_only_reason",
            )
        },
    )
    with uow.write() as tx:
        inv = cause.investigation_id
        uow.writable(tx.s, inv)
        if tx.s.get(CauseRow, cause.id) is not None:
            raise ConflictError("That cause exists already; nothing to restore")
        graph = uow.graph_in(tx.s, inv)
        result = Cause(cause.id, inv, **data, version=cause.version + 1)
        # A Core insert: the ORM would start the version again at 1.
        tx.s.execute(
            insert(table_of(CauseRow)).values(
                id=cause.id,
                investigation_id=inv,
                created_by=tx.login,
                created_at=tx.at,
                version=result.version,
                **data,
            )
        )
        tx.audit(inv, "cause", cause.id, "restore", None, None, result.text)
        restored: list[tuple[int, int]] = []
        for a, b in links:
            other = b if a == cause.id else a
            if other != cause.id and other not in graph:
                continue  # the other end is gone too; undo restores it separately
            tx.s.add(CausalLinkRow(investigation_id=inv, cause_id=a, effect_id=b))
            tx.s.flush()
            tx.audit(inv, "causal_link", None, "restore", None, None, f"{a}->{b}")
            restored.append((a, b))
        rev = uow.touch(tx, inv, graph=True)

        def sync() -> None:
            with uow.graph_lock:
                own = uow.own_graph(inv, graph)
                own.add_node(result.id, result.kind, result.category)
                for a, b in restored:
                    own.add_edge(a, b)
                own.rev = rev

        tx.after_commit.append(sync)
    return result


def load_graph(uow: UnitOfWork, investigation_id: int) -> CauseGraph:
    """Read the graph from the database, ignoring the cache (what a fresh start costs)."""
    with uow.read() as s:
        rev = s.execute(
            select(col(InvestigationRow.graph_rev)).where(
                col(InvestigationRow.id) == investigation_id
            )
        ).scalar_one_or_none()
        if rev is None:
            raise NotFoundError(f"There is no investigation with id {investigation_id}")
        return load_graph_in(s, investigation_id, rev)


def graph(uow: UnitOfWork, investigation_id: int) -> CauseGraph:
    """A private copy of the current graph, safe to keep and query on any thread."""
    with uow.read() as s:
        return _graph_copy(uow, s, investigation_id)


def _graph_copy(uow: UnitOfWork, s: Session, investigation_id: int) -> CauseGraph:
    graph = uow.graph_in(s, investigation_id)
    with uow.graph_lock:
        return graph.copy()


def _graph_lent(uow: UnitOfWork, s: Session, investigation_id: int) -> CauseGraph:
    """The cached graph itself, lent: the service changes only copies of it from now on."""
    return uow.lend_graph(uow.graph_in(s, investigation_id))


def _one(value: str | None) -> str | None:
    return sys.intern(value) if value else value


def _interned(row: Any) -> tuple[Any, ...]:
    """A cause's row with its category and kind (fields 3 and 4) as interned strings."""
    category, kind = row[3], row[4]
    return (*row[:3], _one(category), _one(kind), *row[5:])


def cause_view(uow: UnitOfWork, investigation_id: int) -> CauseView:
    """The investigation, its causes, links, bones and graph, from one read snapshot (a screen
    drawing the fishbone from several reads could show causes and links of two moments)."""
    c = table_of(CauseRow).c
    lk = table_of(CausalLinkRow).c
    with uow.read() as s:
        inv = Investigation.from_row(uow.require_investigation(s, investigation_id))
        causes = s.execute(
            select(*(c[f] for f in Cause.__dataclass_fields__))
            .where(c.investigation_id == investigation_id)
            .order_by(c.id)
        )
        links = s.execute(
            select(lk.id, lk.investigation_id, lk.cause_id, lk.effect_id)
            .where(lk.investigation_id == investigation_id)
            .order_by(lk.id)
        )
        return CauseView(
            inv,
            # One string of each kind and category (as the graph has), not one per cause.
            tuple(Cause(*_interned(r)) for r in causes),
            tuple(Link(*r) for r in links),
            tuple(categories_in(s, investigation_id)),
            _graph_lent(uow, s, investigation_id),
        )

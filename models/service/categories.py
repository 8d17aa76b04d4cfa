"""The fishbone's bones of one investigation: the stored set (or the default), renames that
move their causes, and the presets (DOMAIN: no single standard, London Protocol by default)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from models import values
from models.errors import ValidationError
from models.service.core import UnitOfWork
from models.tables import (
    CauseRow,
    FishboneCategoryRow,
)
from models.vocab import (
    EIGHT_M,
    LONDON_PROTOCOL,
)

if TYPE_CHECKING:
    pass

#: Category sets an investigation can start from (DOMAIN: no single standard).
CATEGORY_PRESETS = {"london": LONDON_PROTOCOL, "8m": EIGHT_M}


def categories(uow: UnitOfWork, investigation_id: int) -> list[str]:
    """The bones in order: the stored set (or the default), then any other category in use."""
    with uow.read() as s:
        uow.require_investigation(s, investigation_id)
        return categories_in(s, investigation_id)


def categories_in(s: Session, investigation_id: int) -> list[str]:
    stored = list(
        s.execute(
            select(col(FishboneCategoryRow.name))
            .where(col(FishboneCategoryRow.investigation_id) == investigation_id)
            .order_by(col(FishboneCategoryRow.position), col(FishboneCategoryRow.id))
        ).scalars()
    )
    names = stored or list(LONDON_PROTOCOL)
    used = s.execute(
        select(col(CauseRow.category))
        .where(
            col(CauseRow.investigation_id) == investigation_id, col(CauseRow.category).is_not(None)
        )
        .group_by(col(CauseRow.category))
        .order_by(func.min(col(CauseRow.id)))
    ).scalars()
    return names + [u for u in used if u not in names]


def set_categories(
    uow: UnitOfWork,
    investigation_id: int,
    names: Sequence[str],
    *,
    renames: dict[str, str] | None = None,
) -> list[str]:
    """Replace the bones (add, rename, reorder, remove) in one audited transaction.

    `renames` maps old names to new ones; causes on a renamed bone move with it. A bone that
    still has causes cannot be dropped: the error names it and how many causes it holds.
    """
    renames = dict(renames or {})
    clean = [values.title("category", n) for n in names]
    if len({n.casefold() for n in clean}) != len(clean):
        raise ValidationError("categories: each name may appear only once")
    if not clean:
        raise ValidationError("categories: keep at least one category")
    for old, new in renames.items():
        if new not in clean:
            raise ValidationError(f"categories: '{new}' (renamed from '{old}') is not in the list")
    with uow.write() as tx:
        uow.writable(tx.s, investigation_id)
        before = categories_in(tx.s, investigation_id)
        counts = dict(
            tx.s.execute(
                select(col(CauseRow.category), func.count())
                .where(col(CauseRow.investigation_id) == investigation_id)
                .group_by(col(CauseRow.category))
            ).all()
        )
        for name in before:
            if name not in clean and name not in renames and counts.get(name):
                n = counts[name]
                raise ValidationError(
                    f"Category '{name}' has {n} cause{'s' * (n != 1)}: move them to another "
                    "category, or rename the category instead of removing it"
                )
        for old, new in renames.items():
            if old == new:
                continue
            rows = tx.s.execute(
                select(CauseRow).where(
                    col(CauseRow.investigation_id) == investigation_id,
                    col(CauseRow.category) == old,
                )
            ).scalars()
            for row in rows:
                uow.apply(tx, row, {"category": new}, investigation_id, "cause")
        tx.s.execute(
            delete(FishboneCategoryRow).where(
                col(FishboneCategoryRow.investigation_id) == investigation_id
            )
        )
        tx.s.add_all(
            FishboneCategoryRow(investigation_id=investigation_id, name=n, position=i)
            for i, n in enumerate(clean)
        )
        tx.s.flush()
        if before != clean:
            tx.audit(
                investigation_id,
                "investigation",
                investigation_id,
                "update",
                "categories",
                " | ".join(before),
                " | ".join(clean),
            )
        uow.touch(tx, investigation_id, graph=bool(renames))
        tx.after_commit.append(lambda: uow.forget_graph(investigation_id))
        return categories_in(tx.s, investigation_id)


def use_category_preset(uow: UnitOfWork, investigation_id: int, preset: str) -> list[str]:
    """Switch to a preset set; bones that hold causes are kept at the end."""
    if preset not in CATEGORY_PRESETS:
        raise ValidationError(
            f"preset: {preset!r} is not one of {', '.join(sorted(CATEGORY_PRESETS))}"
        )
    names = list(CATEGORY_PRESETS[preset])
    with uow.read() as s:
        used = s.execute(
            select(col(CauseRow.category))
            .where(
                col(CauseRow.investigation_id) == investigation_id,
                col(CauseRow.category).is_not(None),
            )
            .distinct()
        ).scalars()
        names += [u for u in used if u not in names]
    return set_categories(uow, investigation_id, names)

"""The base of the service's plain objects, and the one the home list is made of.

Apart from `models.domain` so that start-up (the home screen, `rca list`) does not build the
hundred other dataclasses there (about 60 ms of every start, `python -X importtime`) before the
first frame; `models.domain` re-exports both, and everything else imports them from there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Self

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A record class's field names, worked out once (reading 5,000 causes asked 5,000 times)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


class _Plain:
    __slots__ = ()

    @classmethod
    def from_row(cls, row: Any, **extra: Any) -> Self:
        """Copy the matching attributes of a table row (or a Row mapping) into a new object."""
        # Every subclass is a dataclass; this mixin itself is not, which the stubs cannot know.
        names = _field_names(cls)
        if extra:
            names = tuple(n for n in names if n not in extra)
        return cls(**{n: getattr(row, n) for n in names}, **extra)

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]  # as above


@dataclass(frozen=True, slots=True)
class InvestigationSummary(_Plain):
    """One line of the investigation list (what `rca list` and the home table show)."""

    id: int
    title: str
    unit: str
    occurred_at: dt.datetime | None
    discovered_at: dt.datetime | None
    decision_at: dt.datetime | None
    event_type: str | None
    sac_score: int | None
    sentinel: bool
    status: str
    updated_at: dt.datetime | None

"""The learning part of the `Service` facade: cause codes, counts across investigations, the
learning screen's numbers, recurrence and similar investigations.

A mixin of `Service` (models/service/__init__.py), kept apart so that the facade stays one
screen of methods per aggregate; each method hands over to its aggregate module, imported on
first use like the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.codes import Code
    from models.domain import InvestigationSummary
    from models.learning import LearningData
    from models.recurrence import Recurrence
    from models.service.core import UnitOfWork
    from models.similarity import Similar
    from models.trends import TrendRow


class LearningCalls:
    """Methods of `Service` for learning across investigations."""

    @property
    def _uow(self) -> UnitOfWork:
        raise NotImplementedError  # the facade's (models/service/__init__.py) overrides it

    def list_codes(self) -> list[Code]:
        from models.service import codes

        return codes.list_codes(self._uow)

    def add_code(
        self, key: str, label: str, definition: str = "", parent: str | None = None
    ) -> Code:
        from models.service import codes

        return codes.add_code(self._uow, key, label, definition, parent)

    def retire_code(self, key: str, retired: bool = True) -> Code:
        from models.service import codes

        return codes.retire_code(self._uow, key, retired)

    def delete_code(self, key: str) -> None:
        from models.service import codes

        return codes.delete_code(self._uow, key)

    def cause_codes(self, investigation_id: int) -> dict[int, tuple[str, ...]]:
        from models.service import codes

        return codes.cause_codes(self._uow, investigation_id)

    def codes_of(self, cause_id: int) -> tuple[str, ...]:
        from models.service import codes

        return codes.codes_of(self._uow, cause_id)

    def set_cause_codes(self, cause_id: int, codes: Sequence[str]) -> tuple[str, ...]:
        from models.service import codes as codes_mod

        return codes_mod.set_cause_codes(self._uow, cause_id, codes)

    def trends(
        self, by: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[TrendRow]:
        from models.service import trends

        return trends.counts(self._uow, by, start, end)

    def trend_behind(
        self, by: str, key: Any, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[InvestigationSummary]:
        from models.service import trends

        return trends.behind(self._uow, by, key, start, end)

    def learning(
        self,
        *,
        period: str = "quarter",
        start: dt.date | None = None,
        end: dt.date | None = None,
        today: dt.date | None = None,
        policy: Any = None,
    ) -> LearningData:
        from models.service import learning

        return learning.learning(
            self._uow, period=period, start=start, end=end, today=today, policy=policy
        )

    def recurrences(
        self,
        investigation_id: int | None = None,
        window_days: int = 365,
        *,
        later_only: bool = False,
    ) -> list[Recurrence]:
        from models.service import recurrence

        return recurrence.recurrences(
            self._uow, investigation_id, window_days, later_only=later_only
        )

    def similar(
        self, investigation_id: int, *, include_all: bool = False, limit: int = 10
    ) -> list[Similar]:
        from models.service import similar

        return similar.similar(self._uow, investigation_id, include_all=include_all, limit=limit)

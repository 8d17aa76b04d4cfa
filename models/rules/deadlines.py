"""Deadlines of an investigation: computed from its dates and the settings, never typed.

- Start: within 72 hours of the decision that an RCA is needed (DOMAIN workflow step 3). Counted
  on the wall clock (72 hours, weekends included) in naive local time.
- RCA target: the decision date plus the hospital's target (default 45 calendar days). Until the
  decision is recorded, the target is counted from the date of discovery, else of the event, so
  that an undecided event still shows how much time is left; `Deadlines.rca_from` says which.
- Sentinel events (The Joint Commission): the analysis and action plan are due within 45
  *business* days "of the event or of becoming aware of it". We count from the date of becoming
  aware (`discovered_at`) when it is known, else from the event (`occurred_at`): an event found
  later cannot have been analysed before anyone knew of it, and the two are the same day for most
  events. A discovery recorded before the event is a data error that `dates.check_order` reports.

Business days skip Saturdays, Sundays, the public holidays of a country (and subdivision) from
the `holidays` package, including the days on which a holiday is observed, and the hospital's own
extra holidays. Without a country only weekends and the extra holidays are skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from models.errors import ValidationError

START_WITHIN = dt.timedelta(hours=72)
TARGET_DAYS = 45
SENTINEL_BUSINESS_DAYS = 45


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Which days are not business days: weekends, public and hospital holidays.

    Country and subdivision are checked and put into the `holidays` package's spelling when the
    calendar is made; an unknown one is a `ValidationError` naming the setting.
    """

    country: str | None = "US"
    subdivision: str | None = None
    extra_holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name, value in (("country", self.country), ("subdivision", self.subdivision)):
            if value is not None and not isinstance(value, str):
                raise ValidationError(f"holiday {name}: expected a code, got {value!r}")
        country, subdivision = _entity(self.country or None, self.subdivision or None)
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "subdivision", subdivision)
        object.__setattr__(self, "extra_holidays", _dates(self.extra_holidays))

    def holiday_name(self, day: dt.date) -> str | None:
        """The public holiday's name, 'hospital holiday', or None on an ordinary day."""
        if day in self.extra_holidays:
            return "hospital holiday"
        if self.country is None:
            return None
        return public_holidays(self.country, self.subdivision, day.year).get(day)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The deadlines of one investigation; a field is None when its inputs are missing.

    `due` is the earliest of `rca_due` and `sentinel_due` that applies. `rca_from` and
    `sentinel_from` name the date each was counted from: "decision", "discovered" or "occurred".
    """

    start_by: dt.datetime | None = None
    rca_due: dt.date | None = None
    sentinel_due: dt.date | None = None
    due: dt.date | None = None
    rca_from: str | None = None
    sentinel_from: str | None = None


def compute_deadlines(
    *,
    decision_at: dt.datetime | None,
    occurred_at: dt.datetime | None,
    discovered_at: dt.datetime | None,
    sentinel: bool,
    target_days: int = TARGET_DAYS,
    country: str | None = "US",
    subdivision: str | None = None,
    extra_holidays: Iterable[dt.date] = (),
) -> Deadlines:
    """All deadlines from the investigation's times and the settings (see the module docstring).

    Without `decision_at` there is no start deadline, and the RCA target is counted from
    `discovered_at`, else `occurred_at`. The holiday settings are checked even when the event is
    not sentinel, so that a wrong setting is reported at once rather than on the first sentinel.
    """
    if isinstance(target_days, bool) or not isinstance(target_days, int) or target_days < 1:
        raise ValidationError(
            f"RCA target days: {target_days!r} is not a whole number of days (1 or more)"
        )
    calendar = BusinessCalendar(country, subdivision, frozenset(_dates(extra_holidays)))

    start_by = None
    if decision_at is not None:
        start_by = _as_datetime(decision_at) + START_WITHIN

    rca_due, rca_from = None, None
    for name, value in (
        ("decision", decision_at),
        ("discovered", discovered_at),
        ("occurred", occurred_at),
    ):
        if value is not None:
            rca_due, rca_from = _as_date(value) + dt.timedelta(days=target_days), name
            break

    sentinel_due, sentinel_from = None, None
    if sentinel:
        for name, value in (("discovered", discovered_at), ("occurred", occurred_at)):
            if value is not None:
                start = _as_date(value)
                sentinel_due = add_business_days(start, SENTINEL_BUSINESS_DAYS, calendar)
                sentinel_from = name
                break

    applicable = [d for d in (rca_due, sentinel_due) if d is not None]
    return Deadlines(
        start_by=start_by,
        rca_due=rca_due,
        sentinel_due=sentinel_due,
        due=min(applicable) if applicable else None,
        rca_from=rca_from,
        sentinel_from=sentinel_from,
    )


def add_business_days(start: dt.date, n: int, calendar: BusinessCalendar) -> dt.date:
    """The n-th business day after `start` (before it when n is negative; `start` when n is 0).

    `start` itself is never counted, so one business day after a Friday is the Monday, and one
    after a Saturday is also the Monday.
    """
    day = _as_date(start)
    step = dt.timedelta(days=1 if n >= 0 else -1)
    left = abs(n)
    while left:
        day += step
        if calendar.is_business_day(day):
            left -= 1
    return day


def days_left(due: dt.date | None, today: dt.date) -> int | None:
    """Calendar days from today to the due date: 0 on the day, negative when overdue."""
    if due is None:
        return None
    return (_as_date(due) - _as_date(today)).days


def describe_days_left(n: int | None) -> str:
    """'12 days left', '1 day left', 'due today', '3 days overdue'; 'no due date' for None."""
    if n is None:
        return "no due date"
    if n == 0:
        return "due today"
    count = abs(n)
    unit = "day" if count == 1 else "days"
    return f"{count} {unit} left" if n > 0 else f"{count} {unit} overdue"


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[dt.date, str]:
    """The public holidays (and observed days) of one year, built once per country and year.

    Importing the `holidays` package loads every country (about 0.1 s), which start-up cannot
    afford, so each year's dates are also kept in a small cache file (see `_disk_cache`).
    """
    key = f"days|{country}|{subdivision or ''}|{year}"
    cached = _disk_cache().get(key)
    if cached is not None:
        return MappingProxyType({dt.date.fromisoformat(d): n for d, n in cached.items()})
    table = _holidays().country_holidays(country, subdiv=subdivision, years=year)
    days = {day: name for day, name in table.items() if day.year == year}
    _disk_cache().put(key, {d.isoformat(): n for d, n in days.items()})
    return MappingProxyType(days)


def _holidays():
    import holidays

    return holidays


class _DiskCache:
    """A JSON file of holiday look-ups, keyed by the `holidays` version; best effort only."""

    def __init__(self) -> None:
        import json
        import os
        from importlib.metadata import PackageNotFoundError, version

        from platformdirs import user_cache_path

        self._json = json
        folder = os.environ.get("RCA_CACHE")
        self.path = (os.path.join(folder, "holidays.json") if folder else None) or str(
            user_cache_path("rca-tui", appauthor=False) / "holidays.json"
        )
        try:
            self.version = version("holidays")
        except PackageNotFoundError:  # pragma: no cover
            self.version = "unknown"
        self.data: dict = {}
        try:
            with open(self.path, encoding="utf-8") as fh:
                loaded = json.load(fh)
            if isinstance(loaded, dict) and loaded.get("version") == self.version:
                self.data = loaded.get("entries", {})
        except (OSError, ValueError):
            pass

    def get(self, key: str):
        return self.data.get(key)

    def put(self, key: str, value) -> None:
        import os
        import tempfile

        self.data[key] = value
        try:
            folder = os.path.dirname(self.path)
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".holidays.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                self._json.dump({"version": self.version, "entries": self.data}, fh)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only home: the look-up is simply repeated next time


@lru_cache(maxsize=1)
def _disk_cache() -> _DiskCache:
    return _DiskCache()


# --- helpers -------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _entity(country: str | None, subdivision: str | None) -> tuple[str | None, str | None]:
    """Country and subdivision in the spelling of the `holidays` package, or a ValidationError."""
    if country is None:
        if subdivision is not None:
            raise ValidationError(
                f"holiday subdivision: '{subdivision}' needs a holiday country as well"
            )
        return None, None
    key = f"entity|{country.strip().upper()}|{(subdivision or '').strip().upper()}"
    cached = _disk_cache().get(key)
    if cached is not None:
        return cached[0], cached[1]
    result = _check_entity(country, subdivision)
    _disk_cache().put(key, list(result))
    return result


def _check_entity(country: str, subdivision: str | None) -> tuple[str | None, str | None]:
    holidays = _holidays()
    code = country.strip().upper()
    try:
        table = holidays.country_holidays(code)
    except (NotImplementedError, KeyError, ValueError):
        raise ValidationError(
            f"holiday country: '{country}' is not a country code the holiday calendar knows "
            "(use a 2-letter ISO code such as US, GB or DE)"
        ) from None
    code = table.country
    if subdivision is None:
        return code, None
    known = holidays.list_supported_countries().get(code, [])
    spelled = {s.upper(): s for s in known}.get(subdivision.strip().upper(), subdivision.strip())
    try:
        holidays.country_holidays(code, subdiv=spelled)
    except (NotImplementedError, KeyError, ValueError):
        examples = ", ".join(known[:5]) if known else "none: leave it empty"
        raise ValidationError(
            f"holiday subdivision: '{subdivision}' is not a subdivision of {code} "
            f"(known: {examples}{', ...' if len(known) > 5 else ''})"
        ) from None
    return code, spelled


def _dates(values: Iterable[dt.date]) -> frozenset[dt.date]:
    out = set()
    for value in values:
        if not isinstance(value, dt.date):
            raise ValidationError(f"extra holidays: {value!r} is not a date")
        out.add(_as_date(value))
    return frozenset(out)


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _as_datetime(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())

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

The target and the calendar together are a `DeadlinePolicy`, checked when it is made: the
settings build one when they are loaded, so a setting that cannot be used is refused at start
and never turns into deadlines that silently vanish.

The start is judged by when the RCA team was chartered (`chartered_at`, the analysis started):
`judge_start` says met, or not met and how late; without the charter it cannot be judged.

Deadlines stop counting when an investigation is approved or closed (`models.review.is_frozen`):
the screens and reports never call a finished investigation overdue.

Durations read as a person says them (`describe_duration`, used for every duration shown): hours
below two days, then days, weeks from two weeks, months from two months, years from two years.
A start's lateness is said in two units below two weeks (`describe_lateness`: "24 hours 50
minutes late"), since one unit rounded down would understate it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from models.errors import ValidationError

START_WITHIN = dt.timedelta(hours=72)
TARGET_DAYS = 45
SENTINEL_BUSINESS_DAYS = 45

#: How each deadline setting is named in messages.
_SETTING_NAMES = {
    "target_days": "RCA target days",
    "country": "holiday country",
    "subdivision": "holiday subdivision",
    "extra_holidays": "extra holidays",
}


class DeadlineSettingError(ValidationError):
    """A deadline setting that cannot be used. `setting` says which one (a field of
    `DeadlinePolicy` or `BusinessCalendar`), `reason` why and what is allowed, so that the
    settings file can name its own key."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{_SETTING_NAMES[setting]}: {reason}")
        self.setting = setting
        self.reason = reason


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Which days are not business days: weekends, public and hospital holidays.

    Country and subdivision are checked and put into the `holidays` package's spelling when the
    calendar is made; an unknown one is a `DeadlineSettingError` naming the setting.
    """

    country: str | None = "US"
    subdivision: str | None = None
    extra_holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name, value in (("country", self.country), ("subdivision", self.subdivision)):
            if value is not None and not isinstance(value, str):
                raise DeadlineSettingError(name, f"expected a code, got {value!r}")
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


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """How this hospital counts deadlines: the RCA target in days and the business calendar.

    Made once from the settings (`rca_tui.config.Settings.deadline_policy()`) and used by the
    screens, the command line and the reports; it is checked when it is made.
    """

    target_days: int = TARGET_DAYS
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)

    def __post_init__(self) -> None:
        days = self.target_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise DeadlineSettingError(
                "target_days", f"{days!r} is not a whole number of days (1 or more)"
            )

    def deadlines(
        self,
        *,
        decision_at: dt.datetime | None,
        occurred_at: dt.datetime | None,
        discovered_at: dt.datetime | None,
        sentinel: bool,
    ) -> Deadlines:
        """All deadlines from an investigation's times (see the module docstring).

        Without `decision_at` there is no start deadline, and the RCA target is counted from
        `discovered_at`, else `occurred_at`.
        """
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
                rca_due = _as_date(value) + dt.timedelta(days=self.target_days)
                rca_from = name
                break

        sentinel_due, sentinel_from = None, None
        if sentinel:
            for name, value in (("discovered", discovered_at), ("occurred", occurred_at)):
                if value is not None:
                    start = _as_date(value)
                    sentinel_due = add_business_days(start, SENTINEL_BUSINESS_DAYS, self.calendar)
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

    def deadlines_of(self, item: Any) -> Deadlines:
        """The deadlines of anything with `decision_at`, `occurred_at`, `discovered_at` and
        `sentinel` (an `Investigation`, a summary row, the intake form's values)."""
        return self.deadlines(
            decision_at=item.decision_at,
            occurred_at=item.occurred_at,
            discovered_at=item.discovered_at,
            sentinel=item.sentinel,
        )


@lru_cache(maxsize=1)
def default_policy() -> DeadlinePolicy:
    """The policy without any settings: 45 days, US holidays (what `Settings()` gives too)."""
    return DeadlinePolicy()


def judge_start(start_by: dt.datetime | None, chartered_at: dt.datetime | None) -> str | None:
    """Whether the RCA started in time: 'met' (chartered by `start_by`, to the minute) or 'not
    met, 5 hours late'; None when it cannot be judged (no decision, or no charter recorded)."""
    if start_by is None or chartered_at is None:
        return None
    late = _as_datetime(chartered_at) - _as_datetime(start_by)
    if late <= dt.timedelta(0):
        return "met"
    return f"not met, {describe_lateness(late)} late"


def describe_lateness(late: dt.timedelta) -> str:
    """How late, not rounded to one unit: a verdict must not make 24 h 50 min read as '24
    hours'. Below two days it is hours and minutes ('24 hours 50 minutes'), below two weeks days
    and hours ('3 days 4 hours'); from there on `describe_duration`'s one unit."""
    minutes = max(0, int(late.total_seconds()) // 60)
    if minutes < 60:
        return _say(minutes, "minute", "min", False)
    if minutes < 2 * 24 * 60:
        big, small = divmod(minutes, 60)
        units = ("hour", "minute")
    elif minutes < 14 * 24 * 60:
        big, small = divmod(minutes // 60, 24)
        units = ("day", "hour")
    else:
        return describe_duration(late)
    said = _say(big, units[0], "", False)
    return f"{said} {_say(small, units[1], '', False)}" if small else said


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


def describe_days_left(n: int | None, *, short: bool = False) -> str:
    """'12 days left', '1 day left', 'due today', '3 days overdue', '6 weeks overdue';
    'no due date' for None. `short` is for table cells: '12d left', '3d OVERDUE'."""
    if n is None:
        return "no due date" if not short else "-"
    if n == 0:
        return "due today"
    amount = describe_duration(abs(n), short=short)
    if n > 0:
        return f"{amount} left"
    return f"{amount} OVERDUE" if short else f"{amount} overdue"


#: (unit, short unit, length in days) from the largest; each is used from two of it on.
_UNITS = (
    ("year", "y", 365.2425),
    ("month", "mo", 365.2425 / 12),
    ("week", "w", 7),
)


def describe_duration(value: dt.timedelta | int, *, short: bool = False) -> str:
    """A duration as a person says it: '40 minutes', '5 hours', '12 days', '4 weeks',
    '7 months', '20 years' (or '40min', '5h', '12d', '4w', '7mo', '20y' when `short`).

    An int is a number of calendar days ('1 day'); a timedelta below two days is said in hours
    (below one hour in minutes). From two days on it is whole days, then weeks from two weeks,
    months from two months, years from two years. Every count is rounded down, so a duration
    is never said to be longer than it is.
    """
    if isinstance(value, dt.timedelta):
        seconds = max(0, int(value.total_seconds()))
        if seconds < 3600:
            return _say(seconds // 60, "minute", "min", short)
        if seconds < 2 * 86400:
            return _say(seconds // 3600, "hour", "h", short)
        days = seconds // 86400
    else:
        days = max(0, value)
    for unit, abbreviation, length in _UNITS:
        if days >= 2 * length:
            return _say(int(days // length), unit, abbreviation, short)
    return _say(days, "day", "d", short)


def _say(count: int, unit: str, abbreviation: str, short: bool) -> str:
    if short:
        return f"{count}{abbreviation}"
    return f"{count} {unit}{'s' * (count != 1)}"


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[dt.date, str]:
    """The public holidays (and observed days) of one year, built once per country and year.

    Reading a country's holidays imports the `holidays` package and that country's module
    (see `_country`; about 0.1 s), which start-up cannot afford, so each year's dates are also
    kept in a small cache file (see `_disk_cache`).
    """
    key = f"days|{country}|{subdivision or ''}|{year}"
    cached = _disk_cache().get(key)
    if cached is not None:
        return MappingProxyType({dt.date.fromisoformat(d): n for d, n in cached.items()})
    table = _country(country)(subdiv=subdivision, years=year)
    days = {day: name for day, name in table.items() if day.year == year}
    _disk_cache().put(key, {d.isoformat(): n for d, n in days.items()})
    return MappingProxyType(days)


def _holidays():
    import holidays

    return holidays


@lru_cache(maxsize=16)
def _country(code: str) -> Any:
    """The `holidays` class of a country code or alias ("US", "USA", "UK"), with that country's
    module imported alone; `country_holidays()` imports all 250 countries' modules to find one
    (14 MB resident for as long as the app runs, against 4 MB for one: issue 16). A code the
    package does not know raises NotImplementedError, as `country_holidays()` does."""
    import importlib.util
    import os
    import sys

    from holidays.registry import COUNTRIES

    found = next(((m, names) for m, names in COUNTRIES.items() if code in names[1:]), None)
    if found is None:
        raise NotImplementedError(f"Country {code} not available")
    module, (class_name, *_) = found
    name = f"holidays.countries.{module}"
    loaded = sys.modules.get(name)
    if loaded is None:
        import holidays.registry as registry

        path = os.path.join(os.path.dirname(registry.__file__), "countries", f"{module}.py")
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None or not os.path.exists(path):
            return getattr(_holidays(), code)  # pragma: no cover - another package layout
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded  # `holidays.countries` finds it there if it is imported
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[name]
            raise
    return getattr(loaded, class_name)


class _DiskCache:
    """A JSON file of holiday look-ups, keyed by the installed `holidays`; best effort only.

    The file keeps the look-ups of a few installed copies side by side (`KEEP`): several
    installs of the app for one user (a second virtualenv, an upgrade being tried) would
    otherwise each throw the other's away, and every export would import `holidays` again.
    """

    KEEP = 8

    def __init__(self) -> None:
        import json
        import os

        from platformdirs import user_cache_path

        self._json = json
        folder = os.environ.get("RCA_CACHE")
        self.path = (os.path.join(folder, "holidays.json") if folder else None) or str(
            user_cache_path("rca-tui", appauthor=False) / "holidays.json"
        )
        self.version = _installed("holidays")
        self.data: dict = self._read().get(self.version, {})

    def _read(self) -> dict:
        """{installed copy: its entries} as the file holds them now ({} if unreadable)."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                loaded = self._json.load(fh)
        except (OSError, ValueError):
            return {}
        if not isinstance(loaded, dict):
            return {}
        if "version" in loaded:  # the file of one copy, as earlier versions wrote it
            entries = loaded.get("entries")
            return {loaded["version"]: entries} if isinstance(entries, dict) else {}
        versions = loaded.get("versions")
        if not isinstance(versions, dict):
            return {}
        return {v: e for v, e in versions.items() if isinstance(e, dict)}

    def get(self, key: str):
        return self.data.get(key)

    def put(self, key: str, value) -> None:
        import os
        import tempfile

        self.data[key] = value
        try:
            folder = os.path.dirname(self.path)
            os.makedirs(folder, exist_ok=True)
            # The other copies' entries as the file has them now, this copy's last (newest).
            versions = {v: e for v, e in self._read().items() if v != self.version}
            versions[self.version] = self.data
            kept = dict(list(versions.items())[-self.KEEP :])
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".holidays.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                self._json.dump({"versions": kept}, fh)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only home: the look-up is simply repeated next time


def _installed(package: str) -> str:
    """Which copy of a package is installed: its file and when it was written. Upgrading it
    rewrites the file; `importlib.metadata.version` says the same in words but took 50 ms of
    every start (it reads every installed package's metadata)."""
    import importlib.util
    import os

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:  # pragma: no cover - holidays is a dependency
        return "unknown"
    try:
        stat = os.stat(spec.origin)
    except OSError:  # pragma: no cover
        return "unknown"
    return f"{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}"


@lru_cache(maxsize=1)
def _disk_cache() -> _DiskCache:
    return _DiskCache()


# --- helpers -------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _entity(country: str | None, subdivision: str | None) -> tuple[str | None, str | None]:
    """Country and subdivision in the `holidays` package's spelling, or a DeadlineSettingError."""
    if country is None:
        if subdivision is not None:
            raise DeadlineSettingError(
                "subdivision", f"'{subdivision}' needs a holiday country as well"
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
    code = country.strip().upper()
    try:
        entity = _country(code)
        table = entity()
    except (NotImplementedError, KeyError, ValueError):
        raise DeadlineSettingError(
            "country",
            f"'{country}' is not a country code the holiday calendar knows (use a 2-letter ISO "
            'code such as US, GB or DE, or "" for weekends and extra holidays only)',
        ) from None
    code = table.country
    if subdivision is None:
        return code, None
    known = list(entity.subdivisions)
    spelled = {s.upper(): s for s in known}.get(subdivision.strip().upper(), subdivision.strip())
    try:
        entity(subdiv=spelled)
    except (NotImplementedError, KeyError, ValueError):
        examples = ", ".join(known[:5]) if known else "none: leave it empty"
        raise DeadlineSettingError(
            "subdivision",
            f"'{subdivision}' is not a subdivision of {code} "
            f"(known: {examples}{', ...' if len(known) > 5 else ''})",
        ) from None
    return code, spelled


def _dates(values: Iterable[dt.date]) -> frozenset[dt.date]:
    out = set()
    for value in values:
        if not isinstance(value, dt.date):
            raise DeadlineSettingError("extra_holidays", f"{value!r} is not a date")
        out.add(_as_date(value))
    return frozenset(out)


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _as_datetime(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())

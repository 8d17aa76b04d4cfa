"""Reading the dates and times clinicians type, and refusing the ones that could be misread.

An event record is evidence: a date read the wrong way round, or a part silently filled in, puts
the event on the wrong day and every deadline with it. So every form accepted here is explicit:

- ISO: `2026-11-03 14:20`, `2026-11-03T14:20`, `2026-11-03`, `2026/11/03`;
- numbers with the year last: `03/11/2026`, `3/11/2026 14:20`, `03.11.2026`, `03-11-2026`, read
  day first unless the setting says month first (the same setting for every separator);
- a month name: `3 Nov 2026 14:20`, `Nov 3 2026`, `November 3rd, 2026 at 2:20 pm`;
- words: `now`, `today`, `yesterday`, `tomorrow`, each but `now` with an optional time;
- a time alone (`14:20`, `2:20 pm`) means today at that time.

A weekday may lead (`Tue 3 Nov 2026`) and must then match the date. A time needs its minutes
(`14` alone is refused), and a date without a time is midnight. Years must have four digits: `26`
could be 1926 or 2026, and a date of birth or event on the wrong century is dangerous.

python-dateutil reads the month-name forms only, and is run twice with two different defaults:
any part it would have filled in from the default differs between the runs, and is refused rather
than invented ("Nov", "3 Nov", "Nov 2026"). Numeric forms never reach it, because it silently
swaps day and month when the first reading is impossible (11/13/2026 with day first).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from models.errors import ValidationError

#: A four-digit year outside this range is a typing mistake (0226 or 3026 typed for 2026).
MIN_YEAR = 1900
MAX_YEAR = 2199

#: How far in the future an event may be before it is called an error (clocks differ a little).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

#: Longer input is not a date; refusing it early keeps the patterns below cheap.
_MAX_LENGTH = 80

_SEP = r"(?:\s*,\s*|\s+at\s+|\s+)"
_TIME = (
    r"(?:(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,6})?)?(?:\s*(?P<ap>[ap])\.?m\.?)?"
    r"|(?P<h12>\d{1,2})\s*(?P<ap12>[ap])\.?m\.?)"
)
_TIME_AT_END = re.compile(rf"^(?:(?P<date>.*?){_SEP})?{_TIME}$")
_TIME_AT_START = re.compile(rf"^{_TIME}{_SEP}(?P<date>.+)$")
_NUMERIC = re.compile(r"^(\d+)([-/.])(\d+)\2(\d+)$")
_LEADING_WORD = re.compile(r"^([a-z]+)\.?\s*,?\s*(.+)$")
_RELATIVE = {"today": 0, "yesterday": -1, "tomorrow": 1}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
@functools.cache
def _info():
    """dateutil's names of months and weekdays (dateutil is imported on the first date typed,
    not at every start: issue 16)."""
    from dateutil import parser as dateutil_parser

    return dateutil_parser.parserinfo()


# Two defaults differing in every part: whatever dateutil took from them differs in the results.
_DEFAULT_A = dt.datetime(2000, 1, 1, 0, 0)
_DEFAULT_B = dt.datetime(2004, 2, 2, 1, 1)


def parse_datetime(
    text: str | None, field: str, *, now: dt.datetime | None = None, day_first: bool = True
) -> dt.datetime | None:
    """A date and time as typed (see the module docstring), naive, seconds dropped; blank -> None.

    `now` (default: the local clock) anchors `now`, `today`, `yesterday` and a time alone.
    """
    now = _naive(now) if now is not None else dt.datetime.now()
    read = _read(text, field, now=now, day_first=day_first, with_time=True)
    if read is None:
        return None
    day, time = read
    return dt.datetime.combine(day, time or dt.time())


def parse_date(
    text: str | None, field: str, *, today: dt.date | None = None, day_first: bool = True
) -> dt.date | None:
    """A calendar date as typed; blank -> None. A time is refused rather than dropped."""
    today = today or dt.date.today()
    now = dt.datetime.combine(today, dt.time())
    read = _read(text, field, now=now, day_first=day_first, with_time=False)
    return None if read is None else read[0]


def format_datetime(value: dt.datetime | dt.date | None) -> str:
    """'2026-11-03 14:20' (a date alone gives '2026-11-03'); None gives ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def format_date(value: dt.date | None) -> str:
    """'2026-11-03' (a datetime shows its date); None gives ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def check_order(
    occurred_at: dt.datetime | None,
    discovered_at: dt.datetime | None,
    *,
    now: dt.datetime | None = None,
    decision_at: dt.datetime | None = None,
    chartered_at: dt.datetime | None = None,
) -> str | None:
    """What is wrong with the investigation's times, or None when nothing is (missing ones pass).

    The times must be in order (`order_problems`: event, discovery, RCA decision, the team's
    charter); the event, its discovery and the charter may not be more than
    `FUTURE_TOLERANCE` after `now` (default: the local clock). Several problems are joined
    with '; '.
    """
    now = _naive(now) if now is not None else dt.datetime.now()
    problems = order_problems(occurred_at, discovered_at, decision_at, chartered_at)
    for name, value in (
        ("occurred at", occurred_at),
        ("discovered at", discovered_at),
        ("chartered at", chartered_at),
    ):
        if value is not None and value > now + FUTURE_TOLERANCE:
            problems.append(f"{name} may not be in the future ({format_datetime(value)})")
    return "; ".join(problems) or None


def order_problems(
    occurred_at: dt.datetime | None,
    discovered_at: dt.datetime | None,
    decision_at: dt.datetime | None,
    chartered_at: dt.datetime | None,
) -> list[str]:
    """The investigation's times out of their natural order (missing ones pass): the event,
    then its discovery, then the decision that an RCA is needed (no one decides before anyone
    knows: after the discovery, or the event when the discovery is not recorded), then the
    team's charter. The intake form refuses them; `rca check` and the overview name them for
    what was imported or entered before the rule (`models.rules.intake_checks`)."""
    problems = []
    if _before(discovered_at, occurred_at):
        problems.append("discovered at may not be before occurred at")
    known = discovered_at or occurred_at
    if _before(decision_at, known):
        which = "discovered at" if discovered_at is not None else "occurred at"
        problems.append(f"decided at (the RCA decision) may not be before {which}")
    if _before(chartered_at, decision_at):
        problems.append("chartered at may not be before decided at (the RCA decision)")
    return problems


def _before(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    """Whether `a` is before `b`; a time of exactly 00:00 is a day typed without its time
    ("2026-11-21"), so then only the days are compared: a decision recorded as the day of
    an event at 03:10 is not before it."""
    if a is None or b is None:
        return False
    if a.time() == dt.time(0) or b.time() == dt.time(0):
        return a.date() < b.date()
    return a < b


# --- reading -------------------------------------------------------------------------------------


def _read(
    text: str | None, field: str, *, now: dt.datetime, day_first: bool, with_time: bool
) -> tuple[dt.date, dt.time | None] | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValidationError(f"{field}: expected text, got {type(text).__name__}")
    raw = text.strip()
    if not raw:
        return None
    problem = _Problem(field, raw, day_first=day_first, with_time=with_time)
    if len(raw) > _MAX_LENGTH:
        raise problem.not_a_date()
    s = " ".join(raw.lower().split())
    s = re.sub(r"(?<=\d)t(?=\d)", " ", s)  # ISO's T between date and time

    date_part, time = s, None
    match = _TIME_AT_END.match(s) or _TIME_AT_START.match(s)
    if match:
        date_part, time = match["date"] or "", _time(match, problem)
        if not with_time:
            raise problem.say("give a date without a time")

    if date_part == "now":
        if time is not None:
            raise problem.not_a_date()
        return now.date(), now.time().replace(second=0, microsecond=0)
    if date_part == "":
        return now.date(), time
    if date_part in _RELATIVE:
        return now.date() + dt.timedelta(days=_RELATIVE[date_part]), time

    weekday = None
    lead = _LEADING_WORD.match(date_part)
    if lead and _info().weekday(lead[1]) is not None:
        weekday, date_part = _info().weekday(lead[1]), lead[2]

    numeric = _NUMERIC.match(date_part)
    if numeric:
        day = _numeric_date(numeric, day_first, problem)
    elif any(_info().month(word) is not None for word in re.findall(r"[a-z]+", date_part)):
        day = _month_name_date(date_part, problem)
    else:
        raise problem.not_a_date()

    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise problem.say(f"the year {day.year} is out of range ({MIN_YEAR}-{MAX_YEAR})")
    if weekday is not None and weekday != day.weekday():
        raise problem.say(
            f"{day.isoformat()} is a {_DAY_NAMES[day.weekday()]}, not a {_DAY_NAMES[weekday]}"
        )
    return day, time


def _time(match: re.Match[str], problem: _Problem) -> dt.time:
    if match["h12"] is not None:
        hour, minute, half = int(match["h12"]), 0, match["ap12"]
    else:
        hour, minute, half = int(match["h"]), int(match["m"]), match["ap"]
    if half is not None:
        if not 1 <= hour <= 12:
            raise problem.say(f"{hour} {half}m is not a time of day (use 1-12 with am/pm)")
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59 or (match["s"] is not None and int(match["s"]) > 59):
        raise problem.say("that is not a time of day (use the 24-hour clock, e.g. 14:20)")
    return dt.time(hour, minute)


def _numeric_date(match: re.Match[str], day_first: bool, problem: _Problem) -> dt.date:
    first, _sep, second, last = match.groups()
    if len(first) == 4 and len(second) <= 2 and len(last) <= 2:
        year, month, day, year_last = first, second, last, False
    elif len(last) == 4 and len(first) <= 2 and len(second) <= 2:
        year, year_last = last, True
        day, month = (first, second) if day_first else (second, first)
    elif max(len(first), len(second), len(last)) <= 2:
        raise problem.two_digit_year()
    else:
        raise problem.not_a_date()
    if year_last and int(month) > 12 >= int(day) >= 1:
        order = "day" if day_first else "month"
        raise problem.say(f"there is no month {int(month)}; dates are read {order} first")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise problem.not_a_date() from None


def _month_name_date(text: str, problem: _Problem) -> dt.date:
    numbers = re.findall(r"\d+", text)
    years = [n for n in numbers if len(n) == 4]
    if not years:
        raise problem.two_digit_year() if len(numbers) >= 2 else problem.incomplete()
    if len(years) > 1 or len(numbers) > 2:
        raise problem.not_a_date()
    from dateutil import parser as dateutil_parser

    try:
        a = dateutil_parser.parse(text, default=_DEFAULT_A)
        b = dateutil_parser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
        raise problem.not_a_date() from None
    if a.tzinfo is not None or a.time() != _DEFAULT_A.time() or b.time() != _DEFAULT_B.time():
        raise problem.not_a_date()
    if a.date() != b.date():
        raise problem.incomplete()
    if a.year != int(years[0]):
        raise problem.not_a_date()
    return a.date()


def _naive(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value


class _Problem:
    """Builds the refusal messages: field, what was typed, why, and forms that would work."""

    def __init__(self, field: str, raw: str, *, day_first: bool, with_time: bool) -> None:
        self.field = field
        self.raw = raw
        numeric = "03/11/2026" if day_first else "11/03/2026"
        if with_time:
            self.hint = f"try 2026-11-03 14:20, {numeric} or 'yesterday 14:00'"
        else:
            self.hint = f"try 2026-11-03, {numeric} or 'yesterday'"

    def say(self, why: str) -> ValidationError:
        return ValidationError(f"{self.field}: '{self.raw}': {why} ({self.hint})")

    def not_a_date(self) -> ValidationError:
        return ValidationError(f"{self.field}: '{self.raw}' is not a date ({self.hint})")

    def incomplete(self) -> ValidationError:
        return self.say("give the day, month and year")

    def two_digit_year(self) -> ValidationError:
        return self.say("write the year with 4 digits (a 2-digit year is ambiguous)")

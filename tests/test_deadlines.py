"""Deadlines: business days over real holiday calendars, the RCA target, the 72-hour start.

Every expected date below is counted by hand on a calendar; the comments show the counting.
Facts used (US federal holidays): 2026-11-11 Veterans Day (Wed), 2026-11-26 Thanksgiving (Thu),
2026-12-25 Christmas (Fri), 2027-01-01 New Year (Fri), 2027-01-18 MLK Day (Mon),
2026-07-04 Independence Day (Sat, observed Fri 07-03), 2028-02-21 Washington's Birthday (Mon).
2026-11-01 is a Sunday, 2026-11-03 a Tuesday, 2026-10-30 a Friday.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from models.errors import ValidationError
from models.rules.deadlines import (
    BusinessCalendar,
    DeadlinePolicy,
    Deadlines,
    DeadlineSettingError,
    add_business_days,
    days_left,
    describe_days_left,
    describe_duration,
    public_holidays,
)

D = dt.date
T = dt.datetime


def compute_deadlines(
    *, target_days=45, country="US", subdivision=None, extra_holidays=(), **times
) -> Deadlines:
    """The deadlines of one event under a policy made from these settings, as the app makes it
    (`Settings.deadline_policy()`): the settings are checked when the policy is made."""
    calendar = BusinessCalendar(country, subdivision, extra_holidays)
    return DeadlinePolicy(target_days, calendar).deadlines(**times)
US = BusinessCalendar("US")
WEEKENDS_ONLY = BusinessCalendar(None)


# --- business days -------------------------------------------------------------------------------

BUSINESS_DAYS = [
    # weekends: the day after a Friday, Saturday or Sunday is the Monday
    (D(2026, 10, 30), 1, D(2026, 11, 2)),
    (D(2026, 10, 31), 1, D(2026, 11, 2)),
    (D(2026, 11, 1), 1, D(2026, 11, 2)),
    (D(2026, 11, 2), 0, D(2026, 11, 2)),
    (D(2026, 11, 2), 4, D(2026, 11, 6)),  # Tue, Wed, Thu, Fri
    (D(2026, 11, 2), 5, D(2026, 11, 9)),  # ... and over the weekend to Monday
    # holidays
    (D(2026, 11, 10), 1, D(2026, 11, 12)),  # Wed 11 Nov Veterans Day skipped
    (D(2026, 11, 25), 1, D(2026, 11, 27)),  # Thanksgiving skipped; the Friday after is federal work
    (D(2026, 12, 24), 1, D(2026, 12, 28)),  # Christmas Fri, then the weekend
    (D(2026, 12, 31), 1, D(2027, 1, 4)),  # New Year Fri, then the weekend
    (D(2027, 1, 15), 1, D(2027, 1, 19)),  # weekend, then MLK Day Mon 18 Jan
    (D(2026, 7, 2), 1, D(2026, 7, 6)),  # 4 July is a Saturday: observed on Fri 3 July
    (D(2028, 2, 18), 1, D(2028, 2, 22)),  # weekend, then Washington's Birthday Mon 21 Feb
    # leap years: 29 Feb 2028 (a Tuesday) is a business day; 2027 has none
    (D(2028, 2, 25), 2, D(2028, 2, 29)),  # Fri -> Mon 28 (1), Tue 29 (2)
    (D(2027, 2, 25), 2, D(2027, 3, 1)),  # Thu -> Fri 26 (1), Mon 1 Mar (2)
    # backwards
    (D(2026, 11, 30), -1, D(2026, 11, 27)),
    (D(2026, 11, 30), -2, D(2026, 11, 25)),  # Thanksgiving skipped going back too
    # 45 business days after Friday 30 Oct 2026:
    #   November: weekdays 2-6, 9-13, 16-20, 23-27, 30 = 21, minus 11 Nov and 26 Nov = 19
    #   December: weekdays 1-4, 7-11, 14-18, 21-25, 28-31 = 23, minus 25 Dec = 22 (total 41)
    #   January 2027: 1 Jan is a holiday; Mon 4 (42), Tue 5 (43), Wed 6 (44), Thu 7 (45)
    (D(2026, 10, 30), 45, D(2027, 1, 7)),
    # 45 after Wednesday 28 Oct 2026: Thu 29 (1), Fri 30 (2), November 19 (21),
    # December 22 (43), Mon 4 Jan (44), Tue 5 Jan (45)
    (D(2026, 10, 28), 45, D(2027, 1, 5)),
]


@pytest.mark.parametrize(("start", "n", "expected"), BUSINESS_DAYS)
def test_add_business_days_us(start, n, expected):
    assert add_business_days(start, n, US) == expected


def test_a_datetime_start_counts_from_its_date():
    assert add_business_days(T(2026, 10, 30, 23, 59), 1, US) == D(2026, 11, 2)


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        # weekends only: November 21 weekdays, December 23 (total 44), Fri 1 Jan 2027 is the 45th
        (WEEKENDS_ONLY, D(2027, 1, 1)),
        (BusinessCalendar(""), D(2027, 1, 1)),
        (US, D(2027, 1, 7)),  # see BUSINESS_DAYS above
        # a hospital holiday on Christmas Eve (Thu) pushes the 45th day from Thu 7 to Fri 8 Jan
        (BusinessCalendar("US", extra_holidays=frozenset({D(2026, 12, 24)})), D(2027, 1, 8)),
        # ... so does one on a day inside the count in January
        (BusinessCalendar("US", extra_holidays=frozenset({D(2027, 1, 5)})), D(2027, 1, 8)),
        # ... but not one on a Saturday, nor one after the due date
        (BusinessCalendar("US", extra_holidays=frozenset({D(2026, 12, 26)})), D(2027, 1, 7)),
        (BusinessCalendar("US", extra_holidays=frozenset({D(2027, 1, 8)})), D(2027, 1, 7)),
        # California also closes on the day after Thanksgiving (Fri 27 Nov)
        (BusinessCalendar("US", "CA"), D(2027, 1, 8)),
        (BusinessCalendar("us", "ca"), D(2027, 1, 8)),
    ],
)
def test_calendar_settings_move_the_45th_business_day(calendar, expected):
    assert add_business_days(D(2026, 10, 30), 45, calendar) == expected


def test_other_countries_have_their_own_holidays():
    # England: Christmas Fri 25 Dec 2026, Boxing Day Sat 26 is observed on Mon 28 Dec,
    # so one business day after Thu 24 Dec is Tue 29 Dec.
    assert add_business_days(D(2026, 12, 24), 1, BusinessCalendar("GB", "ENG")) == D(2026, 12, 29)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2026, 11, 26), "Thanksgiving Day"),
        (D(2026, 12, 25), "Christmas Day"),
        (D(2027, 1, 1), "New Year's Day"),
        (D(2026, 12, 24), "hospital holiday"),
        (D(2026, 11, 27), None),
    ],
)
def test_holiday_name(day, name):
    calendar = BusinessCalendar("US", extra_holidays=frozenset({D(2026, 12, 24)}))
    assert calendar.holiday_name(day) == name
    assert calendar.is_business_day(day) is (name is None)


def test_calendar_spells_codes_as_the_holiday_package_does():
    assert BusinessCalendar("us", "ca") == BusinessCalendar("US", "CA")
    assert BusinessCalendar(" usa ").country == "US"


def test_public_holidays_are_built_once_per_country_and_year():
    public_holidays.cache_clear()
    add_business_days(D(2026, 10, 30), 45, US)  # reads 2026 and 2027
    built = public_holidays.cache_info().misses
    add_business_days(D(2026, 10, 30), 45, US)
    compute_deadlines(
        decision_at=None, occurred_at=T(2026, 10, 30), discovered_at=None, sentinel=True
    )
    assert built == 2
    assert public_holidays.cache_info().misses == built


# --- settings that cannot be used ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "subdivision", "message"),
    [
        ("XX", None, "holiday country: 'XX' is not a country code the holiday calendar knows"),
        ("Narnia", None, "holiday country: 'Narnia' is not a country code"),
        ("US", "ZZ", "holiday subdivision: 'ZZ' is not a subdivision of US (known: AK"),
        ("GB", "Mars", "holiday subdivision: 'Mars' is not a subdivision of GB (known: ENG, NIR"),
        (None, "CA", "holiday subdivision: 'CA' needs a holiday country as well"),
        (45, None, "holiday country: expected a code, got 45"),
    ],
)
def test_unusable_holiday_settings(country, subdivision, message):
    with pytest.raises(ValidationError) as err:
        BusinessCalendar(country, subdivision)
    assert err.value.message.startswith(message)


def test_unusable_country_is_reported_even_for_an_ordinary_event():
    with pytest.raises(ValidationError, match="holiday country: 'XX'"):
        compute_deadlines(
            decision_at=T(2026, 11, 3),
            occurred_at=None,
            discovered_at=None,
            sentinel=False,
            country="XX",
        )


@pytest.mark.parametrize("bad", [0, -1, True, 4.5, "45"])
def test_target_days_must_be_a_positive_whole_number(bad):
    with pytest.raises(ValidationError, match="RCA target days"):
        compute_deadlines(
            decision_at=T(2026, 11, 3),
            occurred_at=None,
            discovered_at=None,
            sentinel=False,
            target_days=bad,
        )


def test_extra_holidays_must_be_dates():
    with pytest.raises(ValidationError, match="extra holidays: '2026-12-24' is not a date"):
        compute_deadlines(
            decision_at=None,
            occurred_at=None,
            discovered_at=None,
            sentinel=False,
            extra_holidays=["2026-12-24"],
        )


# --- all deadlines of an investigation -----------------------------------------------------------

DECISION = T(2026, 11, 3, 14, 20)  # Tuesday
OCCURRED = T(2026, 10, 28, 22, 15)  # Wednesday evening
DISCOVERED = T(2026, 10, 30, 7, 40)  # Friday morning

DEADLINES = [
    pytest.param(
        dict(decision_at=DECISION, occurred_at=OCCURRED, discovered_at=DISCOVERED, sentinel=False),
        # 72 h after Tue 14:20 is Fri 14:20; 3 Nov + 45 days: +27 -> 30 Nov, +18 -> 18 Dec
        Deadlines(
            start_by=T(2026, 11, 6, 14, 20),
            rca_due=D(2026, 12, 18),
            due=D(2026, 12, 18),
            rca_from="decision",
        ),
        id="ordinary event",
    ),
    pytest.param(
        dict(decision_at=DECISION, occurred_at=OCCURRED, discovered_at=DISCOVERED, sentinel=True),
        # sentinel: 45 business days after discovery (Fri 30 Oct) is Thu 7 Jan 2027;
        # the RCA target (18 Dec) comes first
        Deadlines(
            start_by=T(2026, 11, 6, 14, 20),
            rca_due=D(2026, 12, 18),
            sentinel_due=D(2027, 1, 7),
            due=D(2026, 12, 18),
            rca_from="decision",
            sentinel_from="discovered",
        ),
        id="sentinel, RCA target first",
    ),
    pytest.param(
        dict(
            decision_at=DECISION,
            occurred_at=OCCURRED,
            discovered_at=DISCOVERED,
            sentinel=True,
            target_days=90,
        ),
        # 3 Nov + 90 days: +27 -> 30 Nov, +31 -> 31 Dec (58), +31 -> 31 Jan (89), +1 -> 1 Feb
        Deadlines(
            start_by=T(2026, 11, 6, 14, 20),
            rca_due=D(2027, 2, 1),
            sentinel_due=D(2027, 1, 7),
            due=D(2027, 1, 7),
            rca_from="decision",
            sentinel_from="discovered",
        ),
        id="sentinel deadline first with a 90-day target",
    ),
    pytest.param(
        dict(decision_at=None, occurred_at=OCCURRED, discovered_at=None, sentinel=True),
        # no decision: no start deadline, target from the event: 28 Oct + 45 days:
        # +3 -> 31 Oct, +30 -> 30 Nov (33), +12 -> 12 Dec (45).
        # sentinel from the event (Wed 28 Oct): Tue 5 Jan 2027 (see BUSINESS_DAYS)
        Deadlines(
            rca_due=D(2026, 12, 12),
            sentinel_due=D(2027, 1, 5),
            due=D(2026, 12, 12),
            rca_from="occurred",
            sentinel_from="occurred",
        ),
        id="no decision, no discovery",
    ),
    pytest.param(
        dict(decision_at=None, occurred_at=OCCURRED, discovered_at=DISCOVERED, sentinel=False),
        # target from discovery: 30 Oct + 45 days: +1 -> 31 Oct, +30 -> 30 Nov (31), +14 -> 14 Dec
        Deadlines(rca_due=D(2026, 12, 14), due=D(2026, 12, 14), rca_from="discovered"),
        id="no decision: counted from discovery",
    ),
    pytest.param(
        dict(decision_at=None, occurred_at=None, discovered_at=None, sentinel=True),
        Deadlines(),
        id="nothing known",
    ),
    pytest.param(
        dict(
            decision_at=None,
            occurred_at=T(2026, 11, 2),
            discovered_at=T(2026, 10, 30),
            sentinel=True,
        ),
        # discovery recorded before the event (a data error check_order reports): the sentinel
        # clock still starts at discovery, as documented: Fri 30 Oct + 45 business days
        Deadlines(
            rca_due=D(2026, 12, 14),
            sentinel_due=D(2027, 1, 7),
            due=D(2026, 12, 14),
            rca_from="discovered",
            sentinel_from="discovered",
        ),
        id="discovery wins for the sentinel clock",
    ),
    pytest.param(
        dict(
            decision_at=T(2026, 10, 30, 9, 0), occurred_at=None, discovered_at=None, sentinel=False
        ),
        # 72 hours is the wall clock: Friday 09:00 -> Monday 09:00, weekend included;
        # 30 Oct + 45 days = 14 Dec
        Deadlines(
            start_by=T(2026, 11, 2, 9, 0),
            rca_due=D(2026, 12, 14),
            due=D(2026, 12, 14),
            rca_from="decision",
        ),
        id="decision on a Friday",
    ),
    pytest.param(
        dict(
            decision_at=T(2026, 12, 31, 23, 59),
            occurred_at=None,
            discovered_at=None,
            sentinel=False,
        ),
        # 31 Dec 23:59 + 72 h = 3 Jan 23:59; 31 Dec + 45 days: +31 -> 31 Jan, +14 -> 14 Feb
        Deadlines(
            start_by=T(2027, 1, 3, 23, 59),
            rca_due=D(2027, 2, 14),
            due=D(2027, 2, 14),
            rca_from="decision",
        ),
        id="across the new year",
    ),
    pytest.param(
        dict(
            decision_at=T(2028, 1, 15, 8, 0), occurred_at=None, discovered_at=None, sentinel=False
        ),
        # leap year: 15 Jan + 45 days: +16 -> 31 Jan, +29 -> 29 Feb 2028
        Deadlines(
            start_by=T(2028, 1, 18, 8, 0),
            rca_due=D(2028, 2, 29),
            due=D(2028, 2, 29),
            rca_from="decision",
        ),
        id="leap year",
    ),
    pytest.param(
        dict(
            decision_at=T(2027, 1, 15, 8, 0), occurred_at=None, discovered_at=None, sentinel=False
        ),
        # not a leap year: 15 Jan + 45 days: +16 -> 31 Jan, +28 -> 28 Feb (44), +1 -> 1 Mar
        Deadlines(
            start_by=T(2027, 1, 18, 8, 0),
            rca_due=D(2027, 3, 1),
            due=D(2027, 3, 1),
            rca_from="decision",
        ),
        id="not a leap year",
    ),
    pytest.param(
        dict(
            decision_at=D(2026, 11, 3),
            occurred_at=None,
            discovered_at=None,
            sentinel=False,
            target_days=30,
        ),
        # a date alone is midnight; 3 Nov + 30 days = 3 Dec
        Deadlines(
            start_by=T(2026, 11, 6, 0, 0),
            rca_due=D(2026, 12, 3),
            due=D(2026, 12, 3),
            rca_from="decision",
        ),
        id="decision as a date, 30-day target",
    ),
]


@pytest.mark.parametrize(("inputs", "expected"), DEADLINES)
def test_compute_deadlines(inputs, expected):
    assert compute_deadlines(**inputs) == expected


@pytest.mark.parametrize(
    ("settings", "sentinel_due"),
    [
        ({}, D(2027, 1, 7)),
        ({"country": None}, D(2027, 1, 1)),
        ({"country": "US", "subdivision": "CA"}, D(2027, 1, 8)),
        ({"extra_holidays": [D(2026, 12, 24)]}, D(2027, 1, 8)),
        ({"extra_holidays": (T(2026, 12, 24, 0, 0), D(2026, 12, 31))}, D(2027, 1, 11)),
    ],
)
def test_compute_deadlines_uses_the_holiday_settings(settings, sentinel_due):
    # Discovered Fri 30 Oct 2026; see test_calendar_settings_move_the_45th_business_day.
    # Two hospital holidays (Thu 24 Dec, Thu 31 Dec) push Thu 7 Jan by two business days:
    # Fri 8 (1), weekend, Mon 11 (2).
    result = compute_deadlines(
        decision_at=None, occurred_at=None, discovered_at=DISCOVERED, sentinel=True, **settings
    )
    assert result.sentinel_due == sentinel_due


def test_deadlines_cannot_be_edited():
    result = compute_deadlines(
        decision_at=DECISION, occurred_at=None, discovered_at=None, sentinel=False
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.due = D(2027, 1, 1)  # type: ignore[misc]


# --- days left -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (None, D(2026, 12, 6), None),
        (D(2026, 12, 18), D(2026, 12, 6), 12),
        (D(2026, 12, 18), D(2026, 12, 17), 1),
        (D(2026, 12, 18), D(2026, 12, 18), 0),
        (D(2026, 12, 18), D(2026, 12, 19), -1),
        (D(2026, 12, 18), D(2026, 12, 21), -3),
        (D(2027, 1, 7), D(2026, 12, 25), 13),  # 6 days to 31 Dec, 7 more to 7 Jan
        (D(2028, 3, 1), D(2028, 2, 28), 2),  # through 29 Feb
        (D(2027, 3, 1), D(2027, 2, 28), 1),
        (T(2026, 12, 18, 23, 0), T(2026, 12, 18, 1, 0), 0),  # times of day do not count
    ],
)
def test_days_left(due, today, expected):
    assert days_left(due, today) == expected


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (None, "no due date"),
        (45, "6 weeks left"),
        (14, "2 weeks left"),
        (13, "13 days left"),
        (12, "12 days left"),
        (2, "2 days left"),
        (1, "1 day left"),
        (0, "due today"),
        (-1, "1 day overdue"),
        (-3, "3 days overdue"),
    ],
)
def test_describe_days_left(n, text):
    assert describe_days_left(n) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [(None, "-"), (0, "due today"), (12, "12d left"), (-3, "3d OVERDUE"), (-7334, "20y OVERDUE")],
)
def test_describe_days_left_in_a_table_cell(n, text):
    assert describe_days_left(n, short=True) == text


H = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("value", "text", "short"),
    [
        (dt.timedelta(minutes=40), "40 minutes", "40min"),
        (dt.timedelta(minutes=1), "1 minute", "1min"),
        (H, "1 hour", "1h"),
        (5 * H, "5 hours", "5h"),
        (47 * H, "47 hours", "47h"),  # below two days: hours, as people count a night shift
        (48 * H, "2 days", "2d"),
        (13 * 24 * H + 23 * H, "13 days", "13d"),
        (28 * 24 * H + 4 * H, "4 weeks", "4w"),  # was "676 hours"
        (60 * 24 * H, "8 weeks", "8w"),
        (61 * 24 * H, "2 months", "2mo"),  # from two months on
        (730 * 24 * H, "23 months", "23mo"),
        (731 * 24 * H, "2 years", "2y"),
        (7334 * 24 * H, "20 years", "20y"),
        (1, "1 day", "1d"),  # a number of calendar days: tomorrow is 1 day away
        (2, "2 days", "2d"),
        (44, "6 weeks", "6w"),  # rounded down: never longer than it is
        (45, "6 weeks", "6w"),
    ],
)
def test_durations_read_as_people_say_them(value, text, short):
    assert describe_duration(value) == text
    assert describe_duration(value, short=True) == short


def test_a_policy_is_checked_when_made():
    with pytest.raises(DeadlineSettingError) as err:
        DeadlinePolicy(0)
    assert (err.value.setting, err.value.reason) == (
        "target_days",
        "0 is not a whole number of days (1 or more)",
    )
    with pytest.raises(DeadlineSettingError) as err:
        BusinessCalendar("ZZ")
    assert err.value.setting == "country" and "2-letter ISO code" in err.value.reason


def test_the_holiday_cache_keeps_the_lookups_of_several_installs(tmp_path, monkeypatch):
    """Two installs of the app (two virtualenvs) share one cache file without throwing each
    other's look-ups away, and never read each other's (another `holidays` may differ)."""
    import json

    from models.rules import deadlines

    monkeypatch.setenv("RCA_CACHE", str(tmp_path))
    monkeypatch.setattr(deadlines, "_installed", lambda package: "copy-a")
    a = deadlines._DiskCache()
    a.put("days|US||2026", {"2026-01-01": "New Year's Day"})
    monkeypatch.setattr(deadlines, "_installed", lambda package: "copy-b")
    b = deadlines._DiskCache()
    assert b.get("days|US||2026") is None
    b.put("days|US||2026", {"2026-01-01": "B's New Year"})
    monkeypatch.setattr(deadlines, "_installed", lambda package: "copy-a")
    assert deadlines._DiskCache().get("days|US||2026") == {"2026-01-01": "New Year's Day"}
    monkeypatch.setattr(deadlines, "_installed", lambda package: "copy-b")
    assert deadlines._DiskCache().get("days|US||2026") == {"2026-01-01": "B's New Year"}
    # a file written by an earlier version (one copy's entries) is still read
    (tmp_path / "holidays.json").write_text(
        json.dumps({"version": "copy-b", "entries": {"k": {"2026-01-01": "old"}}})
    )
    assert deadlines._DiskCache().get("k") == {"2026-01-01": "old"}


def test_the_holiday_cache_keeps_a_few_installs_at_most(tmp_path, monkeypatch):
    from models.rules import deadlines

    monkeypatch.setenv("RCA_CACHE", str(tmp_path))
    for i in range(deadlines._DiskCache.KEEP + 3):
        monkeypatch.setattr(deadlines, "_installed", lambda package, i=i: f"copy-{i}")
        deadlines._DiskCache().put("k", {"i": i})
    kept = deadlines._DiskCache()._read()
    assert len(kept) == deadlines._DiskCache.KEEP
    assert "copy-0" not in kept and f"copy-{deadlines._DiskCache.KEEP + 2}" in kept

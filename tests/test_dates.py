"""Reading typed dates: every accepted form, and every refusal that protects the record."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import ValidationError
from models.rules.dates import (
    check_order,
    format_date,
    format_datetime,
    parse_date,
    parse_datetime,
)

# Thursday 5 November 2026, 09:30:45 (seconds must never reach a result).
NOW = dt.datetime(2026, 11, 5, 9, 30, 45)
TODAY = NOW.date()
FIELD = "occurred at"
HINT = "(try 2026-11-03 14:20, 03/11/2026 or 'yesterday 14:00')"


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi)


ACCEPTED = [
    # ISO, with a space, a T, seconds (dropped) and fractions (dropped)
    ("2026-11-03 14:20", at(2026, 11, 3, 14, 20)),
    ("2026-11-03T14:20", at(2026, 11, 3, 14, 20)),
    ("2026-11-03t14:20:59", at(2026, 11, 3, 14, 20)),
    ("2026-11-03 14:20:59.123", at(2026, 11, 3, 14, 20)),
    ("2026-11-03", at(2026, 11, 3)),  # a date alone is midnight
    ("2026/11/03", at(2026, 11, 3)),
    # numbers, year last, day first by default
    ("03/11/2026", at(2026, 11, 3)),
    ("3/11/2026 14:20", at(2026, 11, 3, 14, 20)),
    ("03.11.2026", at(2026, 11, 3)),
    ("03-11-2026 07:05", at(2026, 11, 3, 7, 5)),
    ("13/11/2026", at(2026, 11, 13)),
    # month names, in either order, abbreviated or not, with ordinals and commas
    ("3 Nov 2026 14:20", at(2026, 11, 3, 14, 20)),
    ("Nov 3 2026", at(2026, 11, 3)),
    ("Nov 3, 2026", at(2026, 11, 3)),
    ("3 November 2026", at(2026, 11, 3)),
    ("November 3rd, 2026 at 2:20 pm", at(2026, 11, 3, 14, 20)),
    ("3 Sept 2026", at(2026, 9, 3)),
    ("3-Nov-2026", at(2026, 11, 3)),
    # a weekday that matches (3 Nov 2026 is a Tuesday)
    ("Tue 3 Nov 2026", at(2026, 11, 3)),
    ("Tuesday, 03/11/2026 14:20", at(2026, 11, 3, 14, 20)),
    # words, relative to NOW (Thursday 5 Nov 2026 09:30)
    ("today", at(2026, 11, 5)),
    ("yesterday", at(2026, 11, 4)),
    ("tomorrow", at(2026, 11, 6)),
    ("today 14:00", at(2026, 11, 5, 14, 0)),
    ("yesterday 14:00", at(2026, 11, 4, 14, 0)),
    ("yesterday at 14:00", at(2026, 11, 4, 14, 0)),
    ("14:00 yesterday", at(2026, 11, 4, 14, 0)),
    ("  TODAY   14:00 ", at(2026, 11, 5, 14, 0)),
    ("now", at(2026, 11, 5, 9, 30)),  # seconds of NOW dropped
    ("Now", at(2026, 11, 5, 9, 30)),
    # a time alone is today
    ("14:20", at(2026, 11, 5, 14, 20)),
    ("0:05", at(2026, 11, 5, 0, 5)),
    ("23:59", at(2026, 11, 5, 23, 59)),
    # 12-hour clock: 12 am is midnight, 12 pm is noon
    ("2:20 pm", at(2026, 11, 5, 14, 20)),
    ("2:20 p.m.", at(2026, 11, 5, 14, 20)),
    ("12:05 am", at(2026, 11, 5, 0, 5)),
    ("12 pm", at(2026, 11, 5, 12, 0)),
    ("9am", at(2026, 11, 5, 9, 0)),
    # leap day exists in 2028
    ("29/02/2028", at(2028, 2, 29)),
    ("2028-02-29 23:59", at(2028, 2, 29, 23, 59)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_forms(text, expected):
    result = parse_datetime(text, FIELD, now=NOW)
    assert result == expected
    assert result.tzinfo is None
    assert result.second == 0 and result.microsecond == 0


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("03/11/2026", True, at(2026, 11, 3)),
        ("03/11/2026", False, at(2026, 3, 11)),
        ("03.11.2026", False, at(2026, 3, 11)),  # one setting for every separator
        ("11/13/2026", False, at(2026, 11, 13)),
        ("12/01/2026 08:00", False, at(2026, 12, 1, 8, 0)),
        # ISO and month names do not depend on the setting
        ("2026-11-03", False, at(2026, 11, 3)),
        ("3 Nov 2026", False, at(2026, 11, 3)),
    ],
)
def test_day_or_month_first(text, day_first, expected):
    assert parse_datetime(text, FIELD, now=NOW, day_first=day_first) == expected


@pytest.mark.parametrize("text", ["", "   ", "\t\n", None])
def test_blank_is_none(text):
    assert parse_datetime(text, FIELD, now=NOW) is None
    assert parse_date(text, FIELD, today=TODAY) is None


def test_impossible_date_message_names_field_and_shows_forms():
    with pytest.raises(ValidationError) as err:
        parse_datetime("31/02/2026", FIELD, now=NOW)
    assert err.value.message == f"occurred at: '31/02/2026' is not a date {HINT}"


def test_month_first_hint_shows_month_first_example():
    with pytest.raises(ValidationError) as err:
        parse_datetime("31/02/2026", FIELD, now=NOW, day_first=False)
    assert "11/03/2026" in err.value.message


REFUSED = [
    # impossible dates
    ("31/02/2026", "is not a date"),
    ("2026-02-29", "is not a date"),  # 2026 is not a leap year
    ("29/02/2100", "is not a date"),  # 2100 is not a leap year (divisible by 100, not 400)
    ("31 Apr 2026", "is not a date"),
    ("2026-13-01", "is not a date"),
    ("00/11/2026", "is not a date"),
    # parts missing: never filled in from a default
    ("Nov", "give the day, month and year"),
    ("3 Nov", "give the day, month and year"),
    ("Nov 2026", "give the day, month and year"),
    ("14", "is not a date"),  # an hour without minutes
    ("2026-11-03 14", "is not a date"),
    ("3 Nov 2026 14", "is not a date"),
    ("2026", "is not a date"),
    ("2026-11", "is not a date"),
    # two-digit years
    ("3/11/26", "4 digits"),
    ("03.11.26 14:20", "4 digits"),
    ("26-11-03", "4 digits"),
    ("3 Nov 26", "4 digits"),
    ("Nov 3, 26", "4 digits"),
    # implausible years
    ("0226-11-03", "out of range"),
    ("03/11/3026", "out of range"),
    # day and month the wrong way round for the setting (day first here)
    ("11/13/2026", "there is no month 13; dates are read day first"),
    # times that do not exist
    ("25:00", "not a time of day"),
    ("today 13:60", "not a time of day"),
    ("13 pm", "not a time of day"),
    ("0:30 am", "not a time of day"),
    # weekday that contradicts the date
    ("Mon 3 Nov 2026", "2026-11-03 is a Tuesday, not a Monday"),
    # time zones and noise are not guessed at
    ("2026-11-03 14:20 +01:00", "is not a date"),
    ("2026-11-03 14:20Z", "is not a date"),
    ("now 14:00", "is not a date"),
    ("hello", "is not a date"),
    ("3 Nov 2026 foo", "is not a date"),
    ("Tuesday", "is not a date"),
    ("1" * 200, "is not a date"),
]


@pytest.mark.parametrize(("text", "why"), REFUSED)
def test_refused_forms(text, why):
    with pytest.raises(ValidationError) as err:
        parse_datetime(text, FIELD, now=NOW)
    message = err.value.message
    assert message.startswith(f"{FIELD}: ")
    assert why in message
    assert message.endswith(HINT)


def test_non_text_is_refused():
    with pytest.raises(ValidationError, match="occurred at: expected text, got int"):
        parse_datetime(20261103, FIELD, now=NOW)  # type: ignore[arg-type]


def test_default_now_is_the_clock():
    before = dt.datetime.now().replace(second=0, microsecond=0)
    result = parse_datetime("now", FIELD)
    after = dt.datetime.now()
    assert before <= result <= after


def test_aware_now_is_made_naive():
    aware = NOW.astimezone()  # NOW as local time, with its offset
    assert parse_datetime("now", FIELD, now=aware) == at(2026, 11, 5, 9, 30)


# --- dates without a time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", dt.date(2026, 11, 3)),
        ("03/11/2026", dt.date(2026, 11, 3)),
        ("3 Nov 2026", dt.date(2026, 11, 3)),
        ("today", dt.date(2026, 11, 5)),
        ("yesterday", dt.date(2026, 11, 4)),
        ("tomorrow", dt.date(2026, 11, 6)),
        ("now", dt.date(2026, 11, 5)),
        ("29/02/2028", dt.date(2028, 2, 29)),
        ("31/12/2026", dt.date(2026, 12, 31)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text, "due", today=TODAY) == expected


def test_parse_date_month_first():
    assert parse_date("03/11/2026", "due", today=TODAY, day_first=False) == dt.date(2026, 3, 11)


@pytest.mark.parametrize("text", ["14:20", "today 14:00", "2026-11-03 14:20", "3 Nov 2026 2 pm"])
def test_parse_date_refuses_a_time_rather_than_dropping_it(text):
    with pytest.raises(ValidationError, match="give a date without a time") as err:
        parse_date(text, "due", today=TODAY)
    assert err.value.message.endswith("(try 2026-11-03, 03/11/2026 or 'yesterday')")


@pytest.mark.parametrize("text", ["30/02/2026", "Feb 2026", "1/2/26"])
def test_parse_date_refusals_name_the_field(text):
    with pytest.raises(ValidationError, match=r"^date of birth: "):
        parse_date(text, "date of birth", today=TODAY)


# --- display -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (dt.datetime(2026, 11, 3, 14, 20, 59), "2026-11-03 14:20"),
        (dt.datetime(2026, 1, 2, 3, 4), "2026-01-02 03:04"),
        (dt.date(2026, 11, 3), "2026-11-03"),
    ],
)
def test_format_datetime(value, expected):
    assert format_datetime(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (dt.date(2026, 11, 3), "2026-11-03"),
        (dt.datetime(2026, 11, 3, 23, 59), "2026-11-03"),
    ],
)
def test_format_date(value, expected):
    assert format_date(value) == expected


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2199, 12, 31, 23, 59)))
def test_what_is_shown_reads_back(value):
    shown = format_datetime(value)
    assert parse_datetime(shown, FIELD, now=NOW) == value.replace(second=0, microsecond=0)
    assert parse_date(format_date(value), FIELD, today=TODAY) == value.date()


# --- order of the event's times ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occurred", "discovered", "expected"),
    [
        (None, None, None),
        (at(2026, 11, 3, 14, 20), None, None),
        (None, at(2026, 11, 3, 14, 20), None),
        (at(2026, 11, 3, 14, 20), at(2026, 11, 3, 14, 20), None),  # same minute is fine
        (at(2026, 11, 3, 14, 20), at(2026, 11, 4, 8, 0), None),
        (
            at(2026, 11, 3, 14, 20),
            at(2026, 11, 3, 14, 19),
            "discovered at may not be before occurred at",
        ),
        # NOW is 09:30:45; up to 5 minutes ahead is clock difference, not an error
        (at(2026, 11, 5, 9, 35), None, None),
        (at(2026, 11, 5, 9, 36), None, "occurred at may not be in the future (2026-11-05 09:36)"),
        (at(2026, 11, 6), None, "occurred at may not be in the future (2026-11-06 00:00)"),
        (None, at(2026, 11, 6), "discovered at may not be in the future (2026-11-06 00:00)"),
        (
            at(2026, 11, 7),
            at(2026, 11, 6),
            "discovered at may not be before occurred at; "
            "occurred at may not be in the future (2026-11-07 00:00); "
            "discovered at may not be in the future (2026-11-06 00:00)",
        ),
    ],
)
def test_check_order(occurred, discovered, expected):
    assert check_order(occurred, discovered, now=NOW) == expected


def test_check_order_uses_the_clock_by_default():
    assert check_order(dt.datetime.now() + dt.timedelta(days=1), None) is not None
    assert check_order(dt.datetime.now() - dt.timedelta(days=1), None) is None


@pytest.mark.parametrize(
    ("decision", "chartered", "expected"),
    [
        (at(2026, 11, 4, 9, 0), at(2026, 11, 4, 9, 0), None),  # chartered at the decision
        (at(2026, 11, 4, 9, 0), at(2026, 11, 5, 8, 0), None),
        (None, at(2026, 11, 5, 8, 0), None),  # no decision: nothing to be before
        (
            at(2026, 11, 4, 9, 0),
            at(2026, 11, 4, 8, 59),
            "chartered at may not be before decided at (the RCA decision)",
        ),
        (
            at(2026, 11, 4, 9, 0),
            at(2026, 11, 6),
            "chartered at may not be in the future (2026-11-06 00:00)",
        ),
    ],
)
def test_check_order_of_the_charter(decision, chartered, expected):
    """The team cannot be chartered (the RCA started) before it was decided to run one."""
    got = check_order(None, None, now=NOW, decision_at=decision, chartered_at=chartered)
    assert got == expected

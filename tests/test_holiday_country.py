"""A holiday calendar is read from the configured country's module alone.

Why: `holidays.country_holidays()` imports the modules of all 250 countries to find one, and
they stayed in memory for as long as the app ran (14 MB, on every start after `holidays` was
installed or upgraded, when the holiday cache is cold: issue 16). These tests hold that only
the configured country is imported, and that its days, the spelling of its code and the
refusal of an unknown code are what the package itself gives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from models.rules.deadlines import BusinessCalendar, DeadlineSettingError

COLD_START = r"""
import json, sys
from models.rules.deadlines import BusinessCalendar, public_holidays
calendar = BusinessCalendar(sys.argv[1], sys.argv[2] or None)
days = public_holidays(calendar.country, calendar.subdivision, 2026)
loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
import holidays
expected = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision, years=2026)
same = dict(days) == {d: n for d, n in expected.items() if d.year == 2026}
print(json.dumps([calendar.country, calendar.subdivision, loaded, same, len(days)]))
"""


@pytest.mark.parametrize(
    ("typed", "subdivision", "country", "spelled", "module"),
    [
        ("us", "", "US", None, "united_states"),
        ("uk", "eng", "GB", "ENG", "united_kingdom"),
        ("DE", "by", "DE", "BY", "germany"),
    ],
)
def test_a_cold_start_imports_the_configured_country_alone(
    tmp_path, typed, subdivision, country, spelled, module
):
    env = {**os.environ, "RCA_CACHE": str(tmp_path)}  # an empty cache: the calendar is read
    out = subprocess.run(
        [sys.executable, "-c", COLD_START, typed, subdivision],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    got_country, got_subdivision, loaded, same, count = json.loads(out)
    assert (got_country, got_subdivision) == (country, spelled)
    assert loaded == [f"holidays.countries.{module}"]
    assert same and count >= 8


@pytest.mark.parametrize(
    ("country", "subdivision", "field"),
    [("XX", None, "country"), ("PUBLIC", None, "country"), ("US", "ZZ", "subdivision")],
)
def test_unknown_codes_are_still_refused(country, subdivision, field):
    with pytest.raises(DeadlineSettingError) as refused:
        BusinessCalendar(country, subdivision)
    assert refused.value.setting == field

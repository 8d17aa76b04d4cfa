"""`rca trends`: exact counts for every --by on a generated set with known counts, the date
window, the drill-down behind a count, and the command line's text and JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from learning_set import create, expected, plan

from models.errors import ValidationError
from models.trends import DIMENSIONS

BOTH_BACKENDS = True


@pytest.fixture
def generated(service):
    planned = plan()
    ids = create(service, planned)
    sac_of = {i: service.get_investigation(iid).sac_score for i, iid in ids.items()}
    return planned, ids, sac_of


def test_every_dimension_counts_exactly(service, generated):
    planned, _, sac_of = generated
    for by in DIMENSIONS:
        rows = service.trends(by)
        want = expected(planned, by, sac_of)
        if by == "code":
            assert {r.key: (r.investigations, r.causes) for r in rows} == want
            assert {r.key: (r.investigations, r.causes) for r in rows}["TJC-MED.LASA"] == (12, 14)
        else:
            assert {r.key: r.investigations for r in rows} == dict(want), by
            assert sum(r.investigations for r in rows) == len(planned)
    # periods come in order; other dimensions largest first
    months = [r.key for r in service.trends("month")]
    assert months == sorted(months)
    units = service.trends("unit")
    assert [r.investigations for r in units] == sorted(
        (r.investigations for r in units), reverse=True
    )


def test_the_window_and_the_drill_down(service, generated):
    planned, ids, _ = generated
    start, end = dt.date(2025, 3, 1), dt.date(2025, 12, 31)
    inside = [p for p in planned if start <= p.occurred_at.date() <= end]
    rows = service.trends("event_type", start, end)
    assert sum(r.investigations for r in rows) == len(inside) > 0
    for r in rows:
        behind = service.trend_behind("event_type", r.key, start, end)
        assert [b.id for b in behind] == sorted(
            ids[p.index] for p in inside if p.event_type == r.key
        )
    lasa = service.trend_behind("code", "TJC-MED.LASA")
    assert [b.id for b in lasa] == sorted(
        ids[p.index] for p in planned if p.index % 3 == 0 or p.index % 4 == 0
    )
    q = service.trends("quarter")[0]
    assert len(service.trend_behind("quarter", q.key)) == q.investigations
    m = service.trends("month")[-1]
    assert len(service.trend_behind("month", m.key)) == m.investigations
    with pytest.raises(ValidationError):
        service.trends("colour")


def test_the_command_line(url_for, service, generated):
    from rca_tui.cli import cli

    planned, _, _ = generated
    runner = CliRunner()
    db_url = url_for("alice")
    out = runner.invoke(cli, ["--db", db_url, "trends", "--by", "code", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    lasa = next(d for d in data if d["key"] == "TJC-MED.LASA")
    assert lasa == {
        "key": "TJC-MED.LASA",
        "label": "Look-alike, sound-alike",
        "investigations": 12,
        "causes": 14,
    }
    out = runner.invoke(cli, ["--db", db_url, "trends", "--by", "harm", "--from", "2026-01-01"])
    assert out.exit_code == 0
    lines = out.output.splitlines()
    assert lines[0].split() == ["KEY", "INVESTIGATIONS"]
    total = sum(int(line.split()[-1]) for line in lines[1:])
    assert total == sum(1 for p in planned if p.occurred_at.year == 2026)
    out = runner.invoke(cli, ["--db", db_url, "trends", "--by", "month", "--to", "31-12-2025"])
    assert out.exit_code == 1
    assert "--to: '31-12-2025' is not a date" in out.output

"""Snapshots of the learning screen at 80x24 and 160x48 on a generated set (fixed dates, fixed
"today"), the counts by quarter and the cause codes. Update with --snapshot-update after a
deliberate change, and look at the report before committing."""

from __future__ import annotations

import datetime as dt

import pytest
from learning_set import create, plan
from test_snapshots import keys

from rca_tui.app import make_app

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def learning_app(service):
    planned = plan(12)
    ids = create(service, planned)
    root = next(c for c in service.list_causes(ids[0]) if c.kind == "root")
    service.add_action(ids[0], "Remove the look-alike vials", addresses=[root.id],
                       strength="stronger")  # fmt: skip
    service.add_action(ids[0], "Train", addresses=[root.id], strength="weaker")
    return make_app(service, today=TODAY)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_learning_by_quarter(snap_compare, learning_app, size):
    assert snap_compare(learning_app, terminal_size=size, run_before=keys("g"))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_learning_by_code(snap_compare, learning_app, size):
    assert snap_compare(learning_app, terminal_size=size, run_before=keys("g", *"dddddd"))

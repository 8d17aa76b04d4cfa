"""Snapshots under NO_COLOR: the terminal's own colours, reverse video for the cursor row and
the focused button, bold for keys (tests/test_snapshots.py holds the 16-colour pictures: the
tests run with TERM=xterm, so the app draws them with `rca-16`). A planted escape sequence in
a title shows as `␛[7m`, on one line, in the list and in the header.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, TextArea

from models.demo import demo_document
from models.errors import RcaError
from rca_tui.app import make_app

TODAY = dt.date(2026, 11, 30)
SIZE = (80, 24)


def keys(*presses):
    """Press keys, letting the workers finish and stopping cursors blinking after each."""

    async def run_before(pilot) -> None:
        for key in (None, *presses):
            if key:
                await pilot.press(key)
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            for widget in [*pilot.app.screen.query(Input), *pilot.app.screen.query(TextArea)]:
                widget.cursor_blink = False
            await pilot.pause()

    return run_before


@pytest.fixture
def mono_app(service, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    service.import_document(demo_document(TODAY))
    service.create_investigation("\x1b[7mReverse\x1b[0m \u202eturned title", unit="ICU")
    return make_app(service, today=TODAY)


def test_home_no_color(snap_compare, mono_app):
    assert snap_compare(mono_app, terminal_size=SIZE, run_before=keys())


def test_overview_no_color(snap_compare, mono_app):
    assert snap_compare(mono_app, terminal_size=SIZE, run_before=keys("down", "enter"))


def test_team_dialog_no_color(snap_compare, mono_app):
    assert snap_compare(mono_app, terminal_size=SIZE, run_before=keys("down", "enter", "t", "a"))


def test_error_no_color(snap_compare, mono_app):
    async def run_before(pilot) -> None:
        await keys()(pilot)
        pilot.app.show_error(RcaError("The disk is full: nothing was saved"))
        await keys()(pilot)

    assert snap_compare(mono_app, terminal_size=SIZE, run_before=run_before)


"""User text never drives the terminal: control characters and bidi overrides in anything a
person typed, pasted or imported are shown as visible symbols on every screen, dialog,
notification and header, and in the command line's output; the stored text is unchanged.

The screens are checked the way a terminal would receive them: the whole screen as drawn
(`export_screenshot`) must hold no control character at all, and the escape sequence planted
in the data must show as `␛[7m`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from click.testing import CliRunner
from textual.widgets import Input, TextArea

from models.demo import demo_document
from models.errors import RcaError
from rca_tui.app import make_app
from rca_tui.cli import cli
from screens.visible import BIDI, visible

TODAY = dt.date(2026, 11, 30)
#: Reverse video, a terminal title (OSC ... BEL), a C1 CSI, and a right-to-left override.
EVIL = "\x1b[7m\x1b]0;owned\x07\x9b2J\u202e"
SHOWN = "␛[7m␛]0;owned␇�2J�"
#: The text fields of the interchange format that people write.
TEXT_KEYS = {
    "title", "unit", "description", "reported_by", "patient_name", "text", "evidence",
    "statement", "happened", "should_have", "source", "name", "owner", "what", "how",
    "note", "given_by", "hierarchy_category",
}  # fmt: skip


def _forbidden(text: str) -> set[str]:
    """The characters of `text` that would act on a terminal instead of showing."""
    controls = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), *BIDI)} - {"\n"}
    return set(text) & controls


def poisoned(document: object) -> object:
    """The demo document with EVIL in front of every text a person writes."""
    if isinstance(document, dict):
        return {
            k: EVIL + v if k in TEXT_KEYS and isinstance(v, str) and v else poisoned(v)
            for k, v in document.items()
        }
    if isinstance(document, list):
        return [poisoned(v) for v in document]
    return document


# --- the one function -------------------------------------------------------------------------
def test_visible_maps_controls_one_for_one():
    assert visible(EVIL) == SHOWN
    same = "plain text, [bold]markup[/] and ünïcode"
    assert visible(same) == same
    assert visible("two\nlines") == "two\nlines"
    assert visible("a\tb") == "a b" and visible("a\tb", keep_tabs=True) == "a\tb"
    assert visible("dos\r\nline") == "dos\nline" and visible("cr\ronly") == "cr␍only"
    assert visible("\x00\x7f\u2066\u200f") == "␀␡��"
    weird = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u202a\u202e\u2069"
    assert len(visible(weird, keep_tabs=True)) == len(weird)  # edit fields keep positions
    assert not _forbidden(visible(weird))


# --- every screen -----------------------------------------------------------------------------
async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def assert_safe(app, where: str, *, shown: bool = True) -> None:
    svg = app.export_screenshot()
    bad = _forbidden(svg)
    assert not bad, f"{where}: {sorted(map(hex, map(ord, bad)))} reach the terminal"
    if shown:
        # The drawn text, cell by cell (a cursor or a style change splits it into elements).
        drawn = "".join(html.unescape(t) for t in re.findall(r">([^<]*)</text>", svg))
        assert "␛[7m" in drawn.replace("\xa0", " "), f"{where}: the planted escape is not shown"


@pytest.fixture
def evil_app(service):
    inv = service.import_document(poisoned(demo_document(TODAY)))
    return make_app(service, today=TODAY), inv.id


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_every_screen_shows_controls_visibly(evil_app, size):
    app, inv_id = evil_app
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert_safe(app, "home")
        await pilot.press("enter")
        await settle(pilot)
        assert_safe(app, "overview (header, summary, findings)")
        # step screens and the dialogs they open on the poisoned records
        for step, dialog in (("e", None), ("t", "e"), ("l", "e"), ("f", "e"), ("f", "o"),
                             ("w", None), ("g", "l"), ("p", "e"), ("v", "f"),
                             ("a", None)):  # fmt: skip
            app.open_investigation(inv_id)
            await settle(pilot)
            await pilot.press(step)
            await settle(pilot)
            assert_safe(app, f"step {step}")
            if dialog:
                await pilot.press(dialog)
                await settle(pilot)
                assert_safe(app, f"step {step}, then {dialog}", shown=step != "v")
                if dialog != "o":  # o switches the fishbone to its outline, not a dialog
                    await pilot.press("escape")
                    await settle(pilot)
            while len(app.screen_stack) > 2:
                app.pop_screen()
        app.notify(f"Saved '{EVIL}'", title=EVIL)
        await settle(pilot)
        assert_safe(app, "notification")
        app.show_error(RcaError(f"Cannot save '{EVIL}'"), title=EVIL)
        await settle(pilot)
        assert_safe(app, "error dialog")


async def test_edit_fields_show_controls_but_keep_and_save_the_text(evil_app, service):
    """The action dialog opens on a poisoned action: its fields show ␛, and saving it stores
    the escape characters, not their pictures."""
    app, inv_id = evil_app
    cause = next(c for c in service.list_causes(inv_id) if c.kind == "root")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("p")  # the action plan: its first root cause, then its action
        await settle(pilot)
        await pilot.press("down", "e")
        await settle(pilot)
        text = app.screen.query_one("#text", TextArea)
        owner = app.screen.query_one("#owner", Input)
        assert text.text.startswith(EVIL) and owner.value.startswith(EVIL)
        assert_safe(app, "action dialog")
        assert text.has_focus
        await pilot.press("end", "x")
        typed = text.text
        assert typed.startswith(EVIL) and typed.count("x") > EVIL.count("x")
        await pilot.press("ctrl+s")
        await settle(pilot)
    stored = [a for a in service.list_actions(inv_id) if cause.id in a.addresses]
    assert typed in [a.text for a in stored]  # the escape characters, as they were
    assert all(a.owner.startswith(EVIL) for a in stored)


async def test_a_paste_with_escape_characters_is_stored_as_pasted(service):
    """Bracketed paste of text holding ESC: the field gets the text exactly (the terminal's
    parser used to cut it at the ESC and type the rest as keys)."""
    from textual import events

    from rca_tui.driver import PasteGuard

    guard = PasteGuard()
    pasted = "before \x1b[31m red \x1b]0;t\x07 after\x00"
    raw = "x\x1b[200~" + pasted + "\x1b[201~y"
    fed = "".join(guard.feed(raw[i : i + 3]) for i in range(0, len(raw), 3))  # in pieces
    assert fed.startswith("x\x1b[200~") and fed.endswith("\x1b[201~y")
    assert "\x1b" not in fed[len("x\x1b[200~") : -len("\x1b[201~y")]
    inner = fed[len("x\x1b[200~") : -len("\x1b[201~y")]
    assert guard.restore(events.Paste(inner)).text == pasted


# --- the command line -------------------------------------------------------------------------
def test_command_line_output_shows_controls_visibly(db_path, service):
    inv = service.import_document(poisoned(demo_document(TODAY)))
    runner = CliRunner()
    for args in (["list"], ["check", str(inv.id)], ["user", "list"]):
        out = runner.invoke(cli, ["--db", str(db_path), *args])
        assert out.exit_code == 0, out.output
        assert not _forbidden(out.output.replace("\n", "")), (args, out.output)
    listed = runner.invoke(cli, ["--db", str(db_path), "list"]).output
    assert "␛[7m" in listed
    # JSON output and exports keep the text exactly (a JSON string escapes it)
    data = json.loads(runner.invoke(cli, ["--db", str(db_path), "list", "--json"]).output)
    assert data[0]["title"].startswith(EVIL)
    assert service.get_investigation(inv.id).title.startswith(EVIL)  # stored unchanged

"""The app in any terminal, driven with Pilot: F2 saves wherever ctrl+s does (GNU screen with
flow control swallows ctrl+s) and the footer says so; the mouse is switched from the command
palette; over SSH nothing blinks or animates; a crash is logged without local variables in a
file only the user can read, and the app stops with one line and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import stat

from textual.widgets import Button, Input, SelectionList, TextArea

from models.demo import demo_document
from rca_tui.app import crash_message, make_app
from screens.home import HomeScreen
from screens.intake import IntakeScreen
from screens.team import MemberDialog

TODAY = dt.date(2026, 11, 30)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def footer_text(app) -> str:
    return "".join(s.text for s in app.screen._compositor.render_strips()[-1])


# --- a save key no terminal takes for flow control ---------------------------------------------
async def test_f2_saves_a_dialog_the_intake_and_an_export(service, tmp_path):
    inv = service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "t", "a")  # the team: add a member
        await settle(pilot)
        assert isinstance(app.screen, MemberDialog)
        assert str(app.screen.query_one("#ok", Button).label) == "Save ^s/f2"
        await pilot.press(*"Flow Control", "f2")
        await settle(pilot)
        assert "Flow Control" in [m.name for m in service.list_team(inv.id)]
        await pilot.press("escape", "e")  # the intake form
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert "^s/f2 Save" in footer_text(app)
        app.screen.query_one("#unit", Input).value = "5 East"
        await pilot.press("f2")
        await settle(pilot)
        assert service.get_investigation(inv.id).unit == "5 East"
        await pilot.press("escape", "x")  # the export dialog
        await settle(pilot)
        app.screen.query_one(SelectionList).deselect_all()
        app.screen.query_one(SelectionList).select("md")
        app.screen.query_one("#folder", Input).value = str(tmp_path / "out")
        assert "^s/f2 Export" in footer_text(app)
        await pilot.press("f2")
        await settle(pilot)
        await settle(pilot)
    assert [p.suffix for p in (tmp_path / "out").iterdir()] == [".md"]


# --- the mouse, from the command palette --------------------------------------------------------
async def test_the_palette_switches_the_mouse(service):
    app = make_app(service, today=TODAY, mouse=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for expected, command in ((True, "mouse on"), (False, "mouse off")):
            await pilot.press("ctrl+p", *command)
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert app.mouse is expected
            shown = [n.message for n in app._notifications]
            assert shown[-1].startswith("Mouse on" if expected else "Mouse off")


def test_mouse_setting_from_the_environment(monkeypatch):
    from rca_tui.config import SettingsError, load_settings

    for value, expected in (("on", True), ("0", False), ("Yes", True), ("off", False)):
        monkeypatch.setenv("RCA_MOUSE", value)
        assert load_settings().mouse is expected
    monkeypatch.setenv("RCA_MOUSE", "sometimes")
    try:
        load_settings()
    except SettingsError as exc:
        assert exc.message == "RCA_MOUSE='sometimes': expected on or off"
    else:  # pragma: no cover - the check above must refuse it
        raise AssertionError("RCA_MOUSE=sometimes was accepted")


# --- a slow link ---------------------------------------------------------------------------------
async def test_over_ssh_nothing_blinks_or_animates(service, demo_id, monkeypatch):
    import textual.constants

    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "full")  # tests set "none"
    app = make_app(service, today=TODAY, slow_link=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.animation_level == "none"
        await pilot.press("x")  # the home filter box: an Input
        await settle(pilot)
        await pilot.press("enter", "e")  # the intake: Inputs and TextAreas
        await settle(pilot)
        fields = [*app.screen.query(Input), *app.screen.query(TextArea)]
        for field in fields:
            field.focus()
            await pilot.pause()
        assert fields and not any(f.cursor_blink for f in fields)
    local = make_app(service, today=TODAY)
    async with local.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "e")
        await settle(pilot)
        assert local.animation_level == "full"
        assert any(f.cursor_blink for f in local.screen.query(Input))


# --- a crash -----------------------------------------------------------------------------------
async def test_a_crash_is_logged_without_locals_in_a_private_file(
    service, private_log, monkeypatch
):
    def broken(self, rows):
        patient = "Eleanor " + "Rigby, MRN-0048213"  # a local variable a traceback would show
        raise ZeroDivisionError(len(patient) // 0)

    monkeypatch.setattr(HomeScreen, "_loaded_rows", broken)
    private_log.parent.mkdir(parents=True)
    private_log.parent.chmod(0o755)
    private_log.write_text("an older log\n")
    private_log.chmod(0o644)
    app = make_app(service, today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
    except ZeroDivisionError:
        pass  # run_test raises the app's crash again for tests
    assert app.return_code == 1
    log = private_log.read_text()
    assert "ZeroDivisionError" in log and 'raise ZeroDivisionError' in log
    assert "Rigby" not in log and "MRN" not in log  # no local variables
    assert log.startswith("an older log\n")
    assert stat.S_IMODE(private_log.stat().st_mode) == 0o600
    assert stat.S_IMODE(private_log.parent.stat().st_mode) == 0o700
    # the screen: one line, where the log is, the kind of error but not its text (patient data)
    message = crash_message(KeyError("Eleanor Rigby"), str(private_log))
    assert "\n" not in message and message.endswith(str(private_log))
    assert "KeyError" in message and "Rigby" not in message

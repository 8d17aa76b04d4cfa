"""Every screen's footer at 80x24: nothing cut off under the palette key, Help on every one,
Back on every screen below home, Quit on home (ctrl+q quits from anywhere; F1 names it), and a
dialog's footer names Cancel."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Footer

from models.demo import demo_document
from rca_tui.app import make_app
from screens.help import HelpScreen

TODAY = dt.date(2026, 11, 30)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def footer_items(app) -> tuple[int, set[str]]:
    footer = app.screen.query_one(Footer)
    shown = [w for w in footer.children if w.display]
    width = sum(w.outer_size.width for w in shown)
    return width, {str(getattr(w, "description", "")) for w in shown}


async def test_every_footer_fits_80_columns_and_names_help_and_back(service):
    inv = service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY)
    seen: dict[str, tuple[int, set[str]]] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen["home"] = footer_items(app)
        for key in "tg":
            await pilot.press(key)
            await settle(pilot)
            seen[type(app.screen).__name__] = footer_items(app)
            if key == "g":  # the learning screen's drill-down list
                await pilot.press("enter")
                await settle(pilot)
                seen[type(app.screen).__name__] = footer_items(app)
                await pilot.press("escape")
                await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        app.open_investigation(inv.id)
        await settle(pilot)
        seen["overview"] = footer_items(app)
        for key in "etlfwgpvonaxs":
            await pilot.press(key)
            await settle(pilot)
            seen[type(app.screen).__name__] = footer_items(app)
            await pilot.press("escape")
            await settle(pilot)
    assert len(seen) >= 17, sorted(seen)
    for name, (width, shown) in seen.items():
        assert width <= 80, (name, width, sorted(shown))
        if name.endswith("Dialog"):  # a dialog with a footer: what it does and how to leave
            assert "Cancel" in shown, (name, shown)
            continue
        assert "Help" in shown, (name, shown)
        assert ("Quit" if name == "home" else "Back") in shown, (name, shown)


async def test_ctrl_q_quits_from_a_screen_whose_footer_does_not_show_it(service):
    inv = service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_investigation(inv.id)
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert "Quit" not in footer_items(app)[1]
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("^q", "Quit") in rows
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_a_wide_terminal_shows_more_of_a_screens_keys_and_80_columns_the_short_set(service):
    """At 200 columns the fishbone's footer also offers Kind, Move to bone, Outline and Redo
    (F1-only at 80), all within the width; resized to 80 it is the 80-column set again. Home
    never offers Back (there is nothing to go back to), nor Textual's own ctrl+c."""
    inv = service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        width, shown = footer_items(app)
        assert {"New", "Reload", "Quit", "Help"} <= shown and width <= 200
        assert not {"Back", "Copy selected text"} & shown
        app.open_investigation(inv.id)
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        wide_width, wide = footer_items(app)
        assert {"Kind", "Move to bone", "Outline", "Redo", "Back", "Help"} <= wide
        assert wide_width <= 200
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        narrow_width, narrow = footer_items(app)
        assert narrow_width <= 80
        assert not {"Kind", "Move to bone", "Outline", "Redo"} & narrow
        assert {"Add cause", "Back", "Help"} <= narrow
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert footer_items(app)[1] == wide

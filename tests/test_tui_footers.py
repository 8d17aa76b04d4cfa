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

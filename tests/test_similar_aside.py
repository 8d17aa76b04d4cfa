"""Similar past investigations beside the fishbone and the five whys: a line and a key at 80x24
(`p`/ctrl+o on the fishbone, ctrl+o on the five whys, opening the overview's list), a side
panel at 160x48 whose Enter opens the earlier investigation read-only, and nothing while there
is none."""

from __future__ import annotations

import datetime as dt

import pytest
from test_similar import make

from screens.similar_aside import hint

BOTH_BACKENDS = True
TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def pair(service):
    earlier = make(
        service,
        "Heparin 10,000 units/mL given to infants instead of 10 units/mL flush",
        "Heparin vials of two strengths look alike and are stocked in the same bin",
        ["TJC-MED.LASA", "TJC-MED.STORAGE"],
        status="closed",
        action="Stock only the 10 units/mL flush in neonatal units",
    )
    later = make(
        service,
        "Heparin 10,000 units/mL vials given to newborns in place of the flush",
        "Two heparin concentrations stocked side by side in the same bin",
        ["TJC-MED.LASA", "TJC-MED.STORAGE"],
    )
    return earlier, later


async def settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(widget) -> str:
    return str(widget.render())


def test_the_hint_counts_and_names_the_best_where_it_fits():
    from models.similarity import Similar

    best = Similar(12, "Heparin vials of two strengths mixed up in the NICU", 0.87, "closed", ())
    assert str(hint([], "p")) == "0 similar past investigations: p"
    line = str(hint([best, best], "p", 80))
    assert line.startswith("2 similar past investigations: p  (best #12 Heparin vials")
    assert line.endswith("…, 0.87)") and len(line) == 78  # the line's padding takes 2
    assert str(hint([best], "ctrl+o", 50)) == "1 similar past investigation: ctrl+o"  # no room


async def test_a_line_and_a_key_at_80x24(service, pair):
    from rca_tui.app import make_app
    from screens.fishbone import FishboneScreen
    from screens.five_whys import FiveWhysScreen
    from screens.overview import OverviewScreen
    from screens.similar import SimilarScreen

    earlier, later = pair
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_investigation(later)
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        fishbone = app.screen
        assert isinstance(fishbone, FishboneScreen)
        line = fishbone.query_one("#similar-line")
        assert line.display and not fishbone.query_one("#similar-panel").display
        best = f"1 similar past investigation: p  (best #{earlier} Heparin"
        assert text_of(line).startswith(best)
        # the drawing keeps most of the screen
        assert fishbone.query_one("#drawing").region.height >= 14
        for key in ("p", "ctrl+o"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, SimilarScreen)
            assert app.screen.investigation_id == later
            assert [f.id for f in app.screen.found] == [earlier]
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is fishbone
        await pilot.press("w")
        await settle(pilot)
        whys = app.screen
        assert isinstance(whys, FiveWhysScreen)
        assert text_of(whys.query_one("#similar-line")).startswith(
            "1 similar past investigation: ctrl+o"
        )
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, SimilarScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.investigation_id == earlier
        assert app.screen.dossier.investigation.status == "closed"  # frozen: read-only


@pytest.mark.parametrize("step", ["f", "w"])
async def test_a_side_panel_at_160x48(service, pair, step):
    from textual.widgets import DataTable

    from rca_tui.app import make_app
    from screens.overview import OverviewScreen

    earlier, later = pair
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(160, 48)) as pilot:
        app.open_investigation(later)
        await settle(pilot)
        await pilot.press(step)
        await settle(pilot)
        screen = app.screen
        panel = screen.query_one("#similar-panel")
        assert panel.display and not screen.query_one("#similar-line").display
        assert panel.region.width == 48 and panel.region.height >= 20
        detail = text_of(panel.query_one(".similar-detail"))
        assert "Root causes: Heparin vials of two strengths look alike" in detail
        assert "Stock only the 10 units/mL flush in neonatal units (Stronger, Open)" in detail
        table = panel.query_one(DataTable)
        assert table.row_count == 1
        # narrower: the panel gives way to the line
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not panel.display and screen.query_one("#similar-line").display
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert panel.display
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.investigation_id == earlier


async def test_nothing_shown_while_there_is_none(service):
    from rca_tui.app import make_app
    from screens.fishbone import FishboneScreen

    inv = service.create_investigation("Nothing like it")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(160, 48)) as pilot:
        app.open_investigation(inv.id)
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert not screen.query_one("#similar-line").display
        assert not screen.query_one("#similar-panel").display
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, FishboneScreen)

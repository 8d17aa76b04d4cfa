"""Similar past investigations: ranking fixtures (shared codes and similar texts, best first),
only approved or closed ones unless --all, `rca similar` in text and JSON, and the overview's
panel (Enter opens the earlier investigation, read-only)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from models.similarity import jaccard, ranked, text_similarity

BOTH_BACKENDS = True
TODAY = dt.date(2026, 11, 30)


def finish(service, inv_id: int, status: str = "approved") -> None:
    """Mark an investigation finished directly in the database (the review path has its own
    tests; here only the status matters)."""
    with service.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE investigation SET status = :s WHERE id = :i"), {"s": status, "i": inv_id}
        )


def make(service, title, root, codes, *, status=None, action=None):
    inv = service.create_investigation(title, event_type="medication")
    ev = service.add_cause(inv.id, title, kind="event")
    cause = service.add_cause(inv.id, root, kind="root", effect_id=ev.id, codes=codes)
    if action:
        service.add_action(inv.id, action, addresses=[cause.id], strength="stronger")
    if status:
        finish(service, inv.id, status)
    return inv.id


@pytest.fixture
def heparin(service):
    ids = {
        "2001": make(
            service,
            "Heparin 10,000 units/mL given to infants instead of 10 units/mL flush",
            "Heparin vials of two strengths look alike and are stocked in the same bin",
            ["TJC-MED.LASA", "TJC-MED.STORAGE"],
            status="closed",
            action="Stock only the 10 units/mL flush in neonatal units",
        ),
        "insulin": make(
            service,
            "Insulin pens of two patients mixed up",
            "Look-alike insulin pens stored together in one drawer",
            ["TJC-MED.LASA"],
            status="approved",
        ),
        "fall": make(
            service,
            "Fall in the bathroom at night",
            "Bed alarm not re-armed",
            ["LP-TASK"],
            status="approved",
        ),
        "draft": make(
            service,
            "Heparin concentration mix-up in the NICU (draft)",
            "Heparin vials of two strengths look alike",
            ["TJC-MED.LASA", "TJC-MED.STORAGE"],
        ),
        "2006": make(
            service,
            "Heparin 10,000 units/mL vials given to newborns in place of the flush",
            "Two heparin concentrations stocked side by side in the same bin",
            ["TJC-MED.LASA", "TJC-MED.STORAGE"],
        ),
    }
    return ids


def test_the_pieces_of_the_score():
    assert jaccard(frozenset("ab"), frozenset("bc")) == pytest.approx(1 / 3)
    assert jaccard(frozenset(), frozenset("a")) == 0
    assert text_similarity("Heparin vials look alike", "heparin VIALS look-alike!") == 1.0
    assert text_similarity("", "x") == 0
    assert ranked([(1, 0.5), (2, 0.5), (3, 0.9), (4, 0.0)], 10) == [(3, 0.9), (2, 0.5), (1, 0.5)]
    assert ranked([(1, 0.1), (2, 0.3)], 10, minimum=0.2) == [(2, 0.3)]


def test_the_2001_heparin_event_ranks_first_for_the_2006_one(service, heparin):
    found = service.similar(heparin["2006"])
    assert [f.id for f in found][:2] == [heparin["2001"], heparin["insulin"]]
    first, second = found[0], found[1]
    assert first.shared_codes == ("TJC-MED.LASA", "TJC-MED.STORAGE")
    assert second.shared_codes == ("TJC-MED.LASA",)
    assert 0 < second.score < first.score <= 1
    assert first.status == "closed"
    assert first.root_causes == (
        "Heparin vials of two strengths look alike and are stocked in the same bin",
    )
    assert [(a.text, a.strength) for a in first.actions] == [
        ("Stock only the 10 units/mL flush in neonatal units", "stronger")
    ]
    fall = [f for f in found if f.id == heparin["fall"]]
    assert not fall or fall[0].score < second.score
    # drafts only with --all; never the investigation itself
    assert heparin["draft"] not in [f.id for f in found]
    every = service.similar(heparin["2006"], include_all=True)
    assert every[0].id == heparin["draft"] or every[1].id == heparin["draft"]
    assert heparin["2006"] not in [f.id for f in every]
    assert all(0 <= f.score <= 1 for f in every)


def test_without_codes_the_text_decides(service, heparin):
    plain = make(service, "Heparin vials of two strengths mixed up", "Vials look alike", [])
    found = service.similar(plain)
    assert found[0].id == heparin["2001"]
    assert found[0].shared_codes == ()


def test_rca_similar(url_for, service, heparin):
    from rca_tui.cli import cli

    runner = CliRunner()
    db = url_for("alice")
    out = runner.invoke(cli, ["--db", db, "similar", str(heparin["2006"]), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data[0]["id"] == heparin["2001"]
    assert {"id", "title", "score", "status", "shared_codes"} <= set(data[0])
    assert data == sorted(data, key=lambda d: -d["score"])
    out = runner.invoke(cli, ["--db", db, "similar", str(heparin["2006"]), "--all"])
    assert out.exit_code == 0
    assert f"{heparin['draft']:>5}" in out.output
    assert "shared codes: TJC-MED.LASA, TJC-MED.STORAGE" in out.output
    out = runner.invoke(cli, ["--db", db, "similar", "9999"])
    assert out.exit_code == 1 and "no investigation with id 9999" in out.output


async def test_the_overview_names_them_and_s_lists_them(service, heparin):
    from textual.widgets import DataTable, Static

    from rca_tui.app import make_app
    from screens.overview import OverviewScreen
    from screens.similar import SimilarScreen

    async def settle(pilot):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_investigation(heparin["2006"])
        await settle(pilot)
        overview = app.screen
        line = str(overview.query_one("#similar-line", Static).render())
        assert line.startswith(f"Similar past investigations (s): #{heparin['2001']} Heparin")
        # the findings keep their room at 80x24
        assert overview.query_one("#findings").region.height >= 3
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SimilarScreen)
        table = screen.query_one("#similar", DataTable)
        assert table.row_count >= 2
        detail = str(screen.query_one("#detail", Static).render())
        assert "Root causes: Heparin vials of two strengths look alike" in detail
        assert "Stock only the 10 units/mL flush in neonatal units (Stronger, Open)" in detail
        await pilot.press("down")
        await pilot.pause()
        assert "Look-alike insulin pens" in str(screen.query_one("#detail", Static).render())
        await pilot.press("up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.investigation_id == heparin["2001"]
        assert app.screen.dossier.investigation.status == "closed"  # frozen: read-only
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        # The same from the command palette (the list answers Enter with its own selection).
        await pilot.press("ctrl+p", *"investigation: open (read-only)")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.investigation_id == heparin["2001"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is overview


async def test_s_without_similar_ones_says_so(service):
    from rca_tui.app import make_app

    inv = service.create_investigation("Nothing like it")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_investigation(inv.id)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.query_one("#similar-line").display
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "OverviewScreen"

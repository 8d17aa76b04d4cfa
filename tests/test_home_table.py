"""The home table's cells are `FixedCell`s, which the DataTable does not measure (issue 16: 6,000
measurements with 1,000 investigations), and they still draw in full at the widths
`column_widths` gives, on a narrow and a wide terminal.

If a Textual release began to size columns that have a width from their cells' measurements,
a cell that offers none would count as one column wide and the home list would show one letter
of each value: the checks on what is drawn below would fail.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rich.text import Text
from textual.render import measure
from textual.widgets import DataTable

from rca_tui.app import make_app
from screens.formatting import FixedCell
from screens.home import column_widths

TODAY = dt.date(2026, 11, 30)
TITLE = "Insulin overdose on ICU after a verbal order was misheard"


async def _drawn(pilot) -> tuple[DataTable, list[str]]:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    table = pilot.app.screen.query_one("#investigations", DataTable)
    lines = [table.render_line(y).text for y in range(table.size.height)]
    return table, lines


@pytest.mark.parametrize("width", [80, 140])
async def test_cells_draw_in_full_at_the_column_widths(service, width):
    service.create_investigation(
        TITLE, unit="ICU", occurred_at=dt.datetime(2026, 10, 1, 9, 30), event_type="medication"
    )
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(width, 30)) as pilot:
        table, lines = await _drawn(pilot)
        row = table.get_row_at(0)
        assert all(isinstance(cell, FixedCell) for cell in row)
        widths = column_widths(width)
        assert [c.get_render_width(table) for c in table.ordered_columns] == [
            widths[k] for k in ("title", "unit", "event", "sac", "status", "due")
        ]
        drawn = lines[1]  # under the header
        title = row[0].plain
        if width == 80:  # cut to its column (one space apart from the next)
            assert len(title) == widths["title"] - 1 and TITLE.startswith(title.rstrip("…"))
        else:
            assert title == TITLE
        for cell in row:
            assert cell.plain in drawn, cell.plain
        assert "OVERDUE" in drawn  # occurred two months ago: its deadlines have passed
        assert "2026-10-01" in drawn and "ICU" in drawn


def test_a_fixed_cell_is_a_text_that_offers_no_measurement():
    from rich.console import Console

    console = Console(width=80)
    cell = FixedCell("12d left", style="yellow")
    assert measure(console, cell, 1) == 1  # the default: nothing asked of the console
    assert measure(console, Text("12d left"), 1) == 8
    assert [s.text for s in console.render(cell)] == [
        s.text for s in console.render(Text("12d left", style="yellow"))
    ]

"""Similar past investigations beside the fishbone and the five whys, while analysing.

The issue asks for the overview's "check past actions" panel beside both analysis screens too.
At 80x24 a panel does not fit beside the drawing, so a narrow screen gets one line ("3 similar
past investigations: p") and a key that opens the overview's list (screens/similar.py); a
screen of at least `WIDE` x `TALL` cells gets a panel on the right, each earlier investigation
with its score and title, and its root causes and actions under the cursor. Enter on the panel
opens one read-only, as on the overview. The line and the panel are hidden while there is none.

`SimilarAside` is the screen side (the read, the key, the choice of line or panel); the screen
composes `SimilarLine` and `SimilarPanel` where it wants them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from models.similarity import Similar
from screens.base import ServiceScreen
from screens.formatting import one_line
from screens.host import Hosted
from screens.similar import detail

#: From this size up, the panel is drawn beside the analysis (the drawing keeps 110 columns).
WIDE = 160
TALL = 48
#: The panel's title column: its 48 cells less the border, score, id and cell padding.
TITLE_WIDTH = 29
#: How many the read asks for: the panel shows them all, the line counts them.
LIMIT = 10


def hint(found: list[Similar], key: str, width: int = 80) -> Text:
    """'3 similar past investigations: p' and, where the line has room (`width` cells), the best
    one: '(best #12 Heparin vials…, 0.87)'."""
    n = len(found)
    text = Text(f"{n} similar past investigation{'s' * (n != 1)}: {key}", style="bold")
    if found:
        best = found[0]
        frame = f"  (best #{best.id} , {best.score:.2f})"
        room = width - 2 - len(text) - len(frame)  # 2: the line's padding
        if room >= 12:
            text.append(f"  (best #{best.id} {one_line(best.title, room)}, {best.score:.2f})")
    return text


class SimilarLine(Static):
    """The one-line hint of a narrow screen."""

    DEFAULT_CSS = """
    SimilarLine {
        height: 1;
        padding: 0 1;
        display: none;
    }
    """


class SimilarPanel(Vertical):
    """The side panel of a wide screen: the list, and what the highlighted one found and did."""

    DEFAULT_CSS = """
    SimilarPanel {
        width: 48;
        height: 1fr;
        border-left: solid $primary;
        display: none;
    }
    SimilarPanel > .similar-title {
        padding: 0 1;
        text-style: bold;
    }
    SimilarPanel > DataTable {
        height: auto;
        max-height: 50%;
    }
    SimilarPanel > .similar-detail {
        height: 1fr;
        padding: 1 1 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.found: list[Similar] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Similar past investigations"), classes="similar-title")
        yield DataTable(id="similar-list", cursor_type="row", cell_padding=1)
        yield Static(classes="similar-detail")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Score", width=5)
        table.add_column("ID", width=4)
        table.add_column("Title", width=TITLE_WIDTH)

    def show(self, found: list[Similar]) -> None:
        self.found = list(found)
        table = self.query_one(DataTable)
        table.clear()
        for f in self.found:
            title = Text(one_line(f.title, TITLE_WIDTH))
            table.add_row(Text(f"{f.score:.2f}"), Text(str(f.id)), title)
        self._detail(table.cursor_row)

    def _detail(self, row: int | None) -> None:
        box = self.query_one(".similar-detail", Static)
        if row is not None and 0 <= row < len(self.found):
            box.update(detail(self.found[row]))
        else:
            box.update(Text(""))

    @on(DataTable.RowHighlighted, "#similar-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail(event.cursor_row)

    @on(DataTable.RowSelected, "#similar-list")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.found):
            screen = self.screen
            if isinstance(screen, Hosted):
                screen.host.open_investigation(self.found[event.cursor_row].id)


if TYPE_CHECKING:
    _AsideBase = ServiceScreen
else:
    _AsideBase = object


class SimilarAside(_AsideBase):
    """Mixed into an analysis screen (a `ServiceScreen` with `investigation_id`) that composes
    a `SimilarLine` and a `SimilarPanel`; its `SIMILAR_KEY` binding runs `action_similar`."""

    #: The key named in the hint line (the screen binds it to `similar`).
    SIMILAR_KEY = "p"
    investigation_id: int
    _similar_found: list[Similar]

    def load_similar(self) -> None:
        """Ask for the similar ones (a read of its own group: the screen's reload is not held)."""
        self.call(
            self.service.similar,
            self.investigation_id,
            limit=LIMIT,
            then=self._similar_loaded,
            group="similar",
        )

    def _similar_loaded(self, found: list[Similar]) -> None:
        self._similar_found = list(found)
        self.query_one(SimilarPanel).show(found)
        self._place_similar()

    def _place_similar(self) -> None:
        """The panel on a wide screen, the line on a narrow one, neither while there is none."""
        found = bool(getattr(self, "_similar_found", None))
        size = self.app.size
        wide = size.width >= WIDE and size.height >= TALL
        self.query_one(SimilarPanel).display = found and wide
        line = self.query_one(SimilarLine)
        line.display = found and not wide
        line.update(hint(self._similar_found if found else [], self.SIMILAR_KEY, size.width))

    def on_resize(self, event: events.Resize) -> None:
        self._place_similar()

    def action_similar(self) -> None:
        from screens.similar import SimilarScreen

        found = getattr(self, "_similar_found", None)
        if found:
            self.app.push_screen(SimilarScreen(self.investigation_id, found))
        else:
            self.notify("No similar investigation approved or closed yet.", markup=False)

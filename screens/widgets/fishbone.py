"""The fishbone (Ishikawa) diagram of an investigation, drawn in the terminal.

Why a drawing and not a list: RCA teams brainstorm causes on a fishbone on paper or a whiteboard,
and the shape itself carries meaning: the event is the HEAD on the right, a SPINE leads to it, and
every contributory-factor category is a BONE, half above the spine and half below, with its causes
hanging off it and the "whys" of each cause indented under it. A clinician recognises that picture
at a glance; a flat list would hide which category is thin and which cause explains which.

Five modules, one purpose each (this one is the widget, and the import path of all):

- `fishbone_text`: cause texts fitted to cells (`clean_text`, `wrap_label`).
- `fishbone_drawing`: the laid-out drawing (`FishboneLayout`, `Bone`, `Hotspot`, `Stop`).
- `fishbone_layout`: `layout_fishbone()`, a pure function (no app, no Textual screen): it
  places the head, spine, bones and cause labels for a given width and returns a
  `FishboneLayout` with the drawn lines (Rich segments, turned into Textual strips only when a
  line is shown), a hotspot for every drawn label and the keyboard order. It is O(number of
  causes + links), so a 2,000-cause investigation lays out in milliseconds.
- `fishbone_relabel`: `relabel()`, one cause's label drawn again in a layout (an undo of its
  text on 5,000 causes is not a relayout).
- here, `FishboneView`, a Line API `ScrollView`: `render_line` only draws the lines on screen, and a
  cursor moves over causes and bone names the way the drawing looks (up/down along a bone and
  across the spine, left/right to the next bone on the same side), so an empty bone can be
  chosen too. `bone_trees()`, which places the causes on the bones, is shared with the fishbone
  screen's outline, so the two views never disagree.

User text is never parsed as markup: every label is a plain Rich `Segment`, so a
cause typed as "[bold]x[/]" shows exactly that. Control characters and bidi overrides are shown
as visible symbols (`clean_text`, which is `screens.visible.visible` on one line), so pasted
escape codes cannot reach the terminal.

A cursor move repaints only the rows it changes (the label it leaves and the one it reaches),
not the whole drawing: over SSH a full repaint of the drawing is about 18 kB per key. The
drawing's characters all have an ASCII stand-in of the same width (`rca_tui.terminal`), so a
terminal without UTF-8 gets the same shape in ASCII.

Marks that matter (root cause, contributing factor, not linked, drawn elsewhere) are characters,
not colours, so the drawing reads on a monochrome terminal; a legend under the drawing says what
they mean.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.widgets.fishbone_drawing import Bone, FishboneLayout, Hotspot, Span, Stop
from screens.widgets.fishbone_layout import LayoutCache, layout_fishbone
from screens.widgets.fishbone_relabel import relabel
from screens.widgets.fishbone_text import clean_text, wrap_label

__all__ = [
    "Bone",
    "FishboneLayout",
    "FishboneView",
    "Hotspot",
    "Stop",
    "clean_text",
    "layout_fishbone",
    "wrap_label",
]

if TYPE_CHECKING:
    from models.domain import Cause, Link


# --- the widget -------------------------------------------------------------------------------


class FishboneView(ScrollView, can_focus=True):
    """The fishbone drawing with a cursor over causes and bone names.

    Call `set_data()` with the investigation's categories, causes and links; the view lays them
    out for its width (again when resized) and keeps the cursor on the same cause. The arrows
    move as the drawing looks (see `FishboneLayout.step`), and the cursor can rest on a bone's
    name, so a bone without causes can be chosen. It posts `CauseHighlighted` whenever the
    cursor moves or the data changes, and `CauseSelected` on Enter on a cause. The screen shows
    the full text of the highlighted cause.
    """

    BINDINGS = [
        Binding("up", "cursor_up", "Up the bone (or across the spine)", show=False),
        Binding("down", "cursor_down", "Down the bone (or across the spine)", show=False),
        Binding("left", "cursor_left", "Bone to the left", show=False),
        Binding("right", "cursor_right", "Bone to the right", show=False),
        Binding("home", "cursor_first", "First cause", show=False),
        Binding("end", "cursor_last", "Last cause", show=False),
        Binding("enter", "select", "Open cause", show=False),
    ]

    COMPONENT_CLASSES = {
        "fishbone--bone",
        "fishbone--spine",
        "fishbone--category",
        "fishbone--head",
        "fishbone--root",
        "fishbone--contributing",
        "fishbone--ref",
        "fishbone--unlinked",
        "fishbone--legend",
        "fishbone--cursor",
        "fishbone--ref-cursor",
    }

    DEFAULT_CSS = """
    FishboneView {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        & > .fishbone--bone { color: $foreground-muted; }
        & > .fishbone--spine { color: $primary; text-style: bold; }
        & > .fishbone--category { color: $text-primary; text-style: bold; }
        & > .fishbone--head { color: $text-warning; text-style: bold; }
        & > .fishbone--root { color: $text-error; text-style: bold; }
        & > .fishbone--contributing { color: $text-secondary; }
        & > .fishbone--ref { color: $text-muted; }
        & > .fishbone--unlinked { color: $text-warning; text-style: bold; }
        & > .fishbone--legend { color: $text-muted; }
        & > .fishbone--cursor {
            background: $block-cursor-blurred-background;
            text-style: underline;
        }
        & > .fishbone--ref-cursor { text-style: underline; }
        &:focus > .fishbone--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    #: Where the cursor is: a cause, or a bone's name (None only when there are no bones).
    cursor: reactive[Stop | None] = reactive(None, init=False, repaint=False)  # see watch_cursor

    class CauseHighlighted(Message):
        """The cursor moved, or the data changed. `cause_id` is the cause under the cursor
        (None on a bone's name or when there is nothing), `bone` the name of its bone."""

        def __init__(
            self, fishbone: FishboneView, cause_id: int | None, bone: str | None = None
        ) -> None:
            super().__init__()
            self.fishbone = fishbone
            self.cause_id = cause_id
            self.bone = bone

        @property
        def control(self) -> FishboneView:
            return self.fishbone

    class CauseSelected(Message):
        """Enter was pressed on a cause."""

        def __init__(self, fishbone: FishboneView, cause_id: int) -> None:
            super().__init__()
            self.fishbone = fishbone
            self.cause_id = cause_id

        @property
        def control(self) -> FishboneView:
            return self.fishbone

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._data: tuple[str, list[str], list[Cause], list[Link]] = ("", [], [], [])
        self._layout: FishboneLayout | None = None
        self._cache = LayoutCache()  # the bones the next layout can reuse
        self._styles_used: dict[str, Style] | None = None
        self._laid_out_for = 0
        #: A cause asked for by `select_cause` before there was a layout to find it in.
        self._wanted: int | None = None
        #: Seconds the last layout took (for the benchmark in the tests).
        self.last_layout_seconds = 0.0

    # --- public API --------------------------------------------------------------------------
    @property
    def fishbone_layout(self) -> FishboneLayout | None:
        """The current layout (None until the view has a size)."""
        return self._layout

    @property
    def cursor_cause(self) -> int | None:
        """The cause under the cursor (None on a bone's name, or when there is nothing)."""
        return self.cursor.cause if self.cursor is not None else None

    @property
    def cursor_bone(self) -> Bone | None:
        """The bone the cursor is on: the bone a cause is drawn on, or the bone named."""
        if self._layout is None or self.cursor is None:
            return None
        return self._layout.bones[self.cursor.bone]

    def set_data(
        self,
        event_text: str,
        categories: Sequence[str],
        causes: Iterable[Cause],
        links: Iterable[Link],
    ) -> None:
        """Show these causes; the cursor stays on its cause if it still exists."""
        self._data = (event_text, list(categories), list(causes), list(links))
        self._relayout(announce=True)

    def update_cause(self, cause: Cause) -> bool:
        """Show one cause's new fields, drawing only its label again when its kind, category
        and links are as drawn (an edit or undo of its text): False if the whole drawing must
        be laid out instead (`set_data` with everything)."""
        layout = self._layout
        width = self.scrollable_content_region.width or self._laid_out_for
        if layout is None or self._styles_used is None or width != self._laid_out_for:
            return False
        changed = relabel(layout, self._cache, cause, self._styles_used)
        if changed is None:
            return False
        causes = self._data[2]
        for k, c in enumerate(causes):
            if c.id == cause.id:
                causes[k] = cause
        lines = set(changed)
        for row in range(self.scrollable_content_region.height):
            if self._line_at(row) in lines:  # on screen (the rest is drawn when scrolled to)
                self.refresh(Region(0, row, self.size.width, 1))
        return True

    def select_cause(self, cause_id: int) -> bool:
        """Move the cursor to `cause_id` and scroll it into view; False if it is not drawn."""
        layout = self._layout
        if layout is None:
            self._wanted = cause_id
            return True
        stop = layout.stop_of(cause_id)
        if stop is None:
            return False
        if self.cursor == stop:
            self._scroll_to_cursor()
        else:
            self.cursor = stop
        return True

    # --- layout --------------------------------------------------------------------------------
    def _theme_styles(self) -> dict[str, Style]:
        def get(name: str) -> Style:
            # Full styles: a partial one would drop the blending of "muted" (translucent) colours.
            return self.get_component_rich_style(f"fishbone--{name}")

        return {
            "bone": get("bone"),
            "spine": get("spine"),
            "category": get("category"),
            "head": get("head"),
            "cause": Style(),
            "root": get("root"),
            "contributing": get("contributing"),
            "mark": Style(bold=True),
            "ref": get("ref"),
            "unlinked": get("unlinked"),
            "empty": get("ref"),
            "legend": get("legend"),
        }

    def _relayout(self, announce: bool = False) -> None:
        # Hidden (the screen shows its outline instead), the view has no width: it lays out
        # for the width it last had, so the drawing is current the moment it is shown again.
        width = self.scrollable_content_region.width or self._laid_out_for
        if not width:
            return  # laid out on the first resize
        self._laid_out_for = width
        old = self._layout
        old_cursor = self.cursor
        styles = self._theme_styles()
        self._styles_used = styles
        start = time.perf_counter()
        layout = layout_fishbone(*self._data, width, styles=styles, cache=self._cache)
        self.last_layout_seconds = time.perf_counter() - start
        self._layout = layout
        self.virtual_size = Size(layout.width, layout.height)
        cursor = self._keep_cursor(old, old_cursor, layout)
        self._wanted = None
        changed = cursor != old_cursor
        self.set_reactive(FishboneView.cursor, cursor)
        self.refresh()
        if changed or announce:
            self._announce()
        # Scrolls only if the cursor's label is out of sight (say, causes were added above it).
        self.call_after_refresh(self._scroll_to_cursor)

    def _keep_cursor(
        self, old: FishboneLayout | None, cursor: Stop | None, new: FishboneLayout
    ) -> Stop | None:
        for wanted in (self._wanted, cursor.cause if cursor is not None else None):
            if wanted is not None and (stop := new.stop_of(wanted)) is not None:
                return stop
        if old is not None and cursor is not None and cursor.bone < len(old.bones):
            # The cause went away (or the cursor was on a name): stay on the same bone.
            name = old.bones[cursor.bone].name
            for i, bone in enumerate(new.bones):
                if bone.name == name:
                    if cursor.cause is None or not bone.causes:
                        return Stop(i)
                    k = old.position[cursor.cause][1] if cursor.cause in old.position else 0
                    return Stop(i, bone.causes[min(k, len(bone.causes) - 1)])
        order = new.order
        if order:
            return new.stop_of(order[0])
        return Stop(0) if new.bones else None

    def on_resize(self, event: events.Resize) -> None:
        if self._layout is None or self._laid_out_for != self.scrollable_content_region.width:
            self._relayout(announce=self._layout is None)
        else:
            # Taller or shorter (the panel below grew): keep the cursor clear of the names.
            self.call_after_refresh(self._scroll_to_cursor)

    def on_show(self) -> None:
        width = self.scrollable_content_region.width
        if self._layout is not None and width and width != self._laid_out_for:
            self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._layout is not None and self._theme_styles() != self._styles_used:
            self._relayout()

    # --- cursor ----------------------------------------------------------------------------------
    def validate_cursor(self, value: Stop | None) -> Stop | None:
        layout = self._layout
        if layout is None or (value is not None and layout.valid(value)):
            return value
        return self.cursor

    def watch_cursor(self, old: Stop | None, new: Stop | None) -> None:
        self._refresh_stops(old, new)
        self._scroll_to_cursor()  # a scroll repaints what it shows anyway
        self._announce()

    def _refresh_stops(self, *stops: Stop | None) -> None:
        """Repaint only the cells of these stops (their labels, and the references to their
        causes), not the whole drawing: the highlight is all that changes."""
        layout = self._layout
        if layout is None:
            self.refresh()
            return
        spans: dict[int, list[tuple[int, int]]] = {}
        for stop in stops:
            if stop is None or not layout.valid(stop):
                continue
            refs = layout.ref_spans.get(stop.cause, ()) if stop.cause is not None else ()
            for y, x0, x1 in (*layout.stop_spans(stop), *refs):
                spans.setdefault(y, []).append((x0, x1))
        scroll_x = self.scroll_offset.x
        for row in range(self.scrollable_content_region.height):
            for x0, x1 in spans.get(self._line_at(row), ()):
                self.refresh(Region(x0 - scroll_x, row, x1 - x0, 1))

    def _announce(self) -> None:
        bone = self.cursor_bone
        self.post_message(
            self.CauseHighlighted(self, self.cursor_cause, bone.name if bone else None)
        )

    def _scroll_to_cursor(self) -> None:
        layout = self._layout
        stop = self.cursor
        if layout is None or stop is None or not layout.valid(stop):
            return
        rows = layout.stop_spans(stop)
        y0, y1 = rows[0][0], rows[-1][0]
        x0 = min(r[1] for r in rows)
        x1 = max(r[2] for r in rows)
        bone = layout.bones[stop.bone]
        if bone.above and (stop.cause is None or layout.position[stop.cause][1] == 0):
            y0 = 0  # the first cause of an upper bone: show the category name too
        region = Region(x0, y0, max(1, x1 - x0), y1 - y0 + 1)
        # Room for the sticky category names (see `_line_at`) and one line of context.
        spacing = Spacing(layout.top_labels + 1, 0, layout.bottom_labels[1] + 1, 0)
        wanted = region.grow(spacing).intersection(Region(0, 0, *self.virtual_size))
        view = Region(*self.scroll_offset, *self.scrollable_content_region.size)
        if view.contains_region(wanted):
            return  # in view already: asking to scroll would repaint the scrollbars
        self.scroll_to_region(region, animate=False, spacing=spacing, immediate=True)

    def _step(self, direction: str) -> None:
        if self._layout is None:
            return
        if self.cursor is None or not self._layout.valid(self.cursor):
            self.action_cursor_first()
            return
        target = self._layout.step(self.cursor, direction)
        if target is not None:
            self.cursor = target

    def action_cursor_up(self) -> None:
        self._step("up")

    def action_cursor_down(self) -> None:
        self._step("down")

    def action_cursor_left(self) -> None:
        self._step("left")

    def action_cursor_right(self) -> None:
        self._step("right")

    def action_cursor_first(self) -> None:
        layout = self._layout
        if layout is not None and layout.bones:
            order = layout.order
            self.cursor = layout.stop_of(order[0]) if order else Stop(0)

    def action_cursor_last(self) -> None:
        layout = self._layout
        if layout is not None and layout.bones:
            order = layout.order
            self.cursor = layout.stop_of(order[-1]) if order else Stop(len(layout.bones) - 1)

    def action_select(self) -> None:
        if self.cursor_cause is not None and self._layout is not None:
            self.post_message(self.CauseSelected(self, self.cursor_cause))

    def on_click(self, event: events.Click) -> None:
        if self._layout is None:
            return
        stop = self._layout.stop_at(event.x + self.scroll_offset.x, self._line_at(event.y))
        if stop is not None:
            self.cursor = stop
            if event.chain == 2:
                self.action_select()

    # --- drawing ---------------------------------------------------------------------------------
    def _line_at(self, y: int) -> int:
        """The layout line shown at row `y` of the view.

        While the middle of the upper bones is on screen, their category names stay in the top
        rows (and those of the lower bones in the bottom rows), so a long bone never loses its
        name: a sticky header, as in a spreadsheet.
        """
        scroll_y = self.scroll_offset.y
        layout = self._layout
        line_no = scroll_y + y
        if layout is None:
            return line_no
        height = self.scrollable_content_region.height
        top = layout.top_labels
        first, count = layout.bottom_labels
        if height < top + count + 4:
            return line_no
        if y < top and scroll_y > 0 and scroll_y + top < layout.spine_y - 2:
            return y
        rows_from_bottom = height - y
        if (
            count
            and rows_from_bottom <= count
            and scroll_y + height < first + count
            and scroll_y + height - count > layout.spine_y + 2
        ):
            return first + count - rows_from_bottom
        return line_no

    def render_line(self, y: int) -> Strip:
        scroll_x = self.scroll_offset.x
        width = self.scrollable_content_region.width
        base = self.rich_style
        layout = self._layout
        line_no = self._line_at(y)
        if layout is None or line_no >= layout.height:
            return Strip.blank(width, base)
        strip = layout.strip(line_no)
        stop = self.cursor
        if stop is not None and layout.valid(stop):
            strip = self._highlight(strip, line_no, layout.stop_spans(stop), "fishbone--cursor")
            if stop.cause is not None:
                strip = self._highlight(
                    strip, line_no, layout.ref_spans.get(stop.cause, ()), "fishbone--ref-cursor"
                )
        strip = strip.apply_style(base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _highlight(
        self, strip: Strip, line_no: int, spans: Iterable[Span], component: str
    ) -> Strip:
        for sy, x0, x1 in spans:
            if sy != line_no:
                continue
            style = self.get_component_rich_style(
                component, partial=component != "fishbone--cursor"
            )
            before, middle, after = strip.divide([x0, x1, strip.cell_length])
            middle = Strip(Segment.apply_style(list(middle), post_style=style), middle.cell_length)
            strip = Strip.join([before, middle, after])
        return strip

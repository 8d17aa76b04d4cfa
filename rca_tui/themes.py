"""The themes for terminals with few colours: `rca-16` and, under NO_COLOR, `rca-mono`.

A 16-colour terminal (PuTTY with TERM=xterm, GNU screen, the Linux console) shows the
terminal's own palette, and the app cannot know whether its background is dark or light. So
`rca-16` uses only the terminal's default colours for text and its ANSI colours where they
read on both: `ReadableColors` keeps red and magenta text, draws text on an ANSI background in
black or white by how light that background is in every common palette, and turns the
colours that fade on one of the two backgrounds (yellow and cyan on white, blue on black, the
bright ones) into the default colour, bold where it was a warning (yellow). The screens' own
words carry what the colours said ("3d OVERDUE", "!", `[x]`).

`rca-mono` is for NO_COLOR: Textual's `NoColor` filter removes every colour, and the theme
marks cursors and selections with reverse video and keys with bold.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.color import ColorType
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter
from textual.theme import Theme

RCA_16 = Theme(
    name="rca-16",
    ansi=True,
    primary="ansi_magenta",
    secondary="ansi_magenta",
    accent="ansi_magenta",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    dark=True,
    variables={
        "ansi-background": "ansi_default",
        "ansi-foreground": "ansi_default",
        "border-blurred": "ansi_default",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_white",
        "block-cursor-text-style": "bold",
        "input-cursor-text-style": "reverse",
        "input-selection-background": "ansi_blue",
        "screen-selection-background": "ansi_blue",
        "footer-key-foreground": "ansi_default",
        "button-focus-text-style": "bold reverse",
        "scrollbar": "ansi_white",
        "scrollbar-hover": "ansi_bright_white",
        "scrollbar-active": "ansi_bright_white",
        "scrollbar-background": "ansi_bright_black",
        "scrollbar-background-hover": "ansi_bright_black",
        "scrollbar-background-active": "ansi_bright_black",
    },
)

#: NO_COLOR: the terminal's own default colours (a filter removes every colour), with reverse
#: video for the cursors and selections, bold for the keys and what is focused.
RCA_MONO = Theme(
    name="rca-mono",
    ansi=True,
    primary="ansi_default",
    secondary="ansi_default",
    accent="ansi_default",
    warning="ansi_default",
    error="ansi_default",
    success="ansi_default",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    dark=True,
    variables={
        "ansi-background": "ansi_default",
        "ansi-foreground": "ansi_default",
        "block-cursor-text-style": "reverse bold",
        "block-cursor-blurred-text-style": "underline",
        "input-cursor-text-style": "reverse",
        "button-focus-text-style": "bold reverse",
        "footer-key-foreground": "ansi_default",
    },
)

#: What `rca-16` changes, and the app's CSS for it: Textual draws a table's header on bright
#: blue in the terminal's default colour (black on blue on a light background).
RCA_16_CSS = """
DataTable:ansi > .datatable--header {
    background: ansi_default; color: ansi_default; text-style: bold underline;
}
"""

#: ANSI colours (0-15) that are dark in every common palette: white text reads on them.
DARK = frozenset({0, 1, 4, 5, 8})
#: Text colours that read on a black and on a white background alike.
ON_ANY = frozenset({1, 5})
_DEFAULT = RichColor.default()
_BLACK, _WHITE = RichColor.from_ansi(0), RichColor.from_ansi(15)


def _ansi(color: RichColor | None) -> int | None:
    if color is None or color.type != ColorType.STANDARD or color.number is None:
        return None
    return color.number


@lru_cache(maxsize=1024)
def readable(style: Style) -> Style:
    """`style` with colours that read on a dark and on a light terminal background."""
    if style.reverse:
        return style  # the terminal's own colours swapped: always readable
    fg, bg = _ansi(style.color), _ansi(style.bgcolor)
    if bg is not None:
        return style + Style(color=_WHITE if bg in DARK else _BLACK)
    if fg is None or fg in ON_ANY:
        return style
    if fg == 9:
        return style + Style(color=RichColor.from_ansi(1))
    if fg == 13:
        return style + Style(color=RichColor.from_ansi(5))
    return style + Style(color=_DEFAULT, bold=True if fg in (3, 11) else None)


class ReadableColors(LineFilter):
    """Applies `readable()` to everything drawn while `rca-16` is the theme."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else readable(style), control)
            for text, style, control in segments
        ]

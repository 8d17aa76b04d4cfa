"""The terminal `rca` runs in: what is checked before the app starts, and how it is read.

Users reach the app over SSH from every kind of terminal, so before the full screen starts:

- `refusal()` says in one line why this is no place to draw it: no terminal at all (`ssh host
  rca` without `-t` gives a pipe, and the app would draw into it and never see a key, left
  running on the server after the client went away) or `TERM=dumb`. The command exits 2.
- `ascii_only()` tells a terminal whose locale cannot encode box and arrow characters
  (ISO-8859-1): there the output stream gets `ascii_drawing` as its error handler, which draws
  each such character with ASCII of the same width (`─` as `-`, `◆` as `*`), instead of
  Python's literal `\\u2502` text.

How the app reads the terminal is `rca_tui.driver`. This module imports no Textual, so the
checks cost nothing when they refuse.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

NO_TERMINAL = "rca needs a terminal; with ssh, use ssh -t"
DUMB_TERMINAL = (
    "rca needs a terminal that can draw a full screen (TERM=dumb cannot); "
    "set TERM to your terminal's type, e.g. TERM=xterm"
)


def refusal(environ: Mapping[str, str], streams: tuple[IO[Any], ...]) -> str | None:
    """Why the app cannot run here, in one line, or None when it can."""
    if not all(_is_tty(stream) for stream in streams):
        return NO_TERMINAL
    if environ.get("TERM", "") in ("dumb", "unknown"):
        return DUMB_TERMINAL
    return None


def _is_tty(stream: IO[Any] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # closed
        return False


# --- characters a non-UTF-8 terminal cannot show ------------------------------------------------
#: ASCII for the drawing characters Textual and the screens use, each as wide as what it stands
#: for. Anything else that the terminal's encoding lacks becomes "?" (two for a wide character).
_ASCII = {
    **dict.fromkeys("─━═╌╍┄┅┈┉╴╶╸╺▔▁⎯", "-"),
    **dict.fromkeys("│┃║╎╏┆┇┊┋╵╷╹╻▏▕▎▍▌▋▊▉▐", "|"),
    **dict.fromkeys("┌┐└┘├┤┬┴┼╭╮╯╰┏┓┗┛┣┫┳┻╋╔╗╚╝╠╣╦╩╬", "+"),
    **dict.fromkeys("╱⟋", "/"),
    **dict.fromkeys("╲⟍", "\\"),
    **dict.fromkeys("█▀▄▂▃▅▆▇▒▓░", "#"),
    **dict.fromkeys("◆◇●○■□▪▫•·∙⭘", "*"),
    **dict.fromkeys("→⟶▶▸►➜", ">"),
    **dict.fromkeys("←⟵◀◂◄", "<"),
    **dict.fromkeys("↑▲▴↗↖", "^"),
    **dict.fromkeys("↓▼▾↘↙", "v"),
    **dict.fromkeys("↺↻⟳", "@"),
    "…": ".",
    "—": "-",
    "–": "-",
    "‹": "<",
    "›": ">",
    "✓": "v",
    "✗": "x",
    "✔": "v",
    "✘": "x",
    "\u00a0": " ",
}


def ascii_drawing(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: what the encoding cannot hold, drawn in ASCII of equal width."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for ch in error.object[error.start : error.end]:
        if ch in _ASCII:
            out.append(_ASCII[ch])
        elif unicodedata.combining(ch):
            continue  # takes no cell
        else:
            out.append("??" if unicodedata.east_asian_width(ch) in "WF" else "?")
    return "".join(out), error.end


codecs.register_error("rca-ascii", ascii_drawing)


def ascii_only(stream: IO[Any]) -> bool:
    """True when `stream` (the terminal) cannot encode box-drawing characters."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "─│◆".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def draw_in_ascii(stream: io.TextIOWrapper) -> None:
    """Make `stream` draw what its encoding lacks in ASCII (see `ascii_drawing`)."""
    stream.reconfigure(errors="rca-ascii")

"""Charts drawn with characters: bars and sparklines that read in 16 colours and under NO_COLOR.

The length of a bar and the height of a sparkline's block carry the number, never the colour
alone; the number is always written beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"
FULL = "█"
#: Eighths of a block, for bars drawn to a finer length.
EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


def bar(value: float, top: float, width: int) -> str:
    """A bar `width` cells long at `top`, in eighths of a cell; at least a sliver for any
    value above zero, so that a small count is never drawn as none."""
    if top <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = round(value / top * width * 8)
    eighths = max(1, min(width * 8, eighths))
    return FULL * (eighths // 8) + EIGHTHS[eighths % 8]


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, its height the value against the largest; "·" for no value."""
    known = [v for v in values if v is not None]
    top = max(known, default=0)
    out = []
    for v in values:
        if v is None:
            out.append("·")
        elif top <= 0:
            out.append(BLOCKS[0])
        else:
            out.append(BLOCKS[min(7, int(v / top * 7.999))])
    return "".join(out)

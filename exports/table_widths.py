"""Column widths of the paginated reports' tables: dates and codes kept on one line.

One rule for the PDF and the DOCX writer (each measures text its own way): a column marked
`Table.nowrap` gets as wide as its longest text needs, from the other columns.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The most of a table's width that a column kept unbroken may take; beyond it, it wraps.
UNBROKEN_MAX = 0.3


def unbroken_widths(widths: Sequence[float], needs: dict[int, float]) -> tuple[float, ...]:
    """`widths` (fractions of the table) with each unbroken column (`Table.nowrap`) as wide as
    its longest text needs (`needs`, a fraction), so "2027-01-16" or "T-INVOLVED" is not split
    at its hyphen; the room is taken from the other columns in proportion to their width.

    A need over `UNBROKEN_MAX` is not met (that column wraps as before), nor one the other
    columns could only give by going under half their width.
    """
    out = list(widths)
    extra = {
        i: need - out[i] for i, need in needs.items() if need <= UNBROKEN_MAX and need > out[i]
    }
    if not extra:
        return tuple(out)
    donors = [i for i in range(len(out)) if i not in needs]
    spare = sum(out[i] for i in donors) / 2
    take = min(sum(extra.values()), spare)
    if take <= 0:
        return tuple(out)
    scale = take / sum(extra.values())
    donor_total = sum(out[i] for i in donors)
    for i, more in extra.items():
        out[i] += more * scale
    for i in donors:
        out[i] -= take * out[i] / donor_total
    return tuple(out)

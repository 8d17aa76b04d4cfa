"""The RCA2 report sections kept as lists: other people involved, risk-reduction strategies
considered and not taken, lessons learned, literature and evidence reviewed.

Each is built once from the dossier into a `ListSection` (column headings, rows of plain text,
relative column widths, and what to print when the list is empty), so every writer (DOCX, PDF,
HTML, Markdown) prints the same table, or the same one line when nothing is recorded, with its
own table helper. Kept out of `exports.report` so that module stays one size; no third-party
import here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exports.safety import clean_xml_text
from models.vocab import NoteKind

#: (key, heading): where each goes is `exports.report.SECTIONS`.
PEOPLE = ("people", "Other people involved")
STRATEGIES = ("strategies", "Risk-reduction strategies considered and not taken")
LESSONS = ("lessons", "Lessons learned")
LITERATURE = ("literature", "Literature and evidence reviewed")
#: The keys of the sections this module builds.
KEYS = tuple(key for key, _ in (PEOPLE, STRATEGIES, LESSONS, LITERATURE))


@dataclass(frozen=True, slots=True)
class ListSection:
    key: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Relative column widths (they add up to 1).
    widths: tuple[float, ...]
    #: The one line printed instead of the table when `rows` is empty.
    empty: str
    #: Columns not broken across lines (the numbers).
    nowrap: tuple[int, ...] = ()


def _t(value: object) -> str:
    return "" if value is None else clean_xml_text(str(value))


def _numbered(notes: list[Any], *, detail: bool) -> tuple[tuple[str, ...], ...]:
    if detail:
        return tuple((str(n), _t(x.text), _t(x.detail)) for n, x in enumerate(notes, start=1))
    return tuple((str(n), _t(x.text)) for n, x in enumerate(notes, start=1))


def build_sections(dossier: Any) -> tuple[ListSection, ...]:
    """The four sections of one (possibly de-identified) dossier, in `KEYS` order."""
    notes = getattr(dossier, "notes", ())
    kinds = {k: [n for n in notes if n.kind == k] for k in NoteKind}
    people = getattr(dossier, "people", ())
    return (
        ListSection(
            PEOPLE[0],
            ("Name", "Role in the event"),
            tuple((_t(p.name), _t(p.involvement)) for p in people),
            (0.4, 0.6),
            "No other people involved are recorded.",
        ),
        ListSection(
            STRATEGIES[0],
            ("No.", "Strategy considered", "Why it was not taken"),
            _numbered(kinds[NoteKind.STRATEGY], detail=True),
            (0.07, 0.48, 0.45),
            "No strategies considered and not taken are recorded.",
            nowrap=(0,),
        ),
        ListSection(
            LESSONS[0],
            ("No.", "Lesson learned"),
            _numbered(kinds[NoteKind.LESSON], detail=False),
            (0.07, 0.93),
            "No lessons learned are recorded.",
            nowrap=(0,),
        ),
        ListSection(
            LITERATURE[0],
            ("No.", "Literature or evidence", "What it showed"),
            _numbered(kinds[NoteKind.LITERATURE], detail=True),
            (0.07, 0.48, 0.45),
            "No literature or evidence reviewed is recorded.",
            nowrap=(0,),
        ),
    )

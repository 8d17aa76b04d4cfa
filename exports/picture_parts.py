"""The figures that print one picture, and the index before a fishbone printed in parts.

A fishbone too large for one page at a readable size is split into parts
(`exports.pictures.fishbone_parts`), keyed "fishbone/NN/<name>" in the picture map. The PDF and
DOCX writers give each part its own figure, in part order, and put before them one note that
says why the picture is split and lists the parts (their index): a reviewer who wants the
Staff bone finds its part numbers there rather than leafing through the captions. No
third-party import here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from exports.document import Note, Picture

#: A part that is one piece of a bone cut into several: "Staff, 2 of 3 (C12 continued)".
_PIECE = re.compile(r"^(?P<bone>.+), (?P<i>\d+) of (?P<n>\d+)(?: \(.*\))?$", re.DOTALL)


def picture_parts(b: Picture, pictures: Mapping[str, object]) -> list[Picture]:
    """The figures that print picture `b`: itself, or the parts a fishbone too large for one
    page at a readable size was split into (`exports.pictures.fishbone_parts`), in order."""
    # By number (part 100 after 99): the parts refer to each other by it ("continued in")
    keys = sorted((k for k in pictures if k.startswith(b.key + "/")), key=_part_number)
    if not keys:
        return [b]
    n = len(keys)
    return [
        Picture(k, f"{b.caption}; part {i} of {n}: {part_name(k)}")
        for i, k in enumerate(keys, 1)
    ]


def part_name(key: str) -> str:
    """What a part shows, from its key: its bones, or a piece of one bone."""
    return key.split("/", 2)[2] if key.count("/") >= 2 else key


def _part_number(key: str) -> tuple[int, str]:
    number = key.split("/")[1]
    return (int(number) if number.isdigit() else 0, key)


def parts_index(parts: Sequence[Picture]) -> str:
    """"1 Patient, Task; 2-4 Staff (3 parts); 5 Equipment": each part's number and what it
    shows, the pieces of one bone cut into several parts in one entry."""
    entries: list[tuple[int, int, str, bool]] = []  # first, last, name, pieces of one bone
    for number, part in enumerate(parts, 1):
        name = part_name(part.key)
        piece = _PIECE.match(name)
        bone = piece.group("bone") if piece else name
        if piece and entries and entries[-1][3] and entries[-1][2] == bone:
            entries[-1] = (entries[-1][0], number, bone, True)
        else:
            entries.append((number, number, bone, bool(piece)))
    return "; ".join(
        f"{first} {name}" if first == last else f"{first}-{last} {name} ({last - first + 1} parts)"
        for first, last, name, _ in entries
    )


def parts_note(parts: Sequence[Picture]) -> Note | None:
    """The note before a picture printed in parts: why, and the index of its parts."""
    if len(parts) < 2:
        return None
    return Note(
        f"too large for one page with readable labels, it is printed in {len(parts)} parts, "
        f"by bone in the order of the outline (every label at least 7 pt). Parts: "
        f"{parts_index(parts)}. The outline below gives every text in full.",
        "The fishbone: ",
    )

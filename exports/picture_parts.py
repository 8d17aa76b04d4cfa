"""The figures that print one picture, the index before a fishbone printed in parts, and the
figures appendix that the pictures needing a landscape page are printed in.

A fishbone too large for one page at a readable size is split into parts
(`exports.pictures.fishbone_parts`), keyed "fishbone/NN/<name>" in the picture map. The PDF and
DOCX writers give each part its own figure, in part order, and put before them one note that
says why the picture is split and lists the parts (their index): a reviewer who wants the
Staff bone finds its part numbers there rather than leafing through the captions.

A picture that needs a landscape page (the fishbone, the cause graph when wide) is printed in
an appendix of figures after the last section, with a line in its own section that says which
figures it is and where (`figures_appendix`): one rule for the PDF and the DOCX. In place, the
landscape page broke in after the section's first lines (or a five-whys chain's last step),
and the portrait page before it was left nearly empty; with the appendix every section reads on
portrait pages without a gap, the landscape pages come together at the end, and the page order
is the reading order (the PDF's tag order with it). No third-party import here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from exports.document import Block, Heading, Note, Para, Picture, Run, png_size

#: The heading of the figures appendix (after the numbered sections; a bookmark, an H1).
APPENDIX = "Appendix: Figures"

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
        Picture(k, f"{b.caption}; part {i} of {n}: {part_name(k)}", b.section)
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
    where = f"in section {parts[0].section}" if parts[0].section else "below"
    return Note(
        f"too large for one page with readable labels, it is printed in {len(parts)} parts, "
        f"by bone in the order of the outline (every label at least 7 pt). Parts: "
        f"{parts_index(parts)}. The outline {where} gives every text in full.",
        "The fishbone: ",
    )


def figures_appendix(
    blocks: Sequence[Block], pictures: Mapping[str, object], landscape: Callable[[Picture], bool]
) -> list[Block]:
    """`blocks` with every picture that `landscape` says needs a landscape page moved to an
    appendix after the last section; in its place a line naming its figure numbers and where
    it is. Figures keep their numbers in reading order (the appendix's come after the ones left
    in the sections); a picture that is missing or not drawable stays where it was (the writer
    says so there)."""
    moved: list[Picture] = []
    out: list[Block] = []
    section = ""
    for b in blocks:
        if isinstance(b, Heading) and b.level == 1:
            section = b.text.split(".", 1)[0] if b.text[:1].isdigit() else ""
        if isinstance(b, Picture) and _drawable(b, pictures) and landscape(b):
            moved.append(Picture(b.key, b.caption, section))
            out.append(b)  # replaced below, once the figure numbers are known
        else:
            out.append(b)
    if not moved:
        return out
    numbers: dict[str, tuple[int, int]] = {}
    n = 0
    for b in [x for x in out if isinstance(x, Picture) and x.key not in
              {m.key for m in moved}] + moved:
        count = sum(_drawable(p, pictures) for p in picture_parts(b, pictures))
        numbers[b.key] = (n + 1, n + count)
        n += count
    keys = {m.key for m in moved}
    body = [_reference(b, *numbers[b.key]) if isinstance(b, Picture) and b.key in keys else b
            for b in out]
    listed = "; ".join(f"{_figures(*numbers[m.key])}, the {_what(m)} (section {m.section})"
                       if m.section else f"{_figures(*numbers[m.key])}, the {_what(m)}"
                       for m in moved)
    return [
        *body,
        Heading(APPENDIX, 1, "appendix", page=True),
        Para((Run(
            f"The pictures that need a landscape page, printed here so that the sections "
            f"read on without a break: {listed}."
        ),)),
        *moved,
    ]


def _drawable(b: Picture, pictures: Mapping[str, object]) -> bool:
    data = pictures.get(picture_parts(b, pictures)[0].key)
    if not isinstance(data, bytes) or not data:
        return False
    try:
        png_size(data)
    except ValueError:
        return False
    return True


def _figures(first: int, last: int) -> str:
    return f"Figure {first}" if first == last else f"Figures {first}-{last}"


def _what(b: Picture) -> str:
    """"fishbone diagram", "cause graph": the caption's name of the picture."""
    name = b.caption.split(":", 1)[0].strip()
    return name[:1].lower() + name[1:]


def _reference(b: Picture, first: int, last: int) -> Para:
    """The line left in a section whose picture is printed in the figures appendix."""
    parts = last - first + 1
    what = f"the {_what(b)}" + (f" ({parts} parts)" if parts > 1 else "")
    pages = "landscape pages" if parts > 1 else "a landscape page"
    return Para((
        Run(f"{_figures(first, last)}: ", bold=True),
        Run(f"{what} is printed on {pages} in the appendix at the end of this report "
            f"({APPENDIX})."),
    ))

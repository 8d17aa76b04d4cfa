"""The fishbone's drawing of a fixed investigation is the drawing it always was.

Why: the layout's rows, spans and line recipes were made more compact (issue 16: a 5,000-cause
fishbone held 10 MB of them); what the user sees must not change with that. The digests below
were taken from the layout before the change, over every line's text and styles, every label's
place and the keyboard order, at three widths, laid out afresh, through the cache and after one
label is drawn again in place (an undone edit).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random

import pytest

from models.domain import Cause, Link
from models.vocab import LONDON_PROTOCOL
from screens.widgets.fishbone_layout import FishboneLayout, LayoutCache, layout_fishbone
from screens.widgets.fishbone_relabel import relabel

CATEGORIES = list(LONDON_PROTOCOL)


def _investigation(n: int = 600, seed: int = 16) -> tuple[list[Cause], list[Link]]:
    """n causes: deep chains, shared causes (references), unlinked ones, long and odd texts."""
    rnd = random.Random(seed)
    words = ["patient", "nurse", "alarm", "handover", "dose", "pump", "chart", "night", "bed"]
    causes = [Cause(1, 1, "Patient fell on the ward at night", kind="event")]
    links: list[Link] = []
    for i in range(2, n + 2):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 30)))
        if i % 97 == 0:
            text = "a [bold]markup[/] \x1b[31mescape\x07 and 日本語の文字 " + text
        kind = rnd.choice(["cause", "cause", "contributing", "root"])
        category = rnd.choice([*CATEGORIES, None, "Equipment"])
        causes.append(Cause(i, 1, text, category, kind))
        if i % 53 == 0:
            continue  # leads nowhere
        effect = 1 if i < 30 or rnd.random() < 0.25 else rnd.randint(max(2, i - 40), i - 1)
        links.append(Link(len(links) + 1, 1, i, effect))
        if i % 7 == 0 and i > 10:  # a second effect: drawn as a reference elsewhere
            links.append(Link(len(links) + 1, 1, i, rnd.randint(2, i - 1)))
    return causes, links


def _digest(layout: FishboneLayout) -> str:
    h = hashlib.sha256()
    for y in range(layout.height):
        h.update(repr([(s.text, str(s.style)) for s in layout.segments(y)]).encode())
    h.update(repr(list(layout.hotspots)).encode())
    h.update(repr(sorted(layout.spans.items())).encode())
    h.update(repr(sorted(layout.ref_spans.items())).encode())
    h.update(repr([dataclasses.astuple(b) for b in layout.bones]).encode())
    h.update(repr(sorted(layout.position.items())).encode())
    h.update(repr(layout.name_spans).encode())
    h.update(repr((layout.width, layout.height, layout.spine_y, layout.event_text)).encode())
    h.update(repr((layout.top_labels, layout.bottom_labels)).encode())
    return h.hexdigest()[:16]


EXPECTED = {
    60: ("f650a81878d2a46d", "076f042b2aab10c2"),
    120: ("cc761201bda6d031", "5afea5aa5b6fffe6"),
    200: ("e10e259d72a31c71", "5e90cce8195d1290"),
}


@pytest.mark.parametrize("width", sorted(EXPECTED))
def test_the_drawing_is_the_one_it_was(width):
    causes, links = _investigation()
    fresh = layout_fishbone("", CATEGORIES, causes, links, width)
    cache = LayoutCache()
    layout_fishbone("", CATEGORIES, causes, links, width, cache=cache)
    cached = layout_fishbone("", CATEGORIES, causes, links, width, cache=cache)
    assert _digest(cached) == _digest(fresh)
    # One label drawn again in place, shorter (everything below it on its bone moves up).
    edited = dataclasses.replace(causes[40], text="Short")
    assert relabel(cached, cache, edited, {}) is not None
    causes[40] = edited
    afresh = layout_fishbone("", CATEGORIES, causes, links, width)
    assert _digest(cached) == _digest(afresh)
    assert (_digest(fresh), _digest(afresh)) == EXPECTED[width]

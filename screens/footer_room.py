"""More of a screen's keys in its footer when the terminal is wide enough to show them.

Every footer is written to fit 80 columns (the standard SSH window), so each screen shows its
main keys and leaves the rest to F1 help. On a wide terminal (a clinician's full-screen window
of 160 or 200 columns) most of that line stayed empty while a key like "Kind" or "Move to
bone" was one F1 away. From `WIDE` columns on, the screen's own hidden keys that have a
description are shown too, in the order the screen declares them, as many as fit beside the
keys already shown and the palette key; a narrower terminal shows exactly the 80-column set.
The footer is drawn again when the terminal is resized.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from textual.screen import ActiveBinding

#: From this many columns, hidden keys are shown as room allows (below it: the 80-column set).
WIDE = 120
#: Textual's own screen keys (ctrl+c copies a selection): not this application's to offer.
_TEXTUAL_KEYS = frozenset(b.action for b in Binding.make_bindings(Screen.BINDINGS))
#: The palette key at the footer's right ("▏^p palette") and a little air before it.
PALETTE_ROOM = 14


def key_width(screen: Screen, binding: Binding) -> int:
    """Columns one key takes in the footer: " key " then "description " (Textual's FooterKey)."""
    return cell_len(screen.app.get_key_display(binding)) + 2 + cell_len(binding.description) + 1


def with_room(screen: Screen, bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """`bindings` with as many of the screen's hidden, described keys shown as fit its width."""
    width = screen.app.size.width
    if width < WIDE:
        return bindings
    shown_actions: set[str] = set()
    used = PALETTE_ROOM
    for active in bindings.values():
        if active.binding.show and active.binding.action not in shown_actions:
            shown_actions.add(active.binding.action)
            used += key_width(screen, active.binding)
    result = dict(bindings)
    for key, active in bindings.items():
        binding = active.binding
        if (
            binding.show
            or not binding.description
            or not active.enabled
            or active.node is not screen
            or binding.action in shown_actions
            or binding.action in _TEXTUAL_KEYS
            or (binding.action == "back" and not getattr(screen, "can_go_back", True))
        ):
            continue
        cost = key_width(screen, binding)
        if used + cost > width:
            continue
        used += cost
        shown_actions.add(binding.action)
        result[key] = active._replace(binding=dataclasses.replace(binding, show=True))
    return result

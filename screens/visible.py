"""User text made safe to show: control characters become visible symbols.

A title or a cause can hold anything a person typed, pasted or imported, including escape
sequences (`ESC[31m` restyles the screen, `ESC]0;...` retitles the terminal) and bidi overrides
(U+202E shows the rest of a line backwards). Rich and Textual pass those to the terminal as they
are, and `markup=False` does not help. `visible()` maps each of them to one visible character
(the Unicode control pictures, so ESC shows as `␛`) before display; the stored text never
changes. Every display path uses it: the screens (through `screens.formatting`), the edit
fields (`screens.widgets.editors`), the notifications and error dialogs of the app, and the
command line's output (`rca_tui.cli`).

The one definition is `models.visible` (the exports show control characters the same way); this
module keeps the screens' name for it. It loads neither Rich nor Textual, so the command line
can use it.
"""

from __future__ import annotations

from models.visible import BIDI, SUBSTITUTE, visible

__all__ = ["BIDI", "SUBSTITUTE", "visible"]

"""The key footer of every screen: Textual's `Footer`, built again only when its keys change.

Textual's footer builds all its keys anew (a `FooterKey` widget each, styled from the whole
stylesheet) every time a screen's bindings are refreshed, and a screen refreshes them several
times while it opens: on mount, when a widget takes focus, when the screen is resized (the
wide-terminal keys of `screens/footer_room.py`), when it comes back to the top. Opening the
overview built its footer five times over (50 keys for 10 shown) while the checks ran beside it
in a worker, and each key's style was worked out three times (Textual's key starts compact and
is then made not compact, each a restyle of the key and its parts). This footer keeps what it
shows: it is rebuilt only when the keys it would show differ (key, label, action, enabled,
tooltip, group), and each key is made in its final compact state before it is mounted. It looks
and behaves exactly as Textual's (the snapshot tests hold that).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen


class Footer(TextualFooter):
    """Textual's footer, recomposed only when what it shows changes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: What the footer was last composed from (None: not composed with keys yet).
        self._shown: tuple[Hashable, ...] | None = None
        #: A rebuild is asked for and not run yet (it reads the keys when it runs).
        self._rebuilding = False

    def _keys_shown(self) -> tuple[Hashable, ...]:
        """Everything `compose` reads from the screen's bindings, as one comparable value."""
        app = self.app
        shown: list[Hashable] = [self.show_command_palette, app.ENABLE_COMMAND_PALETTE]
        for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if binding.show or key == app.COMMAND_PALETTE_BINDING:
                group = binding.group
                shown.append(
                    (
                        key,
                        binding.key,
                        app.get_key_display(binding),
                        binding.description,
                        binding.action,
                        enabled,
                        tooltip,
                        binding.tooltip,
                        binding.show,
                        None if group is None else (group.description, group.compact),
                    )
                )
        return tuple(shown)

    def compose(self) -> ComposeResult:
        self._rebuilding = False
        if self._bindings_ready:
            self._shown = self._keys_shown()
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # As Textual's data binding would leave it, before it is mounted: no restyle.
                # (The palette key is not bound to the footer's style: it stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        """As Textual's, but without a rebuild when one is on its way or nothing changed."""
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if self._rebuilding or self._shown == self._keys_shown():
            return
        self._rebuilding = True
        self.call_after_refresh(self.recompose)

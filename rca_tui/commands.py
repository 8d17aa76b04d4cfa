"""Command palette (ctrl+p): "group: verb" commands for the screen you are on, plus the app's.

Commands come from the current screen's key bindings (one source of truth: a new binding is a
new command), named "<screen group>: <description>", and a few app-wide ones ("Go: home",
"App: mouse on" or "off", which switches mouse reporting while the app runs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from rca_tui.app import RcaApp


class ScreenCommands(Provider):
    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        screen = self.screen
        group = getattr(screen, "PALETTE_GROUP", None)
        seen = set()
        if group:
            for binding in getattr(screen, "BINDINGS", []):
                description = getattr(binding, "description", "")
                action = getattr(binding, "action", "")
                if not description or description in seen or action == "back":
                    continue
                seen.add(description)
                keys = self.app.get_key_display(binding)
                yield (
                    f"{group}: {description.lower()}",
                    partial(screen.run_action, action),
                    f"key: {keys}",
                )
        app = cast("RcaApp", self.app)  # this provider is RcaApp's (RcaApp.COMMANDS)
        yield "Go: home (investigations)", app.action_go_home, "Back to the list"
        yield "Investigation: new", app.new_investigation, "Start an event intake"
        yield "Help: keys of this screen", app.action_help, "F1 or ?"
        mouse = getattr(app, "mouse", True)
        yield (
            f"App: mouse {'off' if mouse else 'on'}",
            app.action_toggle_mouse,
            "Mouse is on: the terminal's selection needs shift"
            if mouse
            else "Mouse is off (the default over SSH; also RCA_MOUSE=on)",
        )
        yield "App: quit", app.action_quit, "ctrl+q"

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)

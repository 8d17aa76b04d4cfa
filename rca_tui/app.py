"""The Textual application: one App, built by `make_app()` for the command line and the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

from screens.home import HomeScreen

if TYPE_CHECKING:
    from models.service import Service
    from rca_tui.config import Settings


class RcaApp(App):
    TITLE = "rca-tui"
    SUB_TITLE = "Root cause analysis"

    def __init__(self, service: Service, settings: Settings | None = None) -> None:
        super().__init__()
        self.service = service
        self.settings = settings

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())


def make_app(service: Service, settings: Settings | None = None) -> RcaApp:
    return RcaApp(service, settings)

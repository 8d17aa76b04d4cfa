"""The binding-coverage check itself: it sees our bindings, records presses, names the missing."""

from __future__ import annotations

from binding_coverage import DISPATCHED, declared_bindings, missing_bindings
from textual.app import App
from textual.binding import Binding

from rca_tui.app import RcaApp
from screens.base import ServiceScreen
from screens.home import HomeScreen


def test_it_finds_the_bindings_of_our_app_screens_and_dialogs():
    declared = {(d.cls, d.action) for d in declared_bindings()}
    assert (RcaApp, "quit") in declared
    assert (HomeScreen, "new") in declared
    assert (ServiceScreen, "back") in declared
    assert any(d.cls.__name__ == "EditDialog" and d.action == "ok" for d in declared_bindings())


def test_a_binding_counts_once_pressed_on_its_class_or_a_subclass():
    everything = missing_bindings(set())
    assert any(d.cls is HomeScreen and d.action == "new" for d in everything)
    pressed = {(HomeScreen, "new"), (HomeScreen, "back")}
    left = missing_bindings(pressed)
    assert not any(d.cls is HomeScreen and d.action == "new" for d in left)
    # escape -> back is declared on ServiceScreen; pressing it on a subclass covers it.
    assert not any(d.cls is ServiceScreen and d.action == "back" for d in left)
    # Home declares escape -> back itself too: one press covers home's and the base screen's.
    assert len(left) == len(everything) - 3


class _Bell(App):
    BINDINGS = [Binding("b", "ring", "Ring")]
    rung = 0

    def action_ring(self) -> None:
        self.rung += 1


async def test_a_key_press_is_recorded():
    app = _Bell()
    async with app.run_test() as pilot:
        await pilot.press("b")
        await pilot.pause()
    assert app.rung == 1
    assert (_Bell, "ring") in DISPATCHED

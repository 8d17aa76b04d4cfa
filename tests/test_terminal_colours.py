"""Readable in 16 colours and without colour: every character the app draws, on every main
screen and dialog, has enough contrast on PuTTY's palette with a black and with a white
background (the app cannot know which one a terminal has), under the `rca-16` theme and under
NO_COLOR; NO_COLOR leaves no colour at all and marks the cursor with reverse video.

The picture checked is the one the terminal gets: the screen's rendered lines after the app's
line filters, with the ANSI colours resolved through each palette.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rich.color import ColorType

from models.demo import demo_document
from rca_tui.app import make_app

TODAY = dt.date(2026, 11, 30)
#: PuTTY's default palette (the hospital terminal), colours 0-15.
PUTTY = [
    (0, 0, 0), (187, 0, 0), (0, 187, 0), (187, 187, 0), (0, 0, 187), (187, 0, 187),
    (0, 187, 187), (187, 187, 187), (85, 85, 85), (255, 85, 85), (85, 255, 85),
    (255, 255, 85), (85, 85, 255), (255, 85, 255), (85, 255, 255), (255, 255, 255),
]  # fmt: skip
#: (default foreground, default background) of a dark and of a light profile.
BACKGROUNDS = {"dark": ((187, 187, 187), (0, 0, 0)), "light": ((0, 0, 0), (255, 255, 255))}
MIN_CONTRAST = 3.0  # WCAG's minimum for large or bold text; terminal text is both, nearly


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rgb(color, default):
    if color is None or color.type == ColorType.DEFAULT:
        return default
    if color.type == ColorType.STANDARD:
        return PUTTY[color.number]
    raise AssertionError(f"{color} is not one of the terminal's own colours")


def cells(app):
    """(text, fg, bg, style) of every run of visible characters on the screen."""
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.control or not segment.text.strip():
                continue
            yield segment.text, segment.style


def unreadable(app, background: str) -> list[str]:
    fg_default, bg_default = BACKGROUNDS[background]
    bad = []
    for text, style in cells(app):
        fg = _rgb(style.color if style else None, fg_default)
        bg = _rgb(style.bgcolor if style else None, bg_default)
        if style is not None and style.reverse:
            fg, bg = bg, fg
        if contrast(fg, bg) < MIN_CONTRAST:
            bad.append(f"{text.strip()!r} ({style})")
    return bad


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


#: (keys from the overview, what is then on screen)
VISITS = [
    ((), "overview"),
    (("e",), "intake"),
    (("t",), "team"),
    (("t", "a"), "team member dialog"),
    (("l",), "timeline"),
    (("f",), "fishbone"),
    (("f", "e"), "cause dialog"),
    (("w",), "five whys"),
    (("g",), "graph"),
    (("p",), "action plan"),
    (("v",), "review"),
    (("a",), "audit trail"),
    (("x",), "export dialog"),
]


async def walk(app, inv_id, check) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        check(app, "home")
        for keys, where in VISITS:
            while len(app.screen_stack) > 1:
                app.pop_screen()
            app.open_investigation(inv_id)
            await settle(pilot)
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            check(app, where)
        app.notify("Saved")
        app.show_error(RuntimeError("disk full"))
        await settle(pilot)
        check(app, "error dialog and notification")


@pytest.fixture
def demo(service):
    return service.import_document(demo_document(TODAY)).id


async def test_rca_16_reads_on_dark_and_light_backgrounds(service, demo):
    app = make_app(service, today=TODAY)  # TERM=xterm (conftest): 16 colours, rca-16

    def check(app, where):
        assert app.theme == "rca-16"
        for background in BACKGROUNDS:
            bad = unreadable(app, background)
            assert not bad, f"{where} on a {background} background: {bad[:5]}"

    await walk(app, demo, check)


async def test_no_color_uses_the_terminal_colours_with_reverse_video(service, demo, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(service, today=TODAY)

    def check(app, where):
        assert app.theme == "rca-mono"
        for text, style in cells(app):
            colours = (style.color, style.bgcolor) if style else ()
            assert all(c is None or c.type == ColorType.DEFAULT for c in colours), (where, text)
        for background in BACKGROUNDS:
            assert not unreadable(app, background), where

    await walk(app, demo, check)
    # the cursor row of a list stands out without colour: reverse video
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = app.screen.query_one("#investigations").region.y + 1  # under the header
        strip = app.screen._compositor.render_strips()[row]
        assert any(s.style and s.style.reverse for s in strip if s.text.strip())


async def test_sixteen_colour_terminals_get_rca_16(service, monkeypatch):
    for term in ("xterm", "screen", "linux", "vt100"):
        monkeypatch.setenv("TERM", term)
        app = make_app(service, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.theme == "rca-16", term

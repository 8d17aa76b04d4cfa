"""How the app reads and writes the terminal: Textual's Linux driver with three changes.

- A bracketed paste is delivered exactly as pasted (`PasteGuard`): Textual's parser reads an
  ESC inside a paste as the start of a key, cuts the paste there and types the rest as keys.
- The app exits when its input closes: end of input, a read error, or SIGHUP (the SSH link
  dropped), instead of spinning on a closed terminal with the database open. If the app has
  not finished `HANGUP_GRACE` seconds later (its writes to a terminal that is gone can block),
  the process ends anyway; saves are transactions, so the database stays whole.
- The mouse can be switched on and off while the app runs (`set_mouse`).
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Any

from textual import events
from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.message import Message

#: Seconds the app has to exit after a hang-up before the process is ended.
HANGUP_GRACE = 3.0
#: Exit status after a hang-up (128 + SIGHUP, as a shell reports it).
HANGUP_STATUS = 129


# --- pastes -------------------------------------------------------------------------------------
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
#: Stand-ins for the characters Textual's parser would act on inside a paste (ESC starts a key,
#: NUL is dropped). They are Unicode noncharacters, reserved for a program's internal use, so
#: they never occur in text a person pastes.
_HIDDEN = {"\x1b": "\ufdd0", "\x00": "\ufdd1"}
_HIDE = str.maketrans(_HIDDEN)
_SHOW = str.maketrans({v: k for k, v in _HIDDEN.items()})


class PasteGuard:
    """Passes the terminal's input on to Textual's parser, with each bracketed paste held back
    until its end marker and its ESC and NUL characters hidden, so the parser delivers the
    paste whole; `restore()` puts them back into the `Paste` event.

    Outside a paste nothing is held back (a lone ESC is the Escape key and must not wait).
    """

    def __init__(self) -> None:
        self._pasting = False
        self._tail = ""  # outside a paste: the end of the input that may begin PASTE_START
        self._held = ""  # inside a paste: what has come of it so far

    def feed(self, data: str) -> str:
        out: list[str] = []
        while data:
            if not self._pasting:
                seen = self._tail + data
                found = seen.find(PASTE_START)
                if found < 0:
                    out.append(data)
                    self._tail = _prefix_at_end(seen, PASTE_START)
                    return "".join(out)
                upto = found + len(PASTE_START) - len(self._tail)
                out.append(data[:upto])
                data, self._tail, self._pasting = data[upto:], "", True
            else:
                held = self._held + data
                found = held.find(PASTE_END)
                if found < 0:
                    self._held = held
                    return "".join(out)
                out.append(held[:found].translate(_HIDE) + PASTE_END)
                data, self._held, self._pasting = held[found + len(PASTE_END) :], "", False
        return "".join(out)

    @staticmethod
    def restore(event: events.Paste) -> events.Paste:
        """The paste with the characters hidden from the parser put back."""
        return events.Paste(event.text.translate(_SHOW))


def _prefix_at_end(text: str, marker: str) -> str:
    """The longest end of `text` that is the beginning of `marker` (and not all of it)."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if marker.startswith(text[-size:]):
            return text[-size:]
    return ""


# --- the driver ---------------------------------------------------------------------------------
class RcaDriver(LinuxDriver):
    """Textual's Linux driver: pastes whole, an exit on hang-up, the mouse switchable."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = PasteGuard()
        self._hung_up = False

    def start_application_mode(self) -> None:
        super().start_application_mode()
        import asyncio
        import signal

        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)

    def set_mouse(self, on: bool) -> None:
        """Start or stop mouse reporting now."""
        if on:
            self._mouse = True
            self._enable_mouse_support()
        else:
            self._disable_mouse_support()
            self._mouse = False
        self.flush()

    def hang_up(self) -> None:
        """The terminal is gone: the app exits at once (nothing can be asked any more), and
        the process ends after HANGUP_GRACE seconds if the app has not finished by then."""
        if self._hung_up:
            return
        self._hung_up = True

        def end_anyway() -> None:
            time.sleep(HANGUP_GRACE)
            os._exit(HANGUP_STATUS)

        threading.Thread(target=end_anyway, name="rca-hangup", daemon=True).start()
        self._app.call_later(self._app.exit, return_code=HANGUP_STATUS)

    def process_message(self, message: Message) -> None:
        if isinstance(message, events.Paste):
            message = self._guard.restore(message)
        super().process_message(message)

    def run_input_thread(self) -> None:
        """Textual's input loop (textual 8.2.8, `LinuxDriver.run_input_thread`), reading through
        the paste guard, and ending with a hang-up when the terminal closes."""
        import selectors
        from codecs import getincrementaldecoder

        from textual._xterm_parser import XTermParser

        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        guard = self._guard
        try:
            while not self.exit_event.is_set():
                for _key, mask in selector.select(0.1):
                    if not mask & selectors.EVENT_READ:
                        continue
                    try:
                        data = os.read(self.fileno, 1024 * 4)
                    except OSError:  # EIO: the terminal was hung up
                        data = b""
                    if not data:  # end of input: nobody is there to type
                        self.hang_up()
                        return
                    for event in parser.feed(guard.feed(decode(data))):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()


"""Messages the screens pass: a service call finished, or failed.

Workers never touch widgets: they call the service and post one of these back; the screen's
handler (on the UI thread) updates what is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message


class ServiceDone(Message):
    """A service call returned; `then(result)` runs on the UI thread.

    A read carries `read` = (group, number, save generation, how to read again), so that the
    screen can drop an answer that a newer read or a save made stale (see `screens.base`).
    """

    def __init__(
        self,
        then: Callable[[Any], None] | None,
        result: Any,
        *,
        read: tuple[str, int, int, Callable[[], None]] | None = None,
    ) -> None:
        super().__init__()
        self.then = then
        self.result = result
        self.read = read


class ServiceFailed(Message):
    """A service call raised; `error` carries a message meant for people."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

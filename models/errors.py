"""One error family with a message meant for people.

Every failure the user can cause or meet (bad input, a stale edit, a locked or foreign database)
is raised as an `RcaError`. The TUI shows `message` in a modal, the command line prints it on one
line and exits non-zero; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Mapping


class RcaError(Exception):
    """Base of every error a user may see; `message` is shown as it is."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(RcaError):
    """A value given by the user is not acceptable (names the field and why)."""


class NotFoundError(RcaError):
    """The investigation, cause or other record asked for does not exist."""


class ConflictError(RcaError):
    """Someone else saved this record since it was read: reload before editing."""

    def __init__(
        self, message: str, *, changed: Mapping[str, tuple[object, object]] | None = None
    ):
        super().__init__(message)
        #: field -> (value you read, value now stored)
        self.changed: dict[str, tuple[object, object]] = dict(changed or {})


class CycleError(ValidationError):
    """A causal link would make the cause graph circular."""

    def __init__(self, message: str, cycle: list[int]):
        super().__init__(message)
        self.cycle = cycle


class DatabaseError(RcaError):
    """The database cannot be used: missing, foreign, corrupt, newer, unwritable, locked."""


class ReadOnlyError(DatabaseError):
    """The database was opened read-only (file permissions or read-only media)."""


class LockedError(DatabaseError):
    """Another program holds the database lock for longer than the busy timeout."""


class ImportFormatError(ValidationError):
    """An interchange file was refused; the message names the field path and the reason."""


class ExportError(RcaError):
    """An export could not be written (the message names the file and why)."""


class TargetExistsError(ExportError):
    """A file an export would write already exists; `paths` are all of them, so the app can
    ask once whether to replace them (and the command line says to use --force)."""

    def __init__(self, message: str, paths: list[str]):
        super().__init__(message)
        self.paths = paths

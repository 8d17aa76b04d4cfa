"""Writing files safely: atomic, private (0600), never silently over an existing file.

Every export writer goes through `write_atomic`, so a crash mid-write leaves either the old file
or none, never half a report, and a report with patient details is not readable by others.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from models.errors import RcaError


class ExportError(RcaError):
    """The export could not be written (the message names the file and why)."""


def write_atomic(path: str | os.PathLike, data: bytes | str, *, force: bool = False) -> Path:
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"{target}: is a folder; give a file name")
    if target.exists() and not force:
        raise ExportError(f"{target}: already exists (use --force to replace it)")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{folder}: cannot write there ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target

"""Writing files safely: atomic, private (0600), never silently over an existing file.

Every export writer goes through `write_atomic`, so a crash mid-write leaves either the old file
or none, never half a report, and a report with patient details is not readable by others.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from models.errors import ExportError, TargetExistsError
from models.visible import exported

__all__ = ["ExportError", "TargetExistsError", "clean_xml_text", "write_atomic"]


def clean_xml_text(text: str) -> str:
    """`text` as every export shows it: each control character as its visible picture
    (`models.visible.exported`: BEL as ␇, ESC as ␛, NUL as ␀), tab and line breaks kept.

    User text is data and is never silently changed: a pasted bell or escape is shown, not
    dropped. What is left holds nothing XML 1.0 forbids, so any XML (or SVG) writer accepts it.
    Everything else (markup-like text, emoji) is kept as is: escaping is the writer's job.
    """
    return exported(text)


def write_atomic(path: str | os.PathLike, data: bytes | str, *, force: bool = False) -> Path:
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"{target}: is a folder; give a file name")
    if target.exists() and not force:
        raise TargetExistsError(
            f"{target}: already exists (use --force to replace it)", [str(target)]
        )
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

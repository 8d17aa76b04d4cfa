"""Report writers: what leaves the terminal. No Textual here; each writer takes the service's
plain objects (or the report model built from them, `exports.report`) and writes one format
through `exports.safety`.

`export_formats()` is the one entry point the command line and the TUI's export dialog share:
it checks every target before writing any, builds the report model once, renders each format
and writes each file atomically (mode 0600). Everything heavy (networkx, matplotlib, openpyxl,
python-docx, fpdf2) is imported only when its format is asked for.

The formats are listed once, in `exports.formats.FORMATS`: docx, pdf, html, md (the report),
csv, xlsx (the action plan alone), json (the whole investigation, re-importable), graphml, dot
(the cause graph). With `deidentify=True` every format is made from de-identified data: the report
model passes every text through `exports.deidentify`, and json/graphml/dot are made from a
dossier whose texts are scrubbed the same way and whose patient name, MRN and date of birth
are emptied.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from exports.formats import FORMATS, Job, parse_formats
from models.errors import ExportError, TargetExistsError

__all__ = [
    "FORMATS",
    "export_formats",
    "file_stem",
    "parse_formats",
    "plan_targets",
    "render_formats",
    "slug",
]

#: Longest slug of the title in a file name (whole words).
SLUG_WORDS_MAX = 40
#: Called before each format is rendered, `progress(format, done, total)`, and once at the end
#: with `("", total, total)`: the app's export dialog moves its bar with it.
Progress = Callable[[str, int, int], object]


def slug(text: str, max_chars: int = SLUG_WORDS_MAX) -> str:
    """A file-name-safe slug: ASCII letters and digits in lower case joined by '-', cut at a
    word boundary ("Inpatient fall (4 West)" -> "inpatient-fall-4-west")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > max_chars:
            break
        out = candidate
    if not out and words:
        out = words[0][:max_chars]
    return out


def file_stem(investigation_id: int, title: str, *, deidentified: bool = False) -> str:
    """'rca-12-inpatient-fall' (and '-deidentified' for a de-identified copy)."""
    stem = f"rca-{investigation_id}"
    title_slug = slug(title)
    if title_slug:
        stem += f"-{title_slug}"
    if deidentified:
        stem += "-deidentified"
    return stem


def render_formats(
    dossier: Any,
    formats: str | Sequence[str],
    *,
    findings: Sequence[Any] | None = None,
    generated_by: str = "",
    db_version: str = "",
    deidentify: bool = False,
    deadline_policy: Any = None,
    today: Any = None,
    pictures: bool = True,
    progress: Progress | None = None,
    confidentiality_notice: str | None = None,
    paper_size: str = "letter",
    language: str = "en",
) -> dict[str, bytes | str]:
    """Each format's content, in memory (str for text formats, bytes for the others), in the
    order asked; the report model and the pictures are made once for all of them. Deadlines
    follow `deadline_policy` (`Settings.deadline_policy()`; default: the default policy); the
    confidentiality notice on every page, the paper and the language the files declare follow
    `confidentiality_notice`, `paper_size` and `language` (the settings of the same names; None:
    the default notice)."""
    names = parse_formats(formats)
    job = Job(
        dossier,
        findings=findings,
        generated_by=generated_by,
        db_version=db_version,
        deidentify=deidentify,
        deadline_policy=deadline_policy,
        today=today,
        pictures=pictures,
        confidentiality_notice=confidentiality_notice,
        paper_size=paper_size,
        language=language,
    )
    out: dict[str, bytes | str] = {}
    for done, name in enumerate(names):
        if progress is not None:
            progress(name, done, len(names))
        out[name] = FORMATS[name].render(job)
    if progress is not None:
        progress("", len(names), len(names))
    return out


def plan_targets(
    formats: Sequence[str],
    output: str | os.PathLike | None,
    *,
    investigation_id: int,
    title: str,
    deidentified: bool = False,
    force: bool = False,
) -> dict[str, Path]:
    """Where each format goes, checked before anything is written.

    Several formats: `output` is a folder (created if needed), files are named
    `rca-<id>-<title-slug><suffix>`. One format: `output` may name the file, or an existing
    folder (or a path ending in '/'), where the file gets its name as above. An existing file is
    an error without `force`; so is a target that is a folder, and a folder that cannot be
    created or written. Returns {format: path}.
    """
    if output is None:
        raise ExportError("give -o FOLDER (or -o FILE for one format)")
    raw = os.fspath(output)
    base = Path(raw).expanduser()
    stem = file_stem(investigation_id, title, deidentified=deidentified)
    as_folder = len(formats) > 1 or base.is_dir() or raw.endswith(("/", os.sep))
    if as_folder:
        if base.exists() and not base.is_dir():
            raise ExportError(f"{base}: is a file; with several formats -o names a folder")
        try:
            base.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"{base}: cannot create the folder ({exc.strerror or exc})") from None
        targets = {fmt: base / f"{stem}{FORMATS[fmt].suffix}" for fmt in formats}
    else:
        targets = {formats[0]: base}
    existing: list[str] = []
    for path in targets.values():
        folder = path.parent
        if path.is_dir():
            raise ExportError(f"{path}: is a folder; give a file name")
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise ExportError(f"{folder}: cannot write there (permission denied)")
        if path.exists() and not force:
            existing.append(str(path))
    if existing:
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        raise TargetExistsError(
            f"{existing[0]}{more}: already exist{'s' * (not more)} (use --force to replace)",
            existing,
        )
    return targets


def export_formats(
    dossier: Any,
    formats: str | Sequence[str],
    output: str | os.PathLike,
    *,
    force: bool = False,
    deidentify: bool = False,
    findings: Sequence[Any] | None = None,
    generated_by: str = "",
    db_version: str = "",
    deadline_policy: Any = None,
    today: Any = None,
    pictures: bool = True,
    progress: Progress | None = None,
    confidentiality_notice: str | None = None,
    paper_size: str = "letter",
    language: str = "en",
) -> list[Path]:
    """Write the chosen formats of one investigation and return the files written, in order.

    The one export path of the command line and the app. Every target is checked first
    (`plan_targets`), and every format rendered in memory, so a refused overwrite or a failing
    writer leaves no file behind. Files are written atomically with mode 0600. Errors are
    `ExportError`s with a one-line message (`TargetExistsError` names every existing file).
    """
    from exports.safety import write_atomic

    names = parse_formats(formats)
    title = dossier.investigation.title
    if deidentify:
        from exports.deidentify import scrubber_for

        title = scrubber_for(dossier)(title)
    targets = plan_targets(
        names,
        output,
        investigation_id=dossier.investigation.id,
        title=title,
        deidentified=deidentify,
        force=force,
    )
    data = render_formats(
        dossier,
        names,
        findings=findings,
        generated_by=generated_by,
        db_version=db_version,
        deidentify=deidentify,
        deadline_policy=deadline_policy,
        today=today,
        pictures=pictures,
        progress=progress,
        confidentiality_notice=confidentiality_notice,
        paper_size=paper_size,
        language=language,
    )
    return [write_atomic(targets[name], data[name], force=force) for name in names]

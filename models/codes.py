"""Cause codes: one shared classification of causes, so that causes can be counted across
investigations (free-text categories each investigation may rename cannot be).

The seed is data (`models/rules/cause_codes.toml`: The Joint Commission's root cause categories
and the London Protocol's contributory factors, two levels: category and detail). A hospital's
own codes and retirements live in the database (`models/service/codes.py`); `merge` lays them
over the seed. This module is pure: no database, no Textual.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from models.errors import ValidationError

DATA_FILE = "cause_codes.toml"

#: A code's key: letters, digits, "-" and "_", with "." between a category and its detail.
KEY = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}(\.[A-Z0-9][A-Z0-9_-]{0,29})?$")


@dataclass(frozen=True, slots=True)
class Code:
    key: str
    label: str
    definition: str = ""
    #: The category's key for a detail; None for a category (a top-level code).
    parent: str | None = None
    #: "seed" (from the data file) or "hospital" (added in this database).
    origin: str = "seed"
    retired: bool = False

    @property
    def level(self) -> str:
        return "category" if self.parent is None else "detail"

    @property
    def top(self) -> str:
        """The top-level code this one belongs to (itself, for a category)."""
        return self.parent or self.key

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "definition": self.definition,
            "level": self.level,
            "parent": self.parent,
            "origin": self.origin,
            "retired": self.retired,
        }


@dataclass(frozen=True, slots=True)
class Seed:
    source: str
    codes: tuple[Code, ...]
    #: fishbone bone name -> top-level code key
    bones: dict[str, str]


@cache
def seed() -> Seed:
    """The codes of the data file, categories each followed by their details."""
    data = tomllib.loads(files("models.rules").joinpath(DATA_FILE).read_text(encoding="utf-8"))
    codes: list[Code] = []
    for cat in data.get("category", []):
        codes.append(Code(cat["key"], cat["label"], cat.get("definition", "")))
        for det in cat.get("details", []):
            codes.append(Code(det["key"], det["label"], det.get("definition", ""), cat["key"]))
    return Seed(str(data.get("source", "")), tuple(codes), dict(data.get("bones", {})))


def merge(added: Iterable[Code], retired: Iterable[str]) -> list[Code]:
    """The catalogue: the seed, then the hospital's codes under their category, retired marked."""
    gone = set(retired)
    out = [c if c.key not in gone else _retired(c) for c in seed().codes]
    known = {c.key for c in out}
    for code in sorted(added, key=lambda c: c.key):
        if code.key in known:
            continue
        code = code if code.key not in gone else _retired(code)
        # a detail goes right after its category's last code
        at = len(out)
        if code.parent is not None:
            idx = [i for i, c in enumerate(out) if c.top == code.parent]
            if idx:
                at = idx[-1] + 1
        out.insert(at, code)
        known.add(code.key)
    return out


def _retired(code: Code) -> Code:
    return Code(code.key, code.label, code.definition, code.parent, code.origin, True)


def check_new(key: str, label: str, parent: str | None, catalogue: Sequence[Code]) -> str:
    """A hospital code's key, checked: well-formed, new, and under an existing category."""
    key = key.strip().upper()
    if not KEY.match(key):
        raise ValidationError(
            f"code: {key!r} is not a code key (letters, digits, - and _; CATEGORY.DETAIL for "
            "a detail)"
        )
    if not label.strip():
        raise ValidationError("code: give it a label")
    known = {c.key: c for c in catalogue}
    if key in known:
        raise ValidationError(f"code: {key} already exists")
    head, dot, _ = key.partition(".")
    if parent is None and dot:
        parent = head
    if parent is not None:
        cat = known.get(parent)
        if cat is None or cat.parent is not None:
            raise ValidationError(f"code: {parent} is not a category")
        if not key.startswith(parent + "."):
            raise ValidationError(f"code: a detail of {parent} is named {parent}.SOMETHING")
    return key


def bone_code(bone: str | None) -> str | None:
    """The top-level code a preset fishbone bone maps to (None: not a preset bone)."""
    if not bone:
        return None
    return seed().bones.get(bone)


def matching(catalogue: Sequence[Code], text: str, *, retired: bool = False) -> list[Code]:
    """The codes whose key, label or definition hold every word of `text` (filter as you type)."""
    words = text.casefold().split()
    out = []
    for code in catalogue:
        if code.retired and not retired:
            continue
        hay = f"{code.key} {code.label} {code.definition}".casefold()
        if all(w in hay for w in words):
            out.append(code)
    return out


def join(keys: Iterable[str]) -> str:
    """Keys as one audit/export text ("TJC-COMM, TJC-MED.LASA"); empty for none."""
    return ", ".join(sorted(keys))

"""Where an action sits on the action hierarchy, suggested from its wording.

Published action plans are dominated by weaker actions (training, a new policy) and events
recur. As an action is typed, the action plan shows a suggested strength and hierarchy category
beside the person's own choice; the choice always wins and is what is stored. This module only
reads words: "Remind staff to scan the barcode" is a reminder, "Install barcode scanning at the
bedside" a forcing function.

The phrases live in `action_strength.toml` (data a hospital may edit), read once per process;
that file explains how a phrase matches and which one wins.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from models.vocab import Strength

DATA_FILE = "action_strength.toml"

#: Characters read as one space between words.
_JOINERS = frozenset("-‐‑‒–—_/")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the wording suggests. All None when no phrase of the table was found."""

    strength: str | None = None
    category: str | None = None
    #: The words of the action text that gave the suggestion, as typed.
    matched: str | None = None

    def __bool__(self) -> bool:
        return self.strength is not None


@dataclass(frozen=True, slots=True)
class _Rule:
    category: str
    strength: str
    entry: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class StrengthTable:
    #: Every hierarchy category with its strength, in the order of the file.
    categories: dict[str, str]
    rules: tuple[_Rule, ...]


def parse_table(data: dict[str, Any]) -> StrengthTable:
    """Build the table from parsed TOML; a bad entry is an error naming it."""
    allowed = {s.value for s in Strength}
    categories: dict[str, str] = {}
    for name, strength in data.get("categories", {}).items():
        if strength not in allowed:
            raise ValueError(
                f"{DATA_FILE}: category {name!r} has strength {strength!r}; "
                f"use one of {', '.join(sorted(allowed))}"
            )
        categories[name] = strength
    rules: list[_Rule] = []
    for block in data.get("rules", []):
        category = block.get("category")
        if category not in categories:
            raise ValueError(f"{DATA_FILE}: rule category {category!r} is not in [categories]")
        for entry in block.get("match", []):
            try:
                pattern = re.compile(rf"\b(?:{entry})\b", re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{DATA_FILE}: {entry!r} is not a valid pattern ({exc})") from None
            rules.append(_Rule(category, categories[category], entry, pattern))
    return StrengthTable(categories, tuple(rules))


def load_table(path: str | Path) -> StrengthTable:
    """A table from a TOML file of the same shape as the shipped one."""
    with open(path, "rb") as f:
        return parse_table(tomllib.load(f))


@functools.cache
def strength_table() -> StrengthTable:
    """The shipped table, read once."""
    text = (files(__package__ or "models.rules") / DATA_FILE).read_text(encoding="utf-8")
    return parse_table(tomllib.loads(text))


def categories() -> dict[str, str]:
    """Every hierarchy category -> its strength, in the order a picker should list them."""
    return dict(strength_table().categories)


def strength_of(category: str | None) -> str | None:
    """The strength of a hierarchy category (any case), or None for one not in the table."""
    if not category:
        return None
    wanted = category.strip().casefold()
    for name, strength in strength_table().categories.items():
        if name.casefold() == wanted:
            return strength
    return None


def _normalise(text: str) -> tuple[str, list[int]]:
    """Joiners and runs of white space become one space; the map back to the original text."""
    out: list[str] = []
    index: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace() or ch in _JOINERS:
            if space:
                continue
            out.append(" ")
            space = True
        else:
            out.append("'" if ch == "’" else ch)
            space = False
        index.append(i)
    return "".join(out), index


def suggest_strength(text: str, table: StrengthTable | None = None) -> Suggestion:
    """The strength and category the wording of an action suggests (see the module doc).

    The phrase found first in the text wins; of phrases starting at the same place, the longest;
    then the one listed first in the table.
    """
    table = table or strength_table()
    if not text or not text.strip():
        return Suggestion()
    plain, index = _normalise(text)
    best: tuple[int, int, int] | None = None
    chosen: tuple[_Rule, int, int] | None = None
    for order, rule in enumerate(table.rules):
        m = rule.pattern.search(plain)
        if m is None or m.end() == m.start():
            continue
        key = (m.start(), -(m.end() - m.start()), order)
        if best is None or key < best:
            best, chosen = key, (rule, m.start(), m.end())
    if chosen is None:
        return Suggestion()
    rule, start, end = chosen
    matched = text[index[start] : index[end - 1] + 1]
    return Suggestion(rule.strength, rule.category, matched)

"""The five rules of causation (DOMAIN.md), checked on the words of each cause.

A root cause analysis fails quietly when its causes blame ("nurse was careless"), stop at the
person ("nurse gave wrong dose"), or name a duty nobody had. Reviewers catch these by reading;
this module does the first reading for them, so the team hears "ask why" while it still can.
It only reads words, so every result is a warning, worded as a question to the team, never a
block on saving.

What is checked, per cause (the event node is never checked: it says what happened):

* R1: a root cause needs a causal statement, and a statement must name an effect ("led to",
  "increased the likelihood of" ...). A cause with no path to the event is left to the graph
  check (G-DISCONNECTED).
* R2: no vague or negative descriptors, in the cause's text or its statement.
* R3, R4, R5: where the chain of whys stops (a cause with nothing before it in the graph), a
  human error (R3) or a deviation from procedure (R4) needs a preceding cause, and a failure to
  act (R5) needs a stated duty. A cause with a preceding cause has been asked "why" already, and
  its own causes are checked in turn, so only the end of each chain is held to rules 3 to 5. In
  a statement, only the cause part (the words before "led to" ...) is read for R3 to R5: the
  effect part describes what the cause brought about, errors included.

The words live in `causation_words.toml` (data a hospital may edit), read once per process.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, NamedTuple

from models.domain import Cause, Dossier, Finding
from models.graph import CauseGraph
from models.vocab import CauseKind

WORDS_FILE = "causation_words.toml"

#: The statement shape of DOMAIN.md, for a cause with no path to the event yet.
STATEMENT_SHAPE = "[cause] led to [effect], which increased the likelihood of [event]."


# --- the word lists ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Term:
    """One entry of a word list: as written in the file, compiled, and what to write instead."""

    entry: str
    pattern: re.Pattern[str]
    suggestion: str = ""


@dataclass(frozen=True, slots=True)
class WordLists:
    effect: tuple[Term, ...]
    vague: tuple[Term, ...]
    human_error: tuple[Term, ...]
    deviation: tuple[Term, ...]
    failure_to_act: tuple[Term, ...]
    duty: tuple[Term, ...]


def compile_entry(entry: str) -> re.Pattern[str]:
    """A word-list entry as a pattern (syntax documented at the top of the TOML file).

    "re:..." is a regular expression used as written; anything else is a plain phrase matched as
    whole words (a hyphen counts as part of a word), any whitespace between its words.
    """
    if entry.startswith("re:"):
        return re.compile(entry[3:], re.IGNORECASE)
    words = entry.split()
    if not words:
        raise ValueError("empty entry in the causation word list")
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)


def _terms(entries: Iterable[str], suggestion: str = "") -> tuple[Term, ...]:
    return tuple(Term(e, compile_entry(e), suggestion) for e in entries)


def parse_words(data: Mapping[str, Any]) -> WordLists:
    """Word lists from the parsed TOML (a missing list is an empty one)."""

    def phrases(section: str) -> tuple[Term, ...]:
        return _terms(data.get(section, {}).get("phrases", []))

    vague = data.get("vague", {})
    default = vague.get("default_suggestion", "")
    vague_terms: list[Term] = []
    for group in vague.get("words", []):
        vague_terms.extend(_terms(group.get("match", []), group.get("suggest", default)))
    return WordLists(
        effect=phrases("effect"),
        vague=tuple(vague_terms),
        human_error=phrases("human_error"),
        deviation=phrases("deviation"),
        failure_to_act=phrases("failure_to_act"),
        duty=phrases("duty"),
    )


def load_words(path: str | Path) -> WordLists:
    """Word lists from a TOML file of the same shape as the shipped one."""
    with open(path, "rb") as f:
        return parse_words(tomllib.load(f))


@functools.cache
def word_lists() -> WordLists:
    """The shipped word lists, read and compiled once per process."""
    text = (files(__package__ or "models.rules") / WORDS_FILE).read_text(encoding="utf-8")
    return parse_words(tomllib.loads(text))


# --- reading one text ------------------------------------------------------------------------
def _normal(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, width: int = 50) -> str:
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def matches(terms: Iterable[Term], text: str) -> list[tuple[Term, str]]:
    """Each term found in the text, with the words it matched (lower-case, one line), in text
    order; a term or a wording found twice is listed once."""
    text = _normal(text)
    found: list[tuple[int, Term, str]] = []
    seen: set[str] = set()
    for term in terms:
        m = term.pattern.search(text)
        if m is None:
            continue
        words = _one_line(m.group(0)).strip().lower() or term.entry
        if words not in seen:
            seen.add(words)
            found.append((m.start(), term, words))
    return [(t, w) for _, t, w in sorted(found, key=lambda x: x[0])]


def _first(terms: Iterable[Term], text: str) -> str | None:
    hits = matches(terms, text)
    return hits[0][1] if hits else None


def names_effect(statement: str) -> bool:
    """True when a statement links its cause to an effect ("led to", "caused" ...)."""
    return _first(word_lists().effect, statement) is not None


def cause_clause(statement: str) -> str:
    """The cause part of a statement: the words before its first "led to" (or the like)."""
    text = _normal(statement)
    starts = [m.start() for t in word_lists().effect if (m := t.pattern.search(text))]
    return text[: min(starts)] if starts else text


def has_duty(*texts: str) -> bool:
    """True when any of the texts states a pre-existing duty to act ("required by" ...)."""
    return any(_first(word_lists().duty, t) for t in texts if t)


class Hit(NamedTuple):
    """One rule a text breaks: the rule, what was found and why it matters, what to do."""

    rule: str
    message: str
    suggestion: str


def vague_hits(text: str) -> list[Hit]:
    """R2: each vague or negative descriptor in the text."""
    return [
        Hit("R2", f"uses a vague descriptor ('{words}')", term.suggestion)
        for term, words in matches(word_lists().vague, text)
    ]


def chain_end_hits(text: str, duty_context: str = "") -> list[Hit]:
    """R3-R5 for a cause with nothing before it: human error, deviation, failure to act.

    A deviation is reported once, as R4: rule 4 is rule 3 for procedures, and a procedure is the
    duty rule 5 asks for. A failure to act is fine when the text or `duty_context` (the rest of
    what is known about the cause: statement, evidence) states a duty.
    """
    words = word_lists()
    deviation = _first(words.deviation, text)
    if deviation:
        return [
            Hit(
                "R4",
                f"is a deviation from procedure ('{deviation}') with no cause before it",
                "every deviation has a preceding cause; ask why the procedure was not followed "
                "and add that cause",
            )
        ]
    hits = []
    error = _first(words.human_error, text)
    if error:
        hits.append(
            Hit(
                "R3",
                f"is a human error ('{error}') with no cause before it",
                "every human error has a preceding cause; ask why it happened and add that cause",
            )
        )
    failure = _first(words.failure_to_act, text)
    if failure and not has_duty(text, duty_context):
        hits.append(
            Hit(
                "R5",
                f"is a failure to act ('{failure}') with no stated duty to act",
                "a failure to act is a cause only where there was a duty; name the policy, order "
                "or standard that required it, or say what did happen instead",
            )
        )
    return hits


def check_text(text: str, *, origin: bool = True, duty_context: str = "") -> list[Hit]:
    """Rules 2-5 on one cause text; `origin` says the cause has nothing before it (R3-R5)."""
    hits = vague_hits(text)
    if origin:
        hits += chain_end_hits(text, duty_context)
    return hits


# --- the pre-filled statement ----------------------------------------------------------------
_ORDINARY = re.compile(r"[A-Z][a-z]+(?:[-'][a-z]+)*")
_CAPITALISED = re.compile(r"[A-Z][a-z]")
#: Capitalised words that stay capitalised inside a sentence.
_PROPER = frozenset(
    (
        *("Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "Sister"),
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        *("January", "February", "March", "April", "May", "June", "July", "August"),
        *("September", "October", "November", "December"),
    )
)


def _clause(text: str) -> str:
    return _one_line(text).rstrip(" .;:,")


def _opening(text: str) -> str:
    """The first clause of a sentence: its first letter upper-case."""
    text = _clause(text)
    return text[:1].upper() + text[1:]


def _inner(text: str) -> str:
    """A clause inside a sentence: the first letter lower-case only when the first word is
    clearly an ordinary word ("Patient fell" -> "patient fell"), never an acronym ("CAM", "RN"),
    a title or day, or the start of a name ("Eleanor Rigby fell")."""
    text = _clause(text)
    words = text.split(" ", 2)
    first = words[0].rstrip(",:;")
    if not _ORDINARY.fullmatch(first) or first in _PROPER:
        return text
    if len(words) > 1 and _CAPITALISED.match(words[1]):
        return text
    return text[0].lower() + text[1:]


def suggest_statement(cause_id: int, graph: CauseGraph, texts: Mapping[int, str]) -> str:
    """A pre-filled causal statement for a cause, in the shape of DOMAIN.md, along the
    shortest path from the cause to the event.

    * two or more steps: "[cause] led to [next node], which increased the likelihood of [event]."
    * straight to the event: "[cause] led to [event]." (there is no effect in between to name).
    * no path yet: the shape with "[effect]" (and "[event]" when there is no event) to fill in.
    * the event itself: "" (it is what the statements explain).
    It is a draft for the team to reword, not a finished sentence.
    """
    cause = _opening(texts.get(cause_id, "")) or "[cause]"
    event = graph.event()
    if event is not None and cause_id == event:
        return ""
    paths = graph.paths_to_event(cause_id, limit=1)
    if not paths:
        tail = _inner(texts.get(event, "")) if event is not None else "[event]"
        return f"{cause} led to [effect], which increased the likelihood of {tail or '[event]'}."
    path = paths[0]
    event_text = _inner(texts.get(path[-1], "")) or "[event]"
    if len(path) == 2:
        return f"{cause} led to {event_text}."
    effect = _inner(texts.get(path[1], "")) or "[effect]"
    return f"{cause} led to {effect}, which increased the likelihood of {event_text}."


# --- the rule --------------------------------------------------------------------------------
def _graph_of(dossier: Dossier) -> CauseGraph:
    return CauseGraph.build(
        ((c.id, c.kind, c.category) for c in dossier.causes),
        ((lk.cause_id, lk.effect_id) for lk in dossier.links),
    )


def _statement_hits(cause: Cause, origin: bool) -> list[Hit]:
    """Rules 1-5 on a cause's (non-empty) statement. The R1 hit has no suggestion yet: the
    caller adds the pre-filled statement, which needs the graph."""
    statement = cause.statement
    hits = [] if names_effect(statement) else [Hit("R1", "names no effect", "")]
    hits += vague_hits(statement)
    if origin:
        context = f"{cause.text}\n{cause.evidence}\n{statement}"
        hits += chain_end_hits(cause_clause(statement), context)
    return hits


def cause_findings(cause: Cause, graph: CauseGraph, texts: Mapping[int, str]) -> list[Finding]:
    """Every R-finding for one cause (none for an event node), R1 to R5."""
    if cause.kind == CauseKind.EVENT:
        return []
    origin = cause.id not in graph or not graph.causes_of(cause.id)
    name = f"'{_short(cause.text)}'"
    hits: list[tuple[str, Hit]] = [
        (name, hit)
        for hit in check_text(
            cause.text, origin=origin, duty_context=f"{cause.statement}\n{cause.evidence}"
        )
    ]
    if cause.statement.strip():
        hits += [(f"the statement for {name}", hit) for hit in _statement_hits(cause, origin)]
    elif cause.kind == CauseKind.ROOT:
        hits.append((f"root cause {name}", Hit("R1", "has no causal statement", "")))

    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for subject, hit in hits:
        # one finding per rule, except one per vague word (each has its own advice)
        key = (hit.rule, hit.message if hit.rule == "R2" else "")
        if key in seen:
            continue
        seen.add(key)
        suggestion = hit.suggestion
        if hit.rule == "R1":
            draft = suggest_statement(cause.id, graph, texts) if cause.id in graph else ""
            suggestion = f"start from '{draft or STATEMENT_SHAPE}'"
        message = f"{subject} {hit.message}: {suggestion}"  # the code is Finding.code
        found.append(Finding(hit.rule, "warning", cause.id, _one_line(message)))
    return sorted(found, key=lambda f: f.code)


def causation_findings(dossier: Dossier, graph: CauseGraph | None = None) -> list[Finding]:
    """The five rules of causation over every cause of one investigation, in cause order."""
    graph = graph if graph is not None else _graph_of(dossier)
    texts = {c.id: c.text for c in dossier.causes}
    findings: list[Finding] = []
    for cause in sorted(dossier.causes, key=lambda c: c.id):
        findings += cause_findings(cause, graph, texts)
    return findings

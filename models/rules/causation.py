"""The five rules of causation (VA NCPS, RCA2), checked on the words of each cause.

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
from itertools import compress
from typing import Any, NamedTuple

from models.domain import Cause, Dossier, Finding
from models.graph import CauseGraph
from models.rules.statement import STATEMENT_SHAPE, suggest_statement
from models.vocab import CauseKind

__all__ = ["STATEMENT_SHAPE", "causation_findings", "check_text", "suggest_statement"]

WORDS_FILE = "causation_words.toml"


# --- the word lists ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Term:
    """One entry of a word list: as written in the file, compiled, and what to write instead."""

    entry: str
    pattern: re.Pattern[str]
    suggestion: str = ""
    #: R2: what the message calls the word ("negative descriptor").
    descriptor: str = ""
    #: R2: an example of what to write instead, by event type ("default" for any other).
    examples: tuple[tuple[str, str], ...] = ()

    def example(self, event_type: str | None) -> str:
        """The example that fits the event type, or the default one, or ""."""
        found = dict(self.examples)
        return found.get(event_type or "", found.get("default", ""))


@dataclass(frozen=True, slots=True)
class WordLists:
    effect: tuple[Term, ...]
    vague: tuple[Term, ...]
    human_error: tuple[Term, ...]
    deviation: tuple[Term, ...]
    failure_to_act: tuple[Term, ...]
    duty: tuple[Term, ...]
    mentions: tuple[Term, ...] = ()
    things: frozenset[str] = frozenset()
    consequence: tuple[Term, ...] = ()


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


def _terms(entries: Iterable[str], suggestion: str = "", **kw: Any) -> tuple[Term, ...]:
    return tuple(Term(e, compile_entry(e), suggestion, **kw) for e in entries)


def parse_words(data: Mapping[str, Any]) -> WordLists:
    """Word lists from the parsed TOML (a missing list is an empty one)."""

    def phrases(section: str) -> tuple[Term, ...]:
        return _terms(data.get(section, {}).get("phrases", []))

    vague = data.get("vague", {})
    default = vague.get("default_suggestion", "")
    descriptor = vague.get("default_descriptor", "negative descriptor")
    vague_terms: list[Term] = []
    for group in vague.get("words", []):
        vague_terms.extend(
            _terms(
                group.get("match", []),
                group.get("suggest", default),
                descriptor=group.get("descriptor", descriptor),
                examples=tuple(group.get("examples", {}).items()),
            )
        )
    return WordLists(
        effect=phrases("effect"),
        vague=tuple(vague_terms),
        human_error=phrases("human_error"),
        deviation=phrases("deviation"),
        failure_to_act=phrases("failure_to_act"),
        duty=phrases("duty"),
        mentions=phrases("mentions"),
        consequence=phrases("consequence"),
        things=frozenset(w.casefold() for w in data.get("things", {}).get("words", [])),
    )


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


#: The two letters that IGNORECASE matches to "i" but whose case folding is not "i" (every
#: other letter a pattern's ASCII letter matches folds to it, a test goes through them all).
_DOTTED_I = str.maketrans({"\u0130": "i", "\u0131": "i"})


@functools.lru_cache(maxsize=256)  # the same text is tested against several lists in turn
def folded(text: str) -> str:
    """The (normalised) text as the pre-test reads it: case folded, dotted and dotless i as i."""
    return text.translate(_DOTTED_I).casefold()


def required_words(pattern: str) -> frozenset[str] | None:
    """Pieces of text (lower case) one of which is in every text the pattern matches, case
    ignored; None when none can be told. Read from the parsed pattern: a run of ASCII
    characters matched one after the other (zero-width tests such as \\b and look-arounds do not
    break a run), or one of each branch of an alternation, or what a group or a repeat of at
    least one holds. The longest choice is kept (the fewest texts have it)."""
    parser: Any = getattr(re, "_parser", None)  # the standard library's own (3.11+)
    if parser is None:  # pragma: no cover - another layout: every term is searched
        return None
    sc = parser

    def of(items: Any) -> frozenset[str] | None:
        options: list[frozenset[str]] = []
        run = ""
        for op, av in items:
            if op is sc.LITERAL and av < 128:
                run += chr(av).lower()
                continue
            if op in (sc.AT, sc.ASSERT, sc.ASSERT_NOT):
                continue  # matches no character: the run goes on
            if run:
                options.append(frozenset({run}))
                run = ""
            sub: frozenset[str] | None = None
            if op is sc.SUBPATTERN:
                sub = of(av[-1])
            elif op is sc.BRANCH:
                alts = [of(a) for a in av[1]]
                if all(alts):
                    sub = frozenset().union(*(a for a in alts if a))
            elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT) and av[0] >= 1:
                sub = of(av[2])
            if sub:
                options.append(sub)
        if run:
            options.append(frozenset({run}))
        return max(options, key=lambda o: min(map(len, o)), default=None)

    try:
        return of(parser.parse(pattern, 0))
    except (re.error, TypeError, ValueError):  # pragma: no cover - a pattern compiled anyway
        return None


class _Keyed(NamedTuple):
    """A word list ready for the pre-test: each required word beside the index of its term,
    and the terms that have none (always searched)."""

    terms: tuple[Term, ...]
    words: tuple[str, ...]
    owners: tuple[int, ...]
    always: frozenset[int]


def _keyed(terms: tuple[Term, ...]) -> _Keyed:
    keyed = _KEYS.get(id(terms))
    if keyed is None or keyed.terms is not terms:
        pairs: list[tuple[str, int]] = []
        always = set()
        for i, t in enumerate(terms):
            required = required_words(t.pattern.pattern)
            if required is None:
                always.add(i)
            else:
                pairs += ((k, i) for k in sorted(required))
        keyed = _Keyed(
            terms, tuple(k for k, _ in pairs), tuple(i for _, i in pairs), frozenset(always)
        )
        _KEYS[id(terms)] = keyed
    return keyed


#: id of a word list -> the list ready for the pre-test.
_KEYS: dict[int, _Keyed] = {}


def _candidates(terms: Iterable[Term], text: str) -> Iterable[Term]:
    """The terms that may be found in the (normalised) text, in list order: the pre-test.

    Most texts hold none of a list's hundred phrases, and searching for each in turn made
    checking 5,000 causes take seconds. A term cannot match unless one of its required words
    (`required_words`: for a plain phrase, its words; for a "re:" entry, what its pattern
    cannot match without) is in the text, case folded, which a substring test tells at once
    (all of a list's in one pass of C code: `map` of the text's `__contains__`); a term with
    none is always searched. The result is the same as searching every term.
    """
    if not isinstance(terms, tuple):
        return terms
    keyed = _keyed(terms)
    hit = set(compress(keyed.owners, map(folded(text).__contains__, keyed.words)))
    if keyed.always:
        hit |= keyed.always
    if not hit:
        return []
    return [t for i, t in enumerate(terms) if i in hit]


@functools.cache
def _break_words() -> tuple[tuple[str, ...], bool]:
    """Every required word of the lists of rules 2 to 5, and whether some term has none."""
    words = word_lists()
    lists = [_keyed(t) for t in (words.vague, words.human_error, words.deviation,
                                 words.failure_to_act)]
    every = {w for k in lists for w in k.words}
    # a word that holds another need not be tested: where it is, the other is too
    fewest = {w for w in every if not any(o != w and o in w for o in every)}
    return tuple(sorted(fewest, key=len)), any(k.always for k in lists)


def could_break(text: str) -> bool:
    """The pre-test of rules 2 to 5: False when no word of the vague, human error, deviation
    or failure-to-act lists can be in the text, so checking it finds nothing (a test holds
    that). Most of a large investigation's causes are told apart here, in one pass."""
    words, always = _break_words()
    return always or any(map(folded(_normal(text)).__contains__, words))


def matches(terms: Iterable[Term], text: str) -> list[tuple[Term, str]]:
    """Each term found in the text, with the words it matched (lower-case, one line), in text
    order; a term or a wording found twice is listed once."""
    text = _normal(text)
    found: list[tuple[int, Term, str]] = []
    seen: set[str] = set()
    for term in _candidates(terms, text):
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


def _before_first(terms: Iterable[Term], text: str) -> str:
    text = _normal(text)
    starts = [m.start() for t in _candidates(terms, text) if (m := t.pattern.search(text))]
    return text[: min(starts)] if starts else text


def cause_clause(statement: str) -> str:
    """The cause part of a statement: the words before its first "led to" (or the like)."""
    return _before_first(word_lists().effect, statement)


def cause_part(text: str) -> str:
    """The cause part of a cause's text: the words before what it brought about (", so ...")."""
    return _before_first(word_lists().consequence, text)


def has_duty(*texts: str) -> bool:
    """True when any of the texts states a pre-existing duty to act ("required by" ...)."""
    return any(_first(word_lists().duty, t) for t in texts if t)


class Hit(NamedTuple):
    """One rule a text breaks: the rule, what was found and why it matters, what to do."""

    rule: str
    message: str
    suggestion: str


def vague_hits(text: str, event_type: str | None = None) -> list[Hit]:
    """R2: each negative or vague descriptor in the text, with what to write instead and an
    example that fits the investigation's event type (a fall's example for a fall only)."""
    hits = []
    for term, words in matches(word_lists().vague, text):
        example = term.example(event_type)
        advice = f"{term.suggestion}, e.g. '{example}'" if example else term.suggestion
        hits.append(Hit("R2", f"uses a {term.descriptor} ('{words}')", advice))
    return hits


#: Where a human act is named: "did not", "does not", "failed to" after the one doing it.
_NEGATED_ACT = re.compile(r"(?:did not|didn't|does not|doesn't|failed to|fails to)\b", re.I)


def _act(terms: Iterable[Term], text: str) -> str | None:
    """The first words of `terms` in the text that name what a person did or did not do: not
    inside a phrase that only mentions an error ("assumed a data-entry error"), and not what a
    thing "did not" do ("the pump library did not include the concentration": a latent
    condition, see [things])."""
    words = word_lists()
    text = _normal(text)
    found = sorted(
        ((m.start(), m) for t in _candidates(terms, text) for m in t.pattern.finditer(text)),
        key=lambda x: x[0],
    )
    if not found:
        return None
    mentioned = [
        m.span() for t in _candidates(words.mentions, text) for m in t.pattern.finditer(text)
    ]
    for start, m in found:
        if any(a <= start < b for a, b in mentioned):
            continue
        negated = _NEGATED_ACT.match(text, start)
        before = re.findall(r"[\w']+", text[:start])
        if negated and before and before[-1].casefold() in words.things:
            continue
        return _one_line(m.group(0)).strip().lower()
    return None


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
    error = _act(words.human_error, text)
    if error:
        hits.append(
            Hit(
                "R3",
                f"is a human error ('{error}') with no cause before it",
                "every human error has a preceding cause; ask why it happened and add that cause",
            )
        )
    failure = _act(words.failure_to_act, text)
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


def check_text(
    text: str, *, origin: bool = True, duty_context: str = "", event_type: str | None = None
) -> list[Hit]:
    """Rules 2-5 on one cause text; `origin` says the cause has nothing before it (R3-R5)."""
    if not could_break(text):
        return []
    hits = vague_hits(text, event_type)
    if origin:
        hits += chain_end_hits(cause_part(text), f"{text}\n{duty_context}")
    return hits


# --- the rule --------------------------------------------------------------------------------
def _graph_of(dossier: Dossier) -> CauseGraph:
    return CauseGraph.build(
        ((c.id, c.kind, c.category) for c in dossier.causes),
        ((lk.cause_id, lk.effect_id) for lk in dossier.links),
    )


def _statement_hits(cause: Cause, origin: bool, event_type: str | None) -> list[Hit]:
    """Rules 1-5 on a cause's (non-empty) statement. The R1 hit has no suggestion yet: the
    caller adds the pre-filled statement, which needs the graph."""
    statement = cause.statement
    hits = [] if names_effect(statement) else [Hit("R1", "names no effect", "")]
    hits += vague_hits(statement, event_type)
    if origin:
        context = f"{cause.text}\n{cause.evidence}\n{statement}"
        hits += chain_end_hits(cause_clause(statement), context)
    return hits


def cause_findings(
    cause: Cause, graph: CauseGraph, texts: Mapping[int, str], event_type: str | None = None
) -> list[Finding]:
    """Every R-finding for one cause (none for an event node), R1 to R5. `event_type` (the
    investigation's) chooses the examples of R2's advice."""
    if cause.kind == CauseKind.EVENT:
        return []
    origin = cause.id not in graph or not graph.causes_of(cause.id)
    name = f"'{_short(cause.text)}'"
    hits: list[tuple[str, Hit]] = [
        (name, hit)
        for hit in check_text(
            cause.text,
            origin=origin,
            duty_context=f"{cause.statement}\n{cause.evidence}",
            event_type=event_type,
        )
    ]
    if cause.statement.strip():
        statement_hits = _statement_hits(cause, origin, event_type)
        hits += [(f"the statement for {name}", hit) for hit in statement_hits]
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
    event_type = dossier.investigation.event_type
    for cause in sorted(dossier.causes, key=lambda c: c.id):
        findings += cause_findings(cause, graph, texts, event_type)
    return findings

"""Where an action sits on the action hierarchy, suggested from its wording.

Published action plans are dominated by weaker actions (training, a new policy) and events
recur. As an action is typed, the action plan shows a suggested strength and hierarchy category
beside the person's own choice; the choice always wins and is what is stored.

The suggestion reads what the action does, not the first phrase found anywhere in it: the main
verb and what it acts on. "Remind staff to scan the barcode" is a reminder (the verb decides);
"Remove heparin from the automated dispensing cabinets" removes heparin (the cabinets are where
from, not a forcing function); "Add a second pharmacist to the night shift" adds staff. Where
the words name no category, there is no suggestion: "not sure" is better than a guess. The
reading is shallow on purpose (word lists and a few rules of English word order, no parser), so
that a hospital can see and edit why a text reads as it does.

The verbs and phrases live in `action_strength.toml` (data a hospital may edit), read once per
process; the file explains the reading step by step.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from models.vocab import Strength

DATA_FILE = "action_strength.toml"

#: Characters read as one space between words.
_JOINERS = frozenset("-‐‑‒–—_/")

#: English word order, not vocabulary: words that end what a verb acts on (its object).
_BOUNDARIES = frozenset(
    (
        *("from", "in", "into", "on", "onto", "at", "to", "for", "across", "throughout"),
        *("within", "during", "before", "after", "between", "by", "until", "via", "through"),
        *("over", "under", "around", "about", "against", "among", "per", "except", "without"),
        *("beside", "near", "inside", "outside", "above", "below", "than", "so", "when"),
        *("whenever", "if", "unless", "because", "while", "as", "once", "or", "but", "then"),
        *("where", "asking", "using", "including", "instead"),
    )
)
#: Words that end the head of the object but not the object ("pumps with hard limits").
_ATTRIBUTES = frozenset(("with", "of", "that", "which", "whose", "who", "whom"))
#: Words before a verb that make it a verb: "will remove", "to be removed", "must not".
_MODALS = frozenset(
    (
        *("will", "would", "to", "must", "should", "shall", "can", "could", "may", "might"),
        *("need", "needs", "has", "have", "is", "are", "was", "were", "be", "been", "being"),
        *("not", "also", "now", "then", "only", "always", "both", "jointly", "routinely"),
        *("immediately", "independently", "please", "do", "does", "never"),
    )
)
_BE = frozenset(("be", "been", "being", "is", "are", "was", "were"))
#: Words after a clause's first word that make it the subject: "Training will be provided".
_SUBJECT_SIGNS = _MODALS - {"only", "both", "never", "not", "do", "also", "now", "then"}
#: Words that open a clause without being its verb: "Do not store ...", "Please add ...".
_OPENERS = ("please ", "do not ", "don't ", "never ", "we will ", "we must ", "we should ")
#: Words that start an opening phrase ("Before purchase, ...", "To prevent a recurrence, ...").
_LEADS = frozenset(
    (
        *("before", "after", "for", "within", "by", "in", "on", "at", "when", "whenever"),
        *("if", "during", "following", "to", "from", "once", "until", "as", "where", "with"),
        *("wherever", "going", "starting"),
    )
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the wording suggests. All None when the wording names no category ("not sure")."""

    strength: str | None = None
    category: str | None = None
    #: The words of the action text that gave the suggestion, as typed.
    matched: str | None = None

    def __bool__(self) -> bool:
        return self.strength is not None


@dataclass(frozen=True, slots=True)
class _Rule:
    """A phrase that names a category in what the action acts on (a `match` entry)."""

    category: str
    strength: str
    entry: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Verb:
    """A verb of the table: `kind` says how it reads (see the TOML file)."""

    kind: str  # verb | default | carrier | causative | delegate | actor
    category: str  # "" for the kinds that name none
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class StrengthTable:
    #: Every hierarchy category with its strength, in the order of the file.
    categories: dict[str, str]
    rules: tuple[_Rule, ...]
    verbs: tuple[_Verb, ...] = ()
    constraints: tuple[re.Pattern[str], ...] = ()
    constraint_category: str | None = None
    #: category -> the categories it replaces when both are named ("training with simulation").
    refines: tuple[tuple[str, frozenset[str]], ...] = ()
    #: category -> who acts, when its `actor_verbs` give the category only with them as actor.
    actor_rules: tuple[tuple[str, re.Pattern[str]], ...] = ()
    #: category named by a maker -> what it means then (a maker's new label is a new product).
    from_makers: tuple[tuple[str, str], ...] = ()
    makers: re.Pattern[str] | None = None
    doers: re.Pattern[str] | None = None
    actors: re.Pattern[str] | None = None


def _word_forms(word: str, irregular_forms: dict[str, list[str]]) -> str:
    """A verb's plain form as a pattern that also takes its endings (remove -> removes ...)."""
    irregular = "".join(f"|{form}" for form in irregular_forms.get(word, ()))
    if word.endswith(("ise", "ize")):
        word = word[:-3] + "i[sz]e"
    if word.endswith("e"):
        forms = f"{word[:-1]}(?:e|es|ed|ing)"
    elif len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        forms = f"{word[:-1]}(?:y|ies|ied|ying)"
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        forms = f"{word}(?:|es|ed|ing)"
    else:
        forms = f"{word}(?:|s|{word[-1]}?ed|{word[-1]}?ing)"
    return f"(?:{forms}{irregular})"


def _verb_pattern(entry: str, irregular: dict[str, list[str]]) -> re.Pattern[str]:
    """A verb entry ("remove", "set up", "re:...") as a pattern for the normalised text."""
    if entry.startswith("re:"):
        body = entry[3:]
    else:
        first, *rest = entry.replace("-", " ").split()
        body = " ".join((_word_forms(first, irregular), *map(re.escape, rest)))
    try:
        return re.compile(rf"\b(?:{body})\b", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{DATA_FILE}: {entry!r} is not a valid pattern ({exc})") from None


def _phrase(entry: str) -> re.Pattern[str]:
    try:
        return re.compile(rf"\b(?:{entry})\b", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{DATA_FILE}: {entry!r} is not a valid pattern ({exc})") from None


def _alternation(entries: list[str]) -> re.Pattern[str] | None:
    return _phrase("|".join(f"(?:{e})" for e in entries)) if entries else None


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

    def known(category: Any) -> str:
        if category not in categories:
            raise ValueError(f"{DATA_FILE}: rule category {category!r} is not in [categories]")
        return category

    reading = data.get("reading", {})
    irregular = reading.get("irregular", {})

    def verb(kind: str, category: str, entry: str) -> _Verb:
        return _Verb(kind, category, _verb_pattern(entry, irregular))

    verbs = [
        verb(kind, "", e)
        for kind, key in (
            ("carrier", "carriers"),
            ("causative", "causatives"),
            ("delegate", "delegates"),
        )
        for e in reading.get(key, [])
    ]
    rules: list[_Rule] = []
    constraints: list[re.Pattern[str]] = []
    constraint_category = None
    refines: list[tuple[str, frozenset[str]]] = []
    actor_rules: list[tuple[str, re.Pattern[str]]] = []
    from_makers: list[tuple[str, str]] = []
    for block in data.get("rules", []):
        category = known(block.get("category"))
        strength = categories[category]
        rules += [_Rule(category, strength, e, _phrase(e)) for e in block.get("match", [])]
        verbs += [verb("verb", category, e) for e in block.get("verbs", [])]
        verbs += [verb("default", category, e) for e in block.get("defaults", [])]
        if block.get("constraints"):
            constraints += [_phrase(e) for e in block["constraints"]]
            constraint_category = category
        if block.get("refines"):
            refines.append((category, frozenset(known(c) for c in block["refines"])))
        if block.get("actors"):
            actor_rules.append((category, _phrase("|".join(f"(?:{e})" for e in block["actors"]))))
            verbs += [verb("actor", category, e) for e in block.get("actor_verbs", [])]
        from_makers += [(known(c), category) for c in block.get("from_makers", [])]
    return StrengthTable(
        categories,
        tuple(rules),
        tuple(verbs),
        tuple(constraints),
        constraint_category,
        tuple(refines),
        tuple(actor_rules),
        tuple(from_makers),
        _alternation(reading.get("makers", [])),
        _alternation(reading.get("makers", []) + reading.get("departments", [])),
        _alternation(reading.get("actors", [])),
    )


@functools.cache
def strength_table() -> StrengthTable:
    """The shipped table, read once."""
    text = (files(__package__ or "models.rules") / DATA_FILE).read_text(encoding="utf-8")
    return parse_table(tomllib.loads(text))


def categories() -> dict[str, str]:
    """Every hierarchy category -> its strength, in the order a picker should list them."""
    return dict(strength_table().categories)


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


# --- reading one action ----------------------------------------------------------------------
_WORD = re.compile(r"[\w']+")
#: A full stop that ends a sentence (not "e.g.", "0.5" or "Dr.").
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bdr)\.(?=\s|$)|[;:!?]")


@dataclass(frozen=True, slots=True)
class _Reading:
    category: str
    start: int
    end: int


class _Reader:
    """One action text, normalised, read against one table."""

    def __init__(self, plain: str, table: StrengthTable) -> None:
        self.plain = plain
        self.lower = plain.lower()
        self.table = table

    # words and spans
    def words(self, start: int, end: int) -> list[re.Match[str]]:
        return list(_WORD.finditer(self.lower, start, end))

    def phrases(
        self, start: int, end: int, *, starting: tuple[int, int] | None = None
    ) -> list[_Reading]:
        """Each phrase of the table found in [start, end), or only those starting in `starting`,
        with the category it names."""
        lo, hi = starting or (start, end)
        found = []
        for rule in self.table.rules:
            for m in rule.pattern.finditer(self.plain, start, end):
                if lo <= m.start() < hi and m.end() > m.start():
                    found.append(_Reading(rule.category, m.start(), m.end()))
                    break
        return found

    def best(self, found: list[_Reading]) -> _Reading | None:
        """The head of a noun phrase: the phrase ending last, then the longest; a category that
        refines another named too wins over it ("training with simulated emergencies")."""
        if not found:
            return None
        pick = max(found, key=lambda r: (r.end, r.end - r.start))
        named = {r.category for r in found}
        for category, replaced in self.table.refines:
            if pick.category in replaced and category in named:
                return next(r for r in found if r.category == category)
        return pick

    # the clause
    def main_clause(self) -> tuple[int, int, int]:
        """Where the main clause starts and ends (step 1 of the TOML file), and the text ends."""
        end = len(self.plain)
        stop = _SENTENCE_END.search(self.plain)
        main_end = stop.start() if stop else end
        start = len(self.plain) - len(self.plain.lstrip())
        first = self.words(start, main_end)
        comma = self.plain.find(",", start, main_end)
        if first and first[0].group() in _LEADS and comma > 0:
            start = comma + 1
        while True:
            rest = self.lower[start:].lstrip()
            start = len(self.plain) - len(rest)
            opener = next((o for o in _OPENERS if rest.startswith(o)), None)
            if opener is None:
                return start, main_end, end
            start += len(opener)

    def find_verb(self, start: int, end: int) -> tuple[_Verb, re.Match[str], bool] | None:
        """The main verb in [start, end): (verb, its match, passive), or None. A verb counts
        where a main verb stands (step 2 of the TOML file), before any preposition or comma:
        after those, a verb belongs to a clause inside the action ("on scales set to measure")."""
        words = self.words(start, end)
        if not words:
            return None
        candidates = []
        for verb in self.table.verbs:
            for m in verb.pattern.finditer(self.lower, start, end):
                rank = (m.start(), m.start() - m.end(), _KIND_ORDER[verb.kind])
                candidates.append((rank, verb, m))
        for _, verb, m in sorted(candidates, key=lambda c: c[0]):
            before = [w.group() for w in words if w.end() <= m.start()]
            after = [w.group() for w in words if w.start() >= m.end()]
            if verb.kind == "actor" and not self.actor_matches(verb.category, start, m.start()):
                continue
            if not before:
                if after and after[0] in _SUBJECT_SIGNS:
                    continue  # "Training will be provided": a subject, not a verb
                if m.group().endswith(("ed", "ing")) and self.longer_phrase_at(m):
                    continue  # "Standardized handover template": a noun phrase
                return verb, m, False
            chain = len(before)
            while chain and before[chain - 1] in _MODALS:
                chain -= 1  # "to be", "will not": the words that lead to the verb
            inside = any(w in _BOUNDARIES for w in before[:chain])
            if inside or "," in self.plain[start : m.start()]:
                continue
            if before[-1] == "to" and not (
                len(before) > 1 and self.table.actors and self.table.actors.fullmatch(before[-2])
            ):
                continue  # "Redesign the process to cut steps": a purpose, not the main verb
            if before[-1] in _MODALS:
                passive = any(w in _BE for w in before[-3:]) and not m.group().endswith("ing")
                return verb, m, passive
            actors = self.table.actors
            if actors and actors.fullmatch(before[-1]) and not m.group().endswith(("ing", "ed")):
                return verb, m, False
        return None

    def longer_phrase_at(self, m: re.Match[str]) -> bool:
        return any(
            r.start == m.start() and r.end > m.end()
            for r in self.phrases(m.start(), len(self.plain), starting=(m.start(), m.start() + 1))
        )

    def actor_matches(self, category: str, start: int, end: int) -> bool:
        return any(
            cat == category and actors.search(self.lower, start, end)
            for cat, actors in self.table.actor_rules
        )

    def object_spans(self, start: int, end: int) -> tuple[int, int]:
        """Where the head of what the verb acts on ends, and where it ends, from `start`."""
        head_end = obj_end = None
        seen = False
        for w in self.words(start, end):
            if w.start() < start:
                continue
            gap = self.plain[start : w.start()]
            if any(c in gap for c in ",;:()"):
                obj_end = obj_end or w.start()
                head_end = head_end or w.start()
                break
            word = w.group()
            if word == "and" and self.verb_at(w.end(), end):
                if not seen:  # "Review and update the policy": the verbs share the object
                    start = self.words(w.end(), end)[0].end()
                    continue
                head_end = head_end or w.start()
                obj_end = w.start()
                break
            if word in _BOUNDARIES:
                head_end = head_end or w.start()
                obj_end = w.start()
                break
            if head_end is None and (
                word in _ATTRIBUTES or (seen and len(word) > 5 and word.endswith("ing"))
            ):
                head_end = w.start()  # "pumps with hard limits", "posters reminding staff"
            seen = True
            start = w.end()
        obj_end = obj_end or end
        return head_end or obj_end, obj_end

    def verb_at(self, start: int, end: int) -> bool:
        nxt = self.words(start, end)[:1]
        return bool(nxt) and any(
            v.pattern.match(self.lower, nxt[0].start(), end) for v in self.table.verbs
        )

    def constraint(self, start: int, end: int) -> _Reading | None:
        if self.table.constraint_category is None:
            return None
        for pattern in self.table.constraints:
            m = pattern.search(self.plain, start, end)
            if m and m.end() > m.start():
                return _Reading(self.table.constraint_category, m.start(), m.end())
        return None

    def strength(self, reading: _Reading | None) -> str | None:
        return self.table.categories[reading.category] if reading else None

    # the reading
    def read(self, start: int, end: int, text_end: int, depth: int = 0) -> _Reading | None:
        """The category of the clause [start, end); `text_end` ends what may follow it."""
        found = self.find_verb(start, end) if depth < 3 else None
        if found is None:  # no verb: the whole clause is what the action puts in place
            return self.read_object((start, end), None, text_end)
        verb, m, passive = found
        actor = (start, m.start())
        if self.delegates(m, end):
            return self.delegated(m, end, text_end, depth)
        if verb.kind in ("verb", "actor"):
            return self.refined(_Reading(verb.category, m.start(), m.end()), m.end(), text_end)
        if verb.kind == "causative":
            return self.by_maker(self.read(m.end(), end, text_end, depth + 1), actor)
        if passive:  # "Vials will be removed from the NICU": the actor is the object
            reading = self.read_object(actor, (m.end(), end), text_end, verb, m)
        else:
            reading = self.read_object((m.end(), end), None, text_end, verb, m)
        return self.by_maker(reading, actor)

    def delegates(self, m: re.Match[str], end: int) -> bool:
        """True when the verb hands the action to a maker or a department ("Ask the
        manufacturer to ...", "Ask IT to ..."): a delegate verb, a doer, then "to"."""
        if not any(
            v.kind == "delegate" and v.pattern.match(self.lower, m.start())
            for v in self.table.verbs
        ):
            return False
        to = next((w for w in self.words(m.end(), end) if w.group() == "to"), None)
        doers = self.table.doers
        return (
            to is not None
            and doers is not None
            and bool(doers.search(self.lower, m.end(), to.start()))
        )

    def delegated(self, m: re.Match[str], end: int, text_end: int, depth: int) -> _Reading | None:
        """What the maker or department is asked to do decides."""
        to = next(w for w in self.words(m.end(), end) if w.group() == "to")
        return self.by_maker(self.read(to.end(), end, text_end, depth + 1), (m.end(), to.start()))

    def by_maker(self, reading: _Reading | None, actor: tuple[int, int]) -> _Reading | None:
        """A maker's new label or package is a new product design (see from_makers)."""
        makers = self.table.makers
        if reading is None or makers is None or not makers.search(self.lower, *actor):
            return reading
        for named, meant in self.table.from_makers:
            if reading.category == named:
                return _Reading(meant, reading.start, reading.end)
        return reading

    def refined(self, reading: _Reading, start: int, end: int) -> _Reading:
        """A verb's own category, unless a category that refines it is named after it."""
        named = {r.category: r for r in self.phrases(start, end)}
        for category, replaced in self.table.refines:
            if reading.category in replaced and category in named:
                return named[category]
        return reading

    def read_object(
        self,
        obj: tuple[int, int],
        rest: tuple[int, int] | None,
        text_end: int,
        verb: _Verb | None = None,
        vm: re.Match[str] | None = None,
    ) -> _Reading | None:
        """What the verb acts on decides: step 4 of the TOML file. `rest` is the rest of the
        clause (None: what follows the object in it)."""
        head_end, obj_end = self.object_spans(*obj)
        rest = rest or (obj_end, obj[1])
        # an active verb's own words may start a phrase ("remove distractions", "test ... before
        # purchase"); a phrase may run on past the object
        first = vm.start() if vm is not None and vm.start() < obj[0] else obj[0]
        reading = self.best(self.phrases(first, text_end, starting=(first, head_end)))
        reading = reading or self.best(self.phrases(first, text_end, starting=(head_end, obj_end)))
        if verb is not None and vm is not None and verb.kind == "default":
            # the verb's own category, unless its object names a category, and never a weaker
            # one for a verb that is not ("Standardize the counting procedure")
            head = [w for w in self.words(vm.end(), head_end)][:4]  # "Remove heparin"
            own = _Reading(verb.category, vm.start(), head[-1].end() if head else vm.end())
            named = self.strength(reading)
            if named is None or (
                named == Strength.WEAKER and self.strength(own) != Strength.WEAKER
            ):
                reading = own
        if reading is not None:
            reading = self.refined(reading, first, text_end)
        if self.strength(reading) in (None, Strength.INTERMEDIATE):
            # words in the head of a named object do not count ("an alert for automated
            # orders" is still an alert); with nothing named yet, the whole object counts
            after = obj[0] if vm is None or reading is None else min(head_end, rest[0])
            constraint = self.constraint(after, text_end)
            if constraint is not None:
                return constraint
        if reading is None:
            reading = self.best(self.phrases(rest[0], text_end, starting=rest))
        return reading


_KIND_ORDER = {"actor": 0, "verb": 1, "default": 2, "delegate": 3, "causative": 4, "carrier": 5}


def suggest_strength(text: str, table: StrengthTable | None = None) -> Suggestion:
    """The strength and category the wording of an action suggests (see the module doc), or an
    empty Suggestion when the wording names no category."""
    table = table or strength_table()
    if not text or not text.strip():
        return Suggestion()
    plain, index = _normalise(text)
    reader = _Reader(plain, table)
    start, end, text_end = reader.main_clause()
    reading = reader.read(start, end, text_end)
    if reading is None:
        return Suggestion()
    matched = text[index[reading.start] : index[reading.end - 1] + 1]
    return Suggestion(table.categories[reading.category], reading.category, matched)

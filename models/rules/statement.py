"""The pre-filled causal statement, in words that read as English.

The shape of RCA2's causal statement is "[cause] led to [effect], which increased the likelihood
of [event]": each slot needs a noun phrase. Teams write causes as clauses ("Both concentrations were
stored side by side", "Night staff did not know the patient's fall risk"), and pasting a clause
into a slot gives "X led to both concentrations were stored side by side". Here a clause becomes
a gerund phrase, the form the slot needs:

* a verb with a subject: "Night staff did not know X" -> "night staff not knowing X";
  "Patient fell walking ..." -> "the patient falling while walking ...";
* "be": "The alarm was off" -> "the alarm being off";
* a passive: "Both concentrations were stored side by side" -> "storing both concentrations side
  by side" (who did it is not said, so it is not made up); with more than one verb, or "by ...",
  "broken lights being reported by e-mail and repaired the next day";
* a noun phrase ("One RN to eight patients overnight") stays as written.

Only the first clause of a cause is used (up to ", so", ":" or ";"): the statement is a draft for
the team to reword, and a short one is easier to reword. The verb forms the rules need are data
in `statement_words.toml`.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from models.graph import CauseGraph

WORDS_FILE = "statement_words.toml"

#: RCA2's causal statement shape, for a cause with no path to the event yet.
STATEMENT_SHAPE = "[cause] led to [effect], which increased the likelihood of [event]."


@dataclass(frozen=True, slots=True)
class VerbWords:
    past: Mapping[str, str]
    participles: Mapping[str, str]
    both: Mapping[str, str]
    adjectival: frozenset[str]
    intransitive: frozenset[str]
    plain_present: frozenset[str]
    doubled: frozenset[str]
    nouns: frozenset[str]


@functools.cache
def verb_words() -> VerbWords:
    """The shipped word lists, read once per process."""
    text = (files(__package__ or "models.rules") / WORDS_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return VerbWords(
        data["past"],
        data["participles"],
        data["both"],
        *(frozenset(data[k]) for k in ("adjectival", "intransitive", "plain_present")),
        *(frozenset(data[k]) for k in ("doubled", "nouns")),
    )


# --- English word forms ----------------------------------------------------------------------
_BE = {"was": "", "were": "", "is": "", "are": "", "am": ""}
_NEGATIVE = {
    **{f"{w}n't": w for w in ("was", "were", "is", "are", "has", "have", "had", "did", "does")},
    **{"don't": "do", "can't": "can", "cannot": "can", "couldn't": "could", "won't": "will"},
    **{"wouldn't": "would", "shouldn't": "should", "mustn't": "must"},
}
_AUX = frozenset(
    (
        *("was", "were", "is", "are", "am", "has", "have", "had", "did", "does", "do", "can"),
        *("could", "will", "would", "should", "must", "may", "might"),
    )
)
_NOT = frozenset(("not", "never"))
_ADVERBS = _NOT | frozenset(
    (
        *("newly", "routinely", "often", "always", "also", "still", "then", "usually"),
        *("sometimes", "only", "rarely", "just", "already", "frequently", "repeatedly", "again"),
        *("regularly", "normally", "consistently", "reliably", "ever"),
    )
)
_DETERMINERS = frozenset(
    (
        *("the", "a", "an", "her", "his", "their", "its", "this", "that", "these", "those"),
        *("all", "every", "each", "no", "any", "some", "our", "my", "your", "both", "another"),
    )
)
#: Words after a verb that show it is the clause's verb: an object or a particle follows.
_OBJECT_CUES = _DETERMINERS | {"up", "off", "out", "down", "back", "away", "it", "them"}
_PRESENT_CUES = _OBJECT_CUES | {"only", "not", "to"}  # "shifts with" is a plural noun
#: Words after a past participle that leave it a headline's passive ("Specimen mislabelled at
#: the bedside"), not a clause's verb ("Infants received heparin").
_NOT_AN_OBJECT = frozenset(
    (
        *("", "at", "in", "on", "from", "by", "for", "with", "to", "during", "after", "before"),
        *("into", "onto", "under", "over", "between", "through", "without", "since", "until"),
        *("via", "across", "around", "near", "per", "as", "than", "and", "or", "but", "when"),
        *("while", "because", "so", "late", "early", "twice", "again", "overnight", "today"),
        *("side", "together", "apart", "separately", "alone", "unattended", "nearby", "next"),
        *_AUX,
        *_NEGATIVE,
    )
)
#: Words that start a clause: a verb after them is not the clause's verb.
_SUBORDINATORS = frozenset(
    (
        *("that", "when", "which", "who", "because", "so", "if", "while", "where", "though"),
        *("although", "whether", "unless"),
    )
)
_PREPOSITIONS = frozenset(("of", "at", "in", "on", "from", "to", "for", "with", "by", "between"))
_NUMBERS = frozenset(
    ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several")
)
_PRONOUNS = frozenset(("he", "she", "it", "they", "we", "i", "you", "someone", "nobody"))
#: Where a cause's first clause ends.
_CLAUSE_END = re.compile(r",\s+(?:so|which|because|and so|meaning)\b|\s+so that\b|[:;](?=\s)|\.\s")


def _bare(token: str) -> str:
    return token.strip('()[],.;:!?"').lower()


def gerund(base: str) -> str:
    """The -ing form of a plain verb: know -> knowing, stop -> stopping, store -> storing."""
    words = verb_words()
    if base in ("be", "see", "flee", "agree", "free", "guarantee"):
        return base + "ing"
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith("e") and not base.endswith(("ee", "ye", "oe")):
        return base[:-1] + "ing"
    short_cvc = (
        len(base) <= 4
        and re.fullmatch(r"[a-z]*[^aeiou][aeiou][^aeiouwxy]", base) is not None
        and not re.search(r"[aeiou]{2}", base)
    )
    if short_cvc or base in words.doubled:
        return base + base[-1] + "ing"
    return base + "ing"


def _past_gerund(word: str) -> str | None:
    """The -ing form of a past tense or participle ("stored" -> storing), or None."""
    words = verb_words()
    base = words.past.get(word) or words.participles.get(word) or words.both.get(word)
    if base:
        return gerund(base)
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "ying"
    if len(word) > 4 and word.endswith("eed") and not word.endswith("eeded"):
        return word[:-1] + "ing"
    if len(word) > 3 and word.endswith("ed"):
        return word[:-2] + "ing"  # stored -> storing, stopped -> stopping, opened -> opening
    return None


def _present_gerund(word: str) -> str:
    """The -ing form of a present-tense verb ("needs" -> needing, "goes" -> going)."""
    if word == "has":
        return "having"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "ying"
    if word.endswith(("sses", "xes", "zes", "ches", "shes", "oes")):
        return gerund(word[:-2])
    return gerund(word[:-1] if word.endswith("s") else word)


def _is_participle(word: str) -> bool:
    words = verb_words()
    if word in words.participles or word in words.both:
        return True
    return len(word) > 3 and word.endswith("ed")


# --- a clause as a noun phrase -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Verb:
    """The verb of a clause found at `index` of its tokens."""

    index: int
    kind: str  # aux | past | regular | present | plain


@functools.cache
def _alone() -> frozenset[str]:
    return frozenset(gerund(v) for v in verb_words().intransitive)


def _ends_alone(word: str) -> bool:
    """True for the past tense of a verb that needs nothing after it ("slipped", "stayed")."""
    return _past_gerund(word) in _alone()


def _find_verb(tokens: list[str], first: int = 1) -> _Verb | None:
    """The finite verb of a clause, if the words show one (see the module doc)."""
    words = verb_words()
    # "The lab called for ...": after a subject with an article, a past tense needs no object;
    # without one ("Specimen mislabelled at the bedside") it is read as a headline's participle
    led = first == 1 and _bare(tokens[0]) in _DETERMINERS | _PRONOUNS
    for i in range(first, len(tokens)):
        word = _bare(tokens[i])
        if word in _SUBORDINATORS or (i > first and tokens[i - 1].endswith(",")):
            return None
        nxt = _bare(tokens[i + 1]) if i + 1 < len(tokens) else ""
        prev = _bare(tokens[i - 1]) if i else ""
        if prev in _DETERMINERS or prev in _PREPOSITIONS or prev in _NUMBERS or prev.isdigit():
            continue
        if word in _AUX or word in _NEGATIVE:
            return _Verb(i, "aux")
        if word in words.past:
            return _Verb(i, "past")
        if word in words.participles:
            continue
        later_aux = any(_bare(t) in _AUX | set(_NEGATIVE) for t in tokens[i + 1 :])
        if (word.endswith("ed") and len(word) > 3) or word in words.both:
            alone = _ends_alone(word) or (led and i <= 3 and nxt != "by" and not later_aux)
            if nxt not in _NOT_AN_OBJECT or alone:
                return _Verb(i, "regular")
            continue
        capital_next = i + 1 < len(tokens) and tokens[i + 1][:1].isupper()
        plain_next = nxt not in _NOT_AN_OBJECT and not later_aux
        if (
            len(word) > 3
            and word.endswith("s")
            and not word.endswith(("ss", "us", "is", "'s"))
            and not prev.endswith("s")
            and (nxt in _PRESENT_CUES or capital_next or (led and i <= 3 and plain_next))
        ):
            return _Verb(i, "present")
        if word in words.plain_present and (prev.endswith("s") or prev in _PRONOUNS | {"staff"}):
            return _Verb(i, "plain")
    return None


def _verb_group(tokens: list[str], verb: _Verb) -> tuple[list[str], int, bool]:
    """The words that replace a verb group (aux, adverbs, verb) and where the rest starts, and
    whether it is a passive that could lose its subject ("were stored")."""
    word = _bare(tokens[verb.index])
    after = verb.index + 1
    if verb.kind == "past":
        base = verb_words().past[word]
        return [gerund(base)], after, False
    if verb.kind == "regular":
        return [_past_gerund(word) or word], after, False
    if verb.kind in ("present", "plain"):
        return [_present_gerund(word)], after, False
    aux = _NEGATIVE.get(word, word)
    adverbs = ["not"] if word in _NEGATIVE else []
    while after < len(tokens) and _bare(tokens[after]) in _ADVERBS:
        adverbs.append(_bare(tokens[after]))
        after += 1
    nxt = _bare(tokens[after]) if after < len(tokens) else ""
    negation = [w for w in adverbs if w in _NOT]
    others = [w for w in adverbs if w not in _NOT]
    if aux in _BE:
        if nxt.endswith("ing") and len(nxt) > 4:
            return [*adverbs, nxt], after + 1, False  # "was drawing up" -> drawing up
        passive = not others and _is_participle(nxt) and nxt not in verb_words().adjectival
        return [*negation, "being", *others], after, passive
    if aux in ("has", "have", "had"):
        return [*adverbs, "having"], after, False
    if aux in ("can", "could"):
        return [*adverbs, "being", "able", "to"], after, False
    if aux in ("must", "should"):
        return [*adverbs, "having", "to"], after, False
    if aux in ("may", "might"):
        adverbs.insert(0, "possibly")
    if not nxt or nxt in _DETERMINERS:  # "did the check": "did" is the verb
        return [*adverbs, gerund(aux if aux not in ("did", "does") else "do")], after, False
    words = verb_words()
    base = words.participles.get(nxt) or words.both.get(nxt) or words.past.get(nxt) or nxt
    return [*adverbs, gerund(base)], after + 1, False


def _convert_rest(tokens: list[str], after_be: bool) -> list[str]:
    """Verbs joined by "and" or "but" to the clause's verb, also as -ing forms ("and did not
    call for help" -> "and not calling for help"), up to a clause inside the rest. After "was"
    ("was silenced and reset"), a participle shares the "was" and stays."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = _bare(tokens[i])
        if word in _SUBORDINATORS:
            return out + tokens[i:]
        out.append(tokens[i])
        i += 1
        if word in ("and", "but") and i < len(tokens):
            verb = _find_verb(tokens, i)
            shared = after_be and verb is not None and verb.kind == "regular"
            if shared and not _ends_alone(_bare(tokens[i])):
                continue
            if verb is not None and verb.index == i:
                words, i, _ = _verb_group(tokens, verb)
                out += words
    return out


#: Capitalised words that stay capitalised inside a sentence.
_PROPER = frozenset(
    (
        *("Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "Sister"),
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        *("January", "February", "March", "April", "May", "June", "July", "August"),
        *("September", "October", "November", "December"),
    )
)
_ORDINARY = re.compile(r"[A-Z][a-z]+(?:[-'][a-z]+)*")
_CAPITALISED = re.compile(r"[A-Z][a-z]")


def _names_someone(tokens: list[str]) -> bool:
    """True when the words start with a name or a title ("Dr Okafor", "Eleanor Rigby")."""
    first = tokens[0].rstrip(",:;") if tokens else ""
    second = tokens[1] if len(tokens) > 1 else ""
    return first in _PROPER or (
        _ORDINARY.fullmatch(first) is not None and _CAPITALISED.match(second) is not None
    )


def _inner(text: str) -> str:
    """Words inside a sentence: the first letter lower-case only when the first word is clearly
    an ordinary word ("Patient fell" -> "patient fell"), never an acronym ("CAM", "RN"), a title
    or day, or the start of a name ("Eleanor Rigby fell")."""
    words = text.split(" ", 2)
    first = words[0].rstrip(",:;")
    if not _ORDINARY.fullmatch(first) or first in _PROPER or _names_someone(words):
        return text
    return text[0].lower() + text[1:]


def _with_article(subject: list[str]) -> list[str]:
    """ "Patient" -> "the patient", "Sponge count" -> "the sponge count": a singular noun
    written like a headline, without an article, gets its article back."""
    if not subject:
        return []
    head = next((i for i, t in enumerate(subject) if _bare(t) in _PREPOSITIONS), len(subject))
    nouns = verb_words().nouns
    first = _bare(subject[0])
    headline = first not in _DETERMINERS and first not in _PRONOUNS and first != "no"
    if head and headline and _bare(subject[head - 1]) in nouns and not _names_someone(subject):
        return ["the", _inner(" ".join(subject))]
    return [_inner(" ".join(subject))]


@functools.lru_cache(maxsize=1024)
def noun_phrase(text: str) -> str:
    """A cause's first clause as a noun phrase for a statement's slot (see the module doc), its
    first letter as written. Kept for the texts asked for most: every draft statement of an
    investigation ends in its event's phrase."""
    text = " ".join(text.split())
    end = _CLAUSE_END.search(text)
    text = (text[: end.start()] if end else text).rstrip(" .;:,")
    tokens = text.split(" ")
    verb = _find_verb(tokens) if len(tokens) > 1 else None
    if verb is None:
        return text
    subject = tokens[: verb.index]
    words, after, passive = _verb_group(tokens, verb)
    rest = _convert_rest(tokens[after:], "being" in words)
    if passive and rest:
        stem = _past_gerund(_bare(rest[0]))
        tail = [_bare(t) for t in rest[1:]]
        agent = any(
            w == "by" and (nxt in _DETERMINERS or nxt in verb_words().nouns or nxt in _PRONOUNS)
            for w, nxt in zip(tail, [*tail[1:], ""], strict=False)
        )  # "by the nurse", not "side by side" or "by e-mail"
        someone = _names_someone(subject) or _bare(subject[0]) in _PRONOUNS if subject else True
        if stem and not (someone or agent or {"and", "but", "or"} & set(tail)):
            # "Both concentrations were stored side by side" -> "storing both concentrations
            # side by side": who stored them is not said, so it is not made up
            adverbs = [w for w in words if w != "being"]
            return " ".join([*adverbs, stem, *_with_article(subject), *rest[1:]])
    if verb.kind in ("past", "regular") and rest:
        head = _bare(rest[0])
        if head.endswith("ing") and len(head) > 4:
            rest = ["while", *rest]  # "fell walking" -> "falling while walking"
    return " ".join([*_with_article(subject), *words, *rest])


def _opening(text: str) -> str:
    return text[:1].upper() + text[1:]


def suggest_statement(cause_id: int, graph: CauseGraph, texts: Mapping[int, str]) -> str:
    """A pre-filled causal statement for a cause, in RCA2's shape, along the
    shortest path from the cause to the event, each text turned into a noun phrase.

    * two or more steps: "[cause] led to [next node], which increased the likelihood of [event]."
    * straight to the event: "[cause] led to [event]." (there is no effect in between to name).
    * no path yet: the shape with "[effect]" (and "[event]" when there is no event) to fill in.
    * the event itself: "" (it is what the statements explain).
    It is a draft for the team to reword, not a finished sentence.
    """

    def phrase(node: int | None) -> str:
        return noun_phrase(texts.get(node, "")) if node is not None else ""

    cause = _opening(phrase(cause_id)) or "[cause]"
    event = graph.event()
    if event is not None and cause_id == event:
        return ""
    paths = graph.paths_to_event(cause_id, limit=1)
    if not paths:
        tail = _inner(phrase(event)) if event is not None else ""
        return f"{cause} led to [effect], which increased the likelihood of {tail or '[event]'}."
    path = paths[0]
    event_text = _inner(phrase(path[-1])) or "[event]"
    if len(path) == 2:
        return f"{cause} led to {event_text}."
    effect = _inner(phrase(path[1])) or "[effect]"
    return f"{cause} led to {effect}, which increased the likelihood of {event_text}."

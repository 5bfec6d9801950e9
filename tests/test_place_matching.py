"""Fuzzy matching of misspelt place names (orchestration.places.matching) against the
real geography: a misspelling is recovered or left unknown — never taken for another
place — and text that names no place is never matched."""

from __future__ import annotations

import pytest

from orchestration.places.matching import best_match, names_by_parent
from orchestration.reference import code_list

LIMITS = {"min_score": 70, "min_margin": 10}  # dbt_project.yml's defaults


def _provinces() -> dict[str, str]:
    return {row["province_th"]: row["province_code"] for row in code_list("geography")}


def _misspellings(name: str) -> list[str]:
    """Every one-character deletion and every swap of neighbouring characters."""
    deletions = [name[:i] + name[i + 1:] for i in range(len(name))]
    swaps = [name[:i] + name[i + 1] + name[i] + name[i + 2:] for i in range(len(name) - 1) if name[i] != name[i + 1]]
    return [m for m in deletions + swaps if m != name]


def test_misspelt_provinces_are_recovered_or_left_unknown_never_confused():
    provinces = _provinces()
    outcomes = {"right": 0, "unknown": 0, "wrong": []}
    for name, code in provinces.items():
        for typo in _misspellings(name):
            if typo in provinces:
                continue
            match = best_match(typo, provinces, **LIMITS)
            if match is None:
                outcomes["unknown"] += 1
            elif match.code == code:
                outcomes["right"] += 1
            else:
                outcomes["wrong"].append((typo, name, match.name))
    assert outcomes["wrong"] == []
    assert outcomes["right"] / (outcomes["right"] + outcomes["unknown"]) >= 0.97


@pytest.mark.parametrize(
    ("typed", "province"),
    [("ตสูล", "สตูล"), ("เชียงใหม", "เชียงใหม่"), ("นครราสีมา", "นครราชสีมา"), ("สุรนทร์", "สุรินทร์"), ("สระบร", "สระบุรี"), ("ยลา", "ยะลา")],
)
def test_common_typos(typed, province):
    match = best_match(typed, _provinces(), **LIMITS)
    assert match is not None and match.name == province and 70 <= match.score < 100


def test_a_slip_in_a_three_letter_name_is_too_uncertain_to_guess():
    assert best_match("เยล", _provinces(), **LIMITS) is None  # เลย with two letters swapped


@pytest.mark.parametrize("typed", ["ไม่ระบุ", "-", "ไม่ทราบ", "Bangkok", "", None])
def test_text_that_names_no_province_is_not_matched(typed):
    assert best_match(typed, _provinces(), **LIMITS) is None


def test_an_ambiguous_typo_is_not_guessed():
    # one character away from two names alike: no lead over the runner-up
    candidates = {"บ้านนา": "1", "บ้านนก": "2"}
    assert best_match("บ้านน", candidates, min_score=60, min_margin=10) is None
    assert best_match("บ้านนา", candidates, min_score=60, min_margin=10).code == "1"


def test_districts_are_matched_only_within_their_province():
    rows = [(r["province_code"], r["district_th"], r["district_code"]) for r in code_list("geography")]
    by_province = names_by_parent(rows)
    assert best_match("เมืองแพ", by_province["54"], **LIMITS).code == "5401"
    assert best_match("เมืองแพ", by_province["50"], **LIMITS) is None

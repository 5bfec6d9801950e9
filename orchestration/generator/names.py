"""Realistic Thai names (pythainlp's offline lists) and name prefixes (``name_prefixes`` seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from orchestration.reference import code_list

ADULT_AGE = 15  # ด.ช./ด.ญ. under 15, นาย/น.ส. from 15


def _is_thai_word(text: str) -> bool:
    return all("\u0e01" <= ch <= "\u0e5b" or ch == " " for ch in text) and "." not in text


@dataclass(frozen=True)
class NameBook:
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]

    def first(self, rng: random.Random, sex: str) -> str:
        return rng.choice(self.male if sex == "M" else self.female)

    def last(self, rng: random.Random) -> str:
        return rng.choice(self.family)


@cache
def name_book() -> NameBook:
    """Sorted lists: pythainlp returns frozensets, whose order changes between runs."""
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    def clean(names: frozenset[str]) -> tuple[str, ...]:
        return tuple(sorted(name for name in names if name and _is_thai_word(name)))

    return NameBook(clean(thai_male_names()), clean(thai_female_names()), clean(thai_family_names()))


@dataclass(frozen=True)
class Prefix:
    text: str
    sex: str
    for_child: bool
    abbreviated: bool


@cache
def prefixes() -> tuple[Prefix, ...]:
    """The seed's prefixes, with whether each is a child's (ด.ช., เด็กหญิง, ...)."""
    result = []
    for row in code_list("name_prefixes"):
        label = row["prefix_label_en"]
        result.append(
            Prefix(
                text=row["name_prefix"],
                sex=row["sex"],
                for_child=row["is_child_prefix"] == "true",
                abbreviated="abbreviated" in label,
            )
        )
    if not any(p.for_child for p in result) or not any(not p.for_child for p in result):
        raise ValueError("name_prefixes seed no longer distinguishes child and adult prefixes")
    return tuple(result)


def prefix_for(rng: random.Random, sex: str, age: int) -> str:
    """Mostly the abbreviated prefix for the age; sometimes spelt out (เด็กชาย, นางสาว)."""
    candidates = [p for p in prefixes() if p.sex == sex and p.for_child == (age < ADULT_AGE)]
    if not (age < ADULT_AGE):
        # นาง (married) only for the occasional older girl.
        candidates = [p for p in candidates if p.abbreviated or age >= 18 or p.text != "นาง"]
    weights = [8.0 if p.abbreviated else (2.0 if p.text != "นาง" else 0.3) for p in candidates]
    if len(candidates) == 1:
        return candidates[0].text
    return rng.choices([p.text for p in candidates], weights=weights)[0]


def other_prefix_spelling(prefix: str) -> str:
    """The same prefix in its other spelling (ด.ช. ↔ เด็กชาย), for re-typed duplicate rows."""
    same = [p for p in prefixes() if p.text == prefix]
    if not same:
        return prefix
    target = same[0]
    for p in prefixes():
        if p.sex == target.sex and p.for_child == target.for_child and p.abbreviated != target.abbreviated:
            if p.text != "นาง":
                return p.text
    return prefix


def full_name(prefix: str, first: str, last: str, spacing: str) -> str:
    """One cell holding prefix, first and last name; ``spacing`` as people type it."""
    if spacing == "tight":  # no space after the prefix: ด.ญ.สมศรี ใจดี
        return f"{prefix}{first} {last}"
    if spacing == "double":  # two spaces before the last name
        return f"{prefix}{first}  {last}"
    return f"{prefix} {first} {last}"


def misspell_name(name: str, rng: random.Random) -> str:
    """A one-character slip (dropped character), as when a name is typed twice."""
    if len(name) < 3:
        return name + name[-1]
    i = rng.randrange(1, len(name))
    return name[:i] + name[i + 1:]

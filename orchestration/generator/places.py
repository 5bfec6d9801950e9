"""Real geography (``geography`` seed) and how people write place names."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from orchestration.reference import code_list

from .rules import normalise_province_text, province_lookup

BANGKOK = "10"


@dataclass(frozen=True, slots=True)
class Place:
    province_code: str
    province: str
    district_code: str
    district: str
    subdistrict_code: str
    subdistrict: str

    @property
    def is_bangkok(self) -> bool:
        return self.province_code == BANGKOK


@cache
def places() -> tuple[Place, ...]:
    return tuple(
        Place(
            row["province_code"],
            row["province_th"],
            row["district_code"],
            row["district_th"],
            row["subdistrict_code"],
            row["subdistrict_th"],
        )
        for row in code_list("geography")
    )


def pick_place(rng: random.Random) -> Place:
    return rng.choice(places())


@cache
def province_aliases() -> dict[str, tuple[str, ...]]:
    """Province code → its aliases (กทม., กรุงเทพฯ, …), excluding the official name."""
    official = {p.province_code: p.province for p in places()}
    aliases: dict[str, list[str]] = {}
    for row in code_list("province_aliases"):
        if row["province_alias"] != official.get(row["province_code"]):
            aliases.setdefault(row["province_code"], []).append(row["province_alias"])
    return {code: tuple(names) for code, names in aliases.items()}


def district_prefixes(place: Place) -> tuple[str, ...]:
    return ("เขต",) if place.is_bangkok else ("อ.", "อำเภอ", "อ. ")


def subdistrict_prefixes(place: Place) -> tuple[str, ...]:
    return ("แขวง",) if place.is_bangkok else ("ต.", "ตำบล", "ต. ")


def misspell_province(name: str, rng: random.Random) -> str:
    """Drop or swap one character so that the text matches no province name or alias."""
    taken = set(province_lookup())
    for _ in range(200):
        chars = list(name)
        i = rng.randrange(len(chars) - 1)
        if rng.random() < 0.5:
            del chars[i + 1 if i + 1 < len(chars) else i]
        elif chars[i] != chars[i + 1]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            continue
        candidate = "".join(chars)
        key = normalise_province_text(candidate)
        if candidate != name and key not in taken and key != name.replace(" ", ""):
            return candidate
    raise ValueError(f"cannot misspell {name!r}")

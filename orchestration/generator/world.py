"""The true world: children (who they are) and listings (which agency named them when).

Everything the deliveries say is rendered from these facts; the truth is computed
from what of them reaches the warehouse.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import ids
from .details import Details
from .names import name_book
from .places import Place
from .thai_dates import add_years, age_on


@dataclass(slots=True)
class Child:
    child_id: str  # the normalised ID every list and event uses (wrong check digit included)
    sex: str  # M | F
    first_name: str
    last_name: str
    birth_date: date
    place: Place  # home on the first listing
    id_less: bool = False  # listed without any ID (so the field app cannot track it)

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


@dataclass(frozen=True, slots=True)
class Listing:
    child: int  # index into World.children
    agency: str
    list_date: date
    details: Details


@dataclass(slots=True)
class World:
    children: list[Child] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)

    def first_listed(self) -> list[date]:
        """Each child's earliest planned list date, by child index."""
        first: list[date | None] = [None] * len(self.children)
        for listing in self.listings:
            current = first[listing.child]
            if current is None or listing.list_date < current:
                first[listing.child] = listing.list_date
        return [day for day in first if day is not None]


class IdentityFactory:
    """Unique identifiers: mostly valid citizen IDs, some G-codes, a few wrong check digits."""

    def __init__(self, rng: random.Random, gcode_share: float = 0.03, wrong_check_share: float = 0.01):
        self._rng = rng
        self._used: set[str] = set()  # membership only, never iterated
        self._gcode_share = gcode_share
        self._wrong_share = wrong_check_share

    def _claim(self, make) -> str:
        while True:
            candidate = make()
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate

    def valid_citizen_id(self, district_code: str) -> str:
        return self._claim(lambda: ids.citizen_id(self._rng, district_code))

    def child_id(self, place: Place) -> str:
        roll = self._rng.random()
        if roll < self._gcode_share:
            return self._claim(lambda: ids.gcode(self._rng))
        if roll < self._gcode_share + self._wrong_share:
            return self._claim(
                lambda: ids.with_wrong_check_digit(ids.citizen_id(self._rng, place.district_code), self._rng)
            )
        return self.valid_citizen_id(place.district_code)

    def is_used(self, child_id: str) -> bool:
        return child_id in self._used


def birth_date_for_age(rng: random.Random, age: int, on: date) -> date:
    """A birth date giving exactly ``age`` completed years on ``on``."""
    latest = add_years(on, -age)
    earliest = add_years(on, -(age + 1)) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def make_child(rng: random.Random, identities: IdentityFactory, place: Place, age: int, on: date) -> Child:
    sex = "M" if rng.random() < 0.55 else "F"  # boys drop out more often
    book = name_book()
    return Child(
        child_id=identities.child_id(place),
        sex=sex,
        first_name=book.first(rng, sex),
        last_name=book.last(rng),
        birth_date=birth_date_for_age(rng, age, on),
        place=place,
    )

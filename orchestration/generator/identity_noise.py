"""IDs as they go wrong between agencies: a row without the child's ID, an ID with one
digit mistyped; and children easy to confuse: twins, namesakes. What record linkage
must see through (or, for twins and namesakes, must not be fooled by).

The truth records, for every list row, the child it really names (``true_child``) and
how its ID was delivered (``id_delivery``), so tests can measure the linkage."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .places import pick_place
from .rows import RowDraft, withhold_id
from .rules import check_digit_flag, id_type
from .world import Child, IdentityFactory, Listing, World


@dataclass(frozen=True)
class IdentityNoise:
    id_less_share: float = 0.0  # children listed once, with no ID at all
    missing_id_share: float = 0.0  # of a child's later listings: the row lacks the ID
    typo_share: float = 0.0  # of a child's later listings: one digit mistyped
    twin_share: float = 0.0  # children with a twin (same family name, birth date, home)
    namesake_share: float = 0.0  # children with a namesake (same first and family name)


NATIONAL_NOISE = IdentityNoise(id_less_share=0.003)
LINKAGE_NOISE = IdentityNoise(id_less_share=0.01, missing_id_share=0.15, typo_share=0.08,
                              twin_share=0.02, namesake_share=0.02)


def add_look_alikes(rng: random.Random, world: World, own: list[list[Listing]], identities: IdentityFactory,
                    noise: IdentityNoise) -> None:
    """Twins (listed by the same agency on the same list) and namesakes (elsewhere)."""
    count = len(world.children)
    for index in sorted(rng.sample(range(count), round(noise.twin_share * count))):
        sibling, first = world.children[index], own[index][0]
        twin = replace(sibling, child_id=identities.child_id(sibling.place), sex=rng.choice("MF"),
                       first_name=_other_first_name(rng, world, sibling))
        _add(world, own, twin, [Listing(len(world.children), first.agency, first.list_date, first.details)])
    for index in sorted(rng.sample(range(count), round(noise.namesake_share * count))):
        model, first = world.children[index], own[index][0]
        place = pick_place(rng)
        namesake = replace(model, child_id=identities.child_id(place), place=place,
                           birth_date=model.birth_date - timedelta(days=rng.randrange(40, 700)))  # older: still of age
        _add(world, own, namesake, [Listing(len(world.children), first.agency, first.list_date,
                                            replace(first.details, place=place))])


def _other_first_name(rng: random.Random, world: World, sibling: Child) -> str:
    names = [c.first_name for c in rng.sample(world.children, min(50, len(world.children)))]
    return next((n for n in names if n != sibling.first_name), sibling.first_name + "า")


def _add(world: World, own: list[list[Listing]], child: Child, listings: list[Listing]) -> None:
    world.children.append(child)
    own.append(listings)


def mark_id_less(rng: random.Random, world: World, own: list[list[Listing]], noise: IdentityNoise) -> None:
    """Children named by one list only, without an ID."""
    single = [i for i, listings in enumerate(own) if len(listings) == 1]
    for index in rng.sample(single, min(len(single), round(noise.id_less_share * len(world.children)))):
        world.children[index].id_less = True


def garble_ids(rng: random.Random, drafts: list[RowDraft], noise: IdentityNoise,
               later_listings: set[tuple[str, str, date]], source: str) -> None:
    """On a child's later listings (not its first), drop the ID or mistype one digit."""
    if not (noise.missing_id_share or noise.typo_share):
        return
    for draft in drafts:
        if (draft.rule_broken or draft.id_delivery != "correct" or id_type(draft.child_id or "") != "citizen"
                or (draft.true_child, source, draft.list_date) not in later_listings):
            continue
        roll = rng.random()
        if roll < noise.missing_id_share:
            withhold_id(draft)
        elif roll < noise.missing_id_share + noise.typo_share:
            _mistype(rng, draft)


def _mistype(rng: random.Random, draft: RowDraft) -> None:
    digits = list(draft.child_id)
    position = rng.randrange(12)  # a slip in the body; the check digit then rarely fits
    digits[position] = str((int(digits[position]) + rng.randint(1, 9)) % 10)
    typo = "".join(digits)
    draft.cells["citizen_id"] = typo
    draft.child_id = typo
    draft.id_delivery = "typo" if check_digit_flag(typo) is False else "typo_valid"
    draft.note("citizen_id", "id_typo", "linked" if draft.id_delivery == "typo" else "counted_apart")

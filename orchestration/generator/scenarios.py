"""Scenarios: who is in the world, which lists and exports exist, which file quirks occur.

``national`` is a realistic programme year with all five agencies. ``seed003`` is built
to reproduce, exactly, the tables published in seed document 003 (see ``SEED003``).
"""

from __future__ import annotations

import calendar
import hashlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from orchestration.reference import column

from .details import AGE_RANGES, AGENCIES, Details, details_for, draw_age, moved, promoted
from .events import Clock, Event, EventFactory, free_history, scripted_histories, targeted_history
from .identity_noise import LINKAGE_NOISE, NATIONAL_NOISE, IdentityNoise, add_look_alikes, mark_id_less
from .places import pick_place
from .rules import COMPULSORY, POST_COMPULSORY, agency_priority, stage_of
from .truth import Truth
from .world import IdentityFactory, Listing, World, make_child


class ScenarioError(ValueError):
    """A scenario cannot be built as asked, or its truth misses its published numbers."""


class Streams:
    """Independent, named random streams from one seed, so adding a draw in one part of the
    generator does not reshuffle every other part."""

    def __init__(self, seed: int):
        self.seed = seed

    def rng(self, name: str) -> random.Random:
        digest = hashlib.sha256(f"{self.seed}:{name}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass(frozen=True)
class FileQuirkPlan:
    """File-level quirks. List indices count a source's lists in date order (0 = first)."""

    header_whitespace: tuple[tuple[str, int], ...] = ()  # (source, list index)
    extra_column: tuple[tuple[str, int], ...] = ()  # (source, list index)
    duplicate_copies: tuple[tuple[str, int, int], ...] = ()  # (source, list index, days later)
    empty_files: tuple[tuple[str, int, bool], ...] = ()  # (source, days after start, zero bytes?)
    wrong_encoding: tuple[tuple[str, int, int], ...] = ()  # (source, list index, days earlier)
    misnamed: tuple[tuple[str, int, str], ...] = ()  # (source, list index copied, file name)
    truncated_export: bool = True


@dataclass
class Plan:
    world: World
    events: list[Event]
    schedule: dict[str, list[date]]  # agency → list dates
    report_dates: list[date]
    file_quirks: FileQuirkPlan
    identities: IdentityFactory
    factory: EventFactory
    check: Callable[[Truth], None] | None = None  # raises when the truth misses a target
    identity_noise: IdentityNoise = IdentityNoise()


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_ends(start: date, end: date) -> list[date]:
    ends = []
    day = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    while day <= end:
        ends.append(day)
        day = add_months(day.replace(day=1), 1)
        day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return ends


def report_dates_for(start: date, end: date, extra: tuple[date, ...] = ()) -> list[date]:
    return sorted({*month_ends(start, end), end, *(d for d in extra if start <= d <= end)})


def exact_counts(total: int, shares: tuple[tuple[str, int], ...]) -> list[str]:
    """``total`` labels split by ``shares`` (largest remainders), in share order."""
    weight = sum(w for _, w in shares)
    raw = [(label, total * w / weight) for label, w in shares]
    counts = {label: int(x) for label, x in raw}
    by_remainder = sorted(raw, key=lambda item: (-(item[1] - int(item[1])), item[0]))
    for label, _ in by_remainder[: total - sum(counts.values())]:
        counts[label] += 1
    return [label for label, _ in shares for _ in range(counts[label])]


def _event_factory(streams: Streams) -> EventFactory:
    return EventFactory(streams.rng("event_fields"), column("reasons", "reason_code"))


# --- national -------------------------------------------------------------------------

NATIONAL_SHARES = (("obec_dmc", 30), ("eef", 25), ("ops", 17), ("ovec", 15), ("msdhs", 13))
NATIONAL_FILE_QUIRKS = FileQuirkPlan(
    header_whitespace=(("eef", 0), ("ops", 0), ("ovec", 0)),
    extra_column=(("obec_dmc", 1), ("msdhs", 0), ("ops", 2)),
    duplicate_copies=(("obec_dmc", 0, 3), ("eef", 0, 2)),
    empty_files=(("ovec", 30, True), ("msdhs", 45, False)),
    wrong_encoding=(("ops", 1, 4),),
    misnamed=(("obec_dmc", 0, "DMC_DROPOUT_final(2).csv"), ("ops", 0, "OPS_25650230.csv")),
)
LATER_LIST_SHARE = 0.2  # children first named by a later list
RELIST_SHARE = 0.35  # an earlier child named again by its agency's later list
OVERLAP_SHARE = 0.10  # children named by two or more agencies


def national_schedule(start: date, end: date) -> dict[str, list[date]]:
    """Every agency lists on ``start``; DMC and OPS again at ~2 and ~4 months, EEF at ~3."""
    later = {
        "obec_dmc": (add_months(start, 2), add_months(start, 4)),
        "ops": (add_months(start, 2) + timedelta(days=5), add_months(start, 4) + timedelta(days=5)),
        "eef": (add_months(start, 3),),
    }
    return {agency: [start, *(d for d in later.get(agency, ()) if d <= end)] for agency in AGENCIES}


def _relist(rng: random.Random, agency: str, previous: Details) -> Details:
    """Details on a later list: mostly unchanged, sometimes a grade up or a move."""
    roll = rng.random()
    if roll < 0.15:
        return promoted(previous)
    if roll < 0.25:
        return moved(rng, agency, previous, pick_place(rng))
    return previous


def _other_agency_listing(rng: random.Random, world: World, index: int, own: list[Listing], schedule: dict[str, list[date]]) -> Listing | None:
    """Another agency names the child: on the same date (lower priority) or a later list."""
    priority = agency_priority()
    child = world.children[index]
    primary = own[0]
    taken = {(listing.agency, listing.list_date) for listing in own}
    options = [
        (agency, day)
        for agency in AGENCIES
        if agency != primary.agency
        for day in schedule[agency]
        if (day > primary.list_date or (day == primary.list_date and priority[agency] > priority[primary.agency]))
        and (agency, day) not in taken
        and AGE_RANGES[agency][0] <= child.age_on(day) <= AGE_RANGES[agency][1]
    ]
    if not options:
        return None
    same_day = [option for option in options if option[1] == primary.list_date]
    agency, day = rng.choice(same_day) if same_day and rng.random() < 0.5 else rng.choice(options)
    place = own[-1].details.place if rng.random() < 0.9 else pick_place(rng)
    return Listing(index, agency, day, details_for(rng, agency, child.age_on(day), place, day))


def build_national(streams: Streams, children: int, start: date, end: date, *,
                   noise: IdentityNoise = NATIONAL_NOISE, overlap_share: float = OVERLAP_SHARE) -> Plan:
    if children < 1:
        raise ScenarioError("national needs at least one child")
    rng = streams.rng("world")
    identities = IdentityFactory(streams.rng("ids"))
    schedule = national_schedule(start, end)
    world = World()
    own_listings: list[list[Listing]] = []
    agencies = exact_counts(children, NATIONAL_SHARES)
    rng.shuffle(agencies)
    for index, agency in enumerate(agencies):
        dates = schedule[agency]
        first = rng.choice(dates[1:]) if len(dates) > 1 and rng.random() < LATER_LIST_SHARE else dates[0]
        age = draw_age(rng, agency)
        place = pick_place(rng)
        world.children.append(make_child(rng, identities, place, age, first))
        details = details_for(rng, agency, age, place, first)
        own = [Listing(index, agency, first, details)]
        for later in (d for d in dates if d > first):
            if rng.random() < RELIST_SHARE:
                details = _relist(rng, agency, details)
                own.append(Listing(index, agency, later, details))
        own_listings.append(own)
    for index in sorted(rng.sample(range(children), round(overlap_share * children))):
        for _ in range(2 if rng.random() < 0.1 else 1):
            extra = _other_agency_listing(rng, world, index, own_listings[index], schedule)
            if extra:
                own_listings[index].append(extra)
    noise_rng = streams.rng("identity_noise")
    add_look_alikes(noise_rng, world, own_listings, identities, noise)
    mark_id_less(noise_rng, world, own_listings, noise)
    world.listings = [listing for own in own_listings for listing in own]

    report_dates = report_dates_for(start, end)
    clock = Clock(streams.rng("clock"), report_dates)
    factory = _event_factory(streams)
    event_rng = streams.rng("events")
    first_listed = world.first_listed()
    # The first children listed on ``start`` by DMC alone get scripted histories.
    scripted = [
        i for i, own in enumerate(own_listings)
        if len(own) == 1 and own[0].agency == "obec_dmc" and own[0].list_date == start and not world.children[i].id_less
    ][:5]
    events = scripted_histories(factory, [world.children[i].child_id for i in scripted], "obec_dmc", start, report_dates, end)
    if not events:
        scripted = []
    events += [
        event
        for index, child in enumerate(world.children)
        if index not in scripted and not child.id_less  # the field app cannot name a child without an ID
        for event in free_history(event_rng, clock, factory, child.child_id, own_listings[index][0].agency, first_listed[index], end)
    ]
    return Plan(world, events, schedule, report_dates, NATIONAL_FILE_QUIRKS, identities, factory, identity_noise=noise)


def build_linkage(streams: Streams, children: int, start: date, end: date) -> Plan:
    """A national set where IDs go wrong between agencies (missing, mistyped), with twins
    and namesakes: for measuring record linkage against the truth of list_rows.csv."""
    return build_national(streams, children, start, end, noise=LINKAGE_NOISE, overlap_share=0.3)


# --- seed 003 -------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed003:
    """The published tables of seed document 003 (``/work/shared/seeds/003_*.txt``)."""

    start: date = date(2022, 1, 17)
    end: date = date(2022, 9, 30)
    first: date = date(2022, 5, 31)
    second: date = date(2022, 7, 27)
    agencies: tuple[tuple[str, int], ...] = (("obec_dmc", 13_181), ("eef", 14_953))
    status_first: tuple[int, ...] = (20_053, 7_355, 428, 226, 72)  # statuses 1-5 on 31 May
    status_second: tuple[int, ...] = (20_119, 7_378, 381, 184, 72)  # on 27 Jul
    stage_second: tuple[tuple[str, tuple[int, ...]], ...] = (
        (COMPULSORY, (17_514, 6_737, 354, 104, 64)),
        (POST_COMPULSORY, (2_605, 641, 27, 80, 8)),
    )
    # Moves between the two dates, by stage: (from, to) → children. They add up to the
    # published 47 (3 → found), 42 (4 → found), 66 (→ 1) and 23 (→ 2).
    moves: tuple[tuple[str, tuple[tuple[tuple[int, int], int], ...]], ...] = (
        (COMPULSORY, (((3, 1), 32), ((3, 2), 11), ((4, 1), 27), ((4, 2), 10))),
        (POST_COMPULSORY, (((3, 1), 3), ((3, 2), 1), ((4, 1), 4), ((4, 2), 1))),
    )
    overlap: tuple[int, int] = (1_050, 1_200)  # DMC children also on the EEF list

    @property
    def cohort(self) -> int:
        return sum(n for _, n in self.agencies)

    def trajectories(self, stage: str) -> list[tuple[int, int]]:
        """(status on 31 May, status on 27 Jul) for every child of a stage."""
        on_second = dict(self.stage_second)[stage]
        moves = dict(dict(self.moves)[stage])
        pairs: list[tuple[int, int]] = []
        for (before, after), n in moves.items():
            pairs += [(before, after)] * n
        for status in range(1, 6):
            stayers = on_second[status - 1] - sum(n for (_, after), n in moves.items() if after == status)
            pairs += [(status, status)] * stayers
        return pairs


SEED003 = Seed003()
SEED003_FILE_QUIRKS = FileQuirkPlan(
    header_whitespace=(("obec_dmc", 0),),
    extra_column=(("eef", 0),),
    duplicate_copies=(("obec_dmc", 0, 1),),
    empty_files=(("ops", 0, False),),
)


def _details_in_stage(rng: random.Random, agency: str, stage: str, place, on: date):
    while True:
        age = draw_age(rng, agency)
        details = details_for(rng, agency, age, place, on)
        if stage_of(details.grade, age) == stage:
            return age, details


def build_seed003(streams: Streams, children: int, start: date, end: date) -> Plan:
    spec = SEED003
    if (start, end) != (spec.start, spec.end):
        raise ScenarioError(f"seed003 is fixed to {spec.start}..{spec.end}")
    rng = streams.rng("world")
    identities = IdentityFactory(streams.rng("ids"))
    on_second = dict(spec.stage_second)
    stages = [stage for stage, counts in spec.stage_second for _ in range(sum(counts))]
    rng.shuffle(stages)
    agencies = [agency for agency, n in spec.agencies for _ in range(n)]
    world = World()
    for index, (agency, stage) in enumerate(zip(agencies, stages)):
        place = pick_place(rng)
        age, details = _details_in_stage(rng, agency, stage, place, spec.start)
        world.children.append(make_child(rng, identities, place, age, spec.start))
        world.listings.append(Listing(index, agency, spec.start, details))
    eligible = [i for i, agency in enumerate(agencies) if agency == "obec_dmc" and world.children[i].age_on(spec.start) >= AGE_RANGES["eef"][0]]
    for index in sorted(rng.sample(eligible, rng.randint(*spec.overlap))):
        child = world.children[index]
        age = child.age_on(spec.start)
        world.listings.append(Listing(index, "eef", spec.start, details_for(rng, "eef", age, child.place, spec.start)))

    targets: list[tuple[int, int]] = [(0, 0)] * len(stages)
    for stage in on_second:
        pairs = spec.trajectories(stage)
        rng.shuffle(pairs)
        members = [i for i, s in enumerate(stages) if s == stage]
        for index, pair in zip(members, pairs, strict=True):
            targets[index] = pair

    report_dates = report_dates_for(spec.start, spec.end, (spec.first, spec.second))
    clock = Clock(streams.rng("clock"), report_dates, edge_share=0.03)
    factory = _event_factory(streams)
    event_rng = streams.rng("events")
    events = [
        event
        for index, child in enumerate(world.children)
        for event in targeted_history(
            event_rng,
            clock,
            factory,
            child.child_id,
            agencies[index],
            spec.start,
            [(spec.first, targets[index][0]), (spec.second, targets[index][1])],
            spec.end,
        )
    ]
    return Plan(world, events, {"obec_dmc": [spec.start], "eef": [spec.start]}, report_dates, SEED003_FILE_QUIRKS, identities, factory, check_seed003)


def check_seed003(truth: Truth) -> None:
    """Raise unless the truth reproduces every published number of seed document 003."""
    spec = SEED003
    problems = []
    for day in truth.report_dates:
        agencies = Counter(child.source_agency for child in truth.on(day))
        if dict(agencies) != dict(spec.agencies):
            problems.append(f"agencies on {day}: {dict(agencies)}")
    for day, published in ((spec.first, spec.status_first), (spec.second, spec.status_second)):
        counts = Counter(child.status_code for child in truth.on(day))
        if tuple(counts.get(s, 0) for s in range(1, 6)) != published:
            problems.append(f"statuses on {day}: {sorted(counts.items())}")
    for stage, published in spec.stage_second:
        counts = Counter(c.status_code for c in truth.on(spec.second) if c.education_stage == stage)
        if tuple(counts.get(s, 0) for s in range(1, 6)) != published:
            problems.append(f"{stage} on {spec.second}: {sorted(counts.items())}")
    before = truth.status_by_child(spec.first)
    moves = Counter(
        (before[c.child_id], c.status_code) for c in truth.on(spec.second) if before[c.child_id] != c.status_code
    )
    expected_moves = Counter()
    for _, stage_moves in spec.moves:
        for pair, n in stage_moves:
            expected_moves[pair] += n
    if moves != expected_moves:
        problems.append(f"moves {spec.first} → {spec.second}: {sorted(moves.items())}")
    if problems:
        raise ScenarioError("seed003 truth does not reproduce the published tables: " + "; ".join(problems))


SCENARIOS: dict[str, Callable[[Streams, int, date, date], Plan]] = {
    "national": build_national,
    "seed003": build_seed003,
    "linkage": build_linkage,
}

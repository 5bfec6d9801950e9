"""Tracking exports: overlapping windows of the app's events, junk events, one truncated file."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from pathlib import Path

from .events import Event, export_dates, exports_holding, with_lines
from .landing import Landing
from .progress import Progress
from .scenarios import Plan, ScenarioError
from .truth import REJECTED, QuirkFact, sha256
from .writers import file_name, write_export

UNKNOWN_CHILD_SHARE = 0.0005  # junk events per cohort child
BEFORE_LISTING_SHARE = 0.0003


def _junk_events(rng: random.Random, plan: Plan, exports: list[date], skip: int | None, start: date) -> list[Event]:
    """Events a correct warehouse quarantines, each in exactly one export."""
    factory = plan.factory
    usable = [i for i in range(len(exports)) if i != skip]
    cohort = len(plan.world.children)
    junk = []
    last = usable[-1]
    earliest = exports[last - 1] + timedelta(days=1) if last > 0 else start
    for _ in range(max(2, round(UNKNOWN_CHILD_SHARE * cohort))):
        stranger_id = plan.identities.valid_citizen_id(f"{rng.randrange(10, 97)}{rng.randrange(1, 20):02d}")
        day = earliest + timedelta(days=rng.randrange((exports[last] - earliest).days + 1))
        event = factory.make(stranger_id, "obec_dmc", _office_time(rng, day), rng.choice((1, 2, 3, 4)))
        event.junk, event.exports = "event_unknown_child", (last,)
        junk.append(event)

    first_listed = plan.world.first_listed()
    # An id-less child cannot be named by the app: its events are "unknown child", not early.
    children = plan.world.children
    later = ([i for i, day in enumerate(first_listed) if day > start and not children[i].id_less]
             or [i for i in range(len(first_listed)) if not children[i].id_less])
    for index in sorted(rng.sample(later, min(len(later), max(2, round(BEFORE_LISTING_SHARE * cohort))))):
        day = first_listed[index] - timedelta(days=rng.randrange(1, 11))
        holders = [i for i in usable if exports[i] >= day]
        if not holders:
            continue
        event = factory.make(children[index].child_id, "obec_dmc", _office_time(rng, day), rng.choice((1, 4)))
        event.junk, event.exports = "event_before_listing", (holders[0],)
        junk.append(event)
    return junk


def _office_time(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60)))


def event_quirks(events: list[Event], names: list[str]) -> list[QuirkFact]:
    """Quirks of real events, one per copy (the same event sits in several exports)."""
    return [
        QuirkFact("tracking", names[i], line, f, q, h)
        for event, lines in with_lines(events, len(names))
        if event.quirks and not event.junk
        for i, line in zip(event.exports, lines)
        for f, q, h in event.quirks
    ]


def write_tracking(
    rng: random.Random, plan: Plan, landing: Landing, start: date, end: date, progress: Progress = Progress()
) -> tuple[list[Event], list[str]]:
    exports = export_dates(start, end)
    names = [file_name("tracking", day) for day in exports]
    holding: dict[date, tuple[int, ...]] = {}  # one tuple per day, shared by its events (millions of them)
    for event in plan.events:
        day = event.recorded_on
        if day not in holding:
            holding[day] = exports_holding(day, exports)
        event.exports = holding[day]
        if not event.exports:
            raise ScenarioError(f"event on {event.recorded_on} falls in no export")
    truncated = len(exports) // 2 if plan.file_quirks.truncated_export and len(exports) >= 3 else None
    events = plan.events + _junk_events(rng, plan, exports, truncated, start)
    # By (recorded_at, seq), as two stable sorts: a key tuple per event would cost a few
    # hundred MB at millions of events.
    events.sort(key=attrgetter("seq"))
    events.sort(key=attrgetter("recorded_at"))
    members: list[list[Event]] = [[] for _ in exports]
    for number, event in enumerate(events, start=1):
        event.event_id = f"EV{number:08d}"
        for i in event.exports:
            members[i].append(event)
    with progress.step(f"tracking: {len(events):,} events", sum(map(len, members)), "lines") as step:
        files = 0
        for i, name in enumerate(names):
            if not members[i]:
                continue  # the app writes no file for a window without events
            path = landing.path("tracking", name)
            files += 1
            count, digest = write_export(path, step.track(members[i]))
            if i == truncated:
                _truncate_last_line(path, members[i], set(range(len(exports))) - {i})
                landing.record("tracking", name, count, sha256(path.read_bytes()), REJECTED, "truncated_file")
            else:
                landing.record("tracking", name, count, digest)
            members[i] = []  # written: the window's list of events is no longer needed
        step.describe(f"tracking: {len(events):,} events in {files} exports")
    return events, names


def _truncate_last_line(path: Path, members: list[Event], others: set[int]) -> None:
    """Cut the last line inside its ASCII head (no line end): invalid JSON, still valid UTF-8."""
    for event in members:
        if not others.intersection(event.exports):
            raise ScenarioError(f"{event.event_id} would only be in the truncated export")
    data = path.read_bytes()
    head, last = data[:-1].rsplit(b"\n", 1) if data.count(b"\n") > 1 else (b"", data[:-1])
    cut = last[: last.index(b'"recorded_at"') + 10]
    path.write_bytes((head + b"\n" if head else b"") + cut)

"""Tracking events: each child's status history in the field app, and the app's exports.

Times are Thailand wall-clock times (naive datetimes, written with ``+07:00``).
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from . import ids
from .vocab import ASSISTANCE, HTML_FRAGMENTS, NO_ASSISTANCE, NOTES, PLACEMENTS, TRACKER_ORGS

FOUND_BACK, FOUND_NOT_BACK, NOT_FOUND, TRACKING, DECEASED = 1, 2, 3, 4, 5

EXPORT_EVERY_DAYS = 14
EXPORT_WINDOW_DAYS = 42  # an export holds events recorded in its last 42 days


@dataclass(slots=True)
class Event:
    child_id: str  # the normalised ID of the child it names
    recorded_at: datetime  # Thailand time
    status: int
    seq: int  # creation order: breaks ties in recorded_at when numbering
    citizen_text: str = ""  # the ID as the app exports it
    tracker_org: str = "school"
    placement: str | None = None
    reason_code: str | None = None
    assistance: tuple[str, ...] = ()
    note: str = ""
    junk: str | None = None  # the quarantine reason this event is meant to get
    event_id: str = ""
    exports: tuple[int, ...] = ()  # indices into the export schedule (its lines there: ``with_lines``)
    quirks: tuple[tuple[str, str, str], ...] = ()  # (field, quirk, expected handling)

    @property
    def recorded_on(self) -> date:
        return self.recorded_at.date()


def with_lines(events: Iterable[Event], exports: int) -> Iterator[tuple[Event, tuple[int, ...]]]:
    """Each event with its JSONL line number in each export holding it (``event.exports``).

    An export lists its events in event-ID order, so an event's line there is one more than
    the number of earlier events it holds: counted as the events go by rather than stored on
    each of millions of events. ``events`` must be in ID order, as ``write_tracking`` returns them.
    """
    next_line = [1] * exports
    previous = (0, "")
    for event in events:
        order = (len(event.event_id), event.event_id)  # EV + number, zero-padded to 8 digits at least
        if order <= previous:
            raise ValueError(f"events out of ID order: {event.event_id} after {previous[1]}")
        previous = order
        lines = tuple(next_line[i] for i in event.exports)
        for i in event.exports:
            next_line[i] += 1
        yield event, lines


def export_dates(start: date, end: date) -> list[date]:
    """Every 14 days back from ``end`` (the last export is dated ``end``), not before ``start``."""
    dates = []
    day = end
    while day >= start:
        dates.append(day)
        day -= timedelta(days=EXPORT_EVERY_DAYS)
    return sorted(dates)


def exports_holding(day: date, exports: list[date]) -> tuple[int, ...]:
    """Indices of the exports whose window holds an event recorded on ``day``."""
    first = bisect.bisect_left(exports, day)
    last = bisect.bisect_right(exports, day + timedelta(days=EXPORT_WINDOW_DAYS - 1))
    return tuple(range(first, last))


class Clock:
    """Draws recording times: office hours mostly, and now and then the edge of a report date.

    Events at 23:xx on a report date and 00:xx the next day are what a warehouse that
    confuses UTC with Bangkok time gets wrong.
    """

    def __init__(self, rng: random.Random, report_dates: list[date], edge_share: float = 0.02):
        self._rng = rng
        self._edge_share = edge_share
        self._edges = sorted(
            instant
            for day in report_dates
            for instant in (datetime.combine(day, time(23, 0)), datetime.combine(day + timedelta(days=1), time(0, 0)))
        )

    def _edge_between(self, low: datetime, high: datetime) -> datetime | None:
        first = bisect.bisect_left(self._edges, low)
        last = bisect.bisect_right(self._edges, high - timedelta(minutes=59))
        if first >= last:
            return None
        return self._edges[self._rng.randrange(first, last)] + timedelta(minutes=self._rng.randrange(60))

    def between(self, low: datetime, high: datetime) -> datetime:
        """A time in [low, high] (both inclusive, minute precision)."""
        if self._rng.random() < self._edge_share:
            edge = self._edge_between(low, high)
            if edge is not None:
                return edge
        for _ in range(20):
            day = low.date() + timedelta(days=self._rng.randrange((high.date() - low.date()).days + 1))
            roll = self._rng.random()
            hour = self._rng.randrange(8, 18) if roll < 0.9 else (self._rng.randrange(18, 23) if roll < 0.97 else 7)
            instant = datetime.combine(day, time(hour, self._rng.randrange(60)))
            if low <= instant <= high:
                return instant
        minutes = int((high - low).total_seconds() // 60)
        return low + timedelta(minutes=self._rng.randrange(minutes + 1))

    def several(self, low: datetime, high: datetime, count: int) -> list[datetime]:
        """``count`` ordered times; sometimes two on the same day, rarely the same minute."""
        times = sorted(self.between(low, high) for _ in range(count))
        for i in range(1, len(times)):
            roll = self._rng.random()
            if roll < 0.01:
                times[i] = times[i - 1]  # two trackers saved at the same minute
            elif roll < 0.07:
                later = times[i - 1] + timedelta(minutes=self._rng.randrange(30, 240))
                if later <= high and later.date() == times[i - 1].date():
                    times[i] = later
        return sorted(times)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([code for code, _ in pairs], weights=[weight for _, weight in pairs])[0]


class EventFactory:
    """Fills an event's app fields (organisation, placement, reason, assistance, note, ID spelling)."""

    def __init__(self, rng: random.Random, reason_codes: list[str]):
        self._rng = rng
        self._reason_codes = reason_codes
        self._seq = 0
        # Equal immutable values shared between events: millions of events hold a few
        # hundred thousand distinct minutes and a few dozen assistance tuples.
        self._shared: dict[object, object] = {}

    def _share(self, value):
        return self._shared.setdefault(value, value)

    def make(self, child_id: str, agency: str, when: datetime, status: int) -> Event:
        rng = self._rng
        self._seq += 1
        event = Event(child_id=child_id, recorded_at=self._share(when), status=status, seq=self._seq)
        event.citizen_text, style = self.spelling(child_id)
        if style != ids.PLAIN:
            event.quirks += (("citizen_id", style, "normalised"),)
        event.tracker_org = "msdhs" if agency == "msdhs" and rng.random() < 0.5 else _weighted(rng, TRACKER_ORGS)
        if status == FOUND_BACK:
            event.placement = self._placement(agency)
        if status == FOUND_NOT_BACK or (status == NOT_FOUND and rng.random() < 0.3):
            event.reason_code = rng.choice(self._reason_codes)
        event.assistance = self._share(self._assistance())
        roll = rng.random()
        if roll < 0.01:
            event.note = rng.choice(HTML_FRAGMENTS).format(text=rng.choice(NOTES))
            event.quirks += (("note", "html_fragment", "kept_as_text"),)
        elif roll < 0.09:
            event.note = rng.choice(NOTES)
        return event

    def spelling(self, child_id: str) -> tuple[str, str]:
        """(the ID as typed into the app, the spelling style)."""
        if self._rng.random() < 0.86:
            return child_id, ids.PLAIN
        styles = tuple(s for s in ids.styles_for(child_id) if s != ids.APOSTROPHE)  # an Excel habit, not the app's
        style = self._rng.choice(styles)
        return str(ids.spell(child_id, style)), style

    def _placement(self, agency: str) -> str:
        if agency == "msdhs" and self._rng.random() < 0.5:
            return "special_ed"
        if agency == "ovec" and self._rng.random() < 0.5:
            return "vocational"
        return _weighted(self._rng, PLACEMENTS)

    def _assistance(self) -> tuple[str, ...]:
        if self._rng.random() < 0.35:
            return (NO_ASSISTANCE,)
        first = _weighted(self._rng, ASSISTANCE)
        if self._rng.random() < 0.3:
            second = _weighted(self._rng, ASSISTANCE)
            if second != first:
                return (first, second)
        return (first,)


# Next status when a tracker records again, from the current one (4 = nothing yet).
_NEXT_STATUS = {
    TRACKING: ((TRACKING, 15), (NOT_FOUND, 10), (FOUND_BACK, 55), (FOUND_NOT_BACK, 20)),
    NOT_FOUND: ((NOT_FOUND, 10), (FOUND_BACK, 55), (FOUND_NOT_BACK, 30), (TRACKING, 5)),
    FOUND_BACK: ((FOUND_BACK, 70), (FOUND_NOT_BACK, 22), (NOT_FOUND, 4), (TRACKING, 4)),
    FOUND_NOT_BACK: ((FOUND_NOT_BACK, 45), (FOUND_BACK, 50), (NOT_FOUND, 5)),
}
_EVENT_COUNTS = ((0, 3), (1, 16), (2, 24), (3, 24), (4, 16), (5, 10), (6, 7))


def next_status(rng: random.Random, current: int) -> int:
    pairs = _NEXT_STATUS[current]
    return rng.choices([s for s, _ in pairs], weights=[w for _, w in pairs])[0]


def free_statuses(rng: random.Random, current: int, count: int) -> list[int]:
    """A plausible sequence of ``count`` statuses continuing from ``current``."""
    statuses = []
    for _ in range(count):
        current = next_status(rng, current)
        statuses.append(current)
    return statuses


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0))


def day_end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59))


def free_history(
    rng: random.Random, clock: Clock, factory: EventFactory, child_id: str, agency: str, listed_on: date, end: date
) -> list[Event]:
    """The national pattern: 0-6 events after listing, mostly 4 → (3) → 1 or 2; ~0.3% die."""
    count = rng.choices([n for n, _ in _EVENT_COUNTS], weights=[w for _, w in _EVENT_COUNTS])[0]
    statuses = free_statuses(rng, TRACKING, count)
    if rng.random() < 0.003:
        at = rng.randrange(min(len(statuses), 4) + 1)
        statuses = statuses[:at] + [DECEASED] + ([rng.choice((1, 2, 3, 4))] if rng.random() < 0.3 else [])
    low = day_start(listed_on) + timedelta(hours=8)
    if not statuses or low > day_end(end):
        return []
    # Events spread over the time left, denser soon after listing.
    span_days = max(1, (end - listed_on).days)
    high = min(day_end(end), low + timedelta(days=max(7, int(span_days * rng.uniform(0.3, 1.0)))))
    times = clock.several(low, high, len(statuses))
    return [factory.make(child_id, agency, when, status) for when, status in zip(times, statuses)]


def route_to(rng: random.Random, current: int, target: int, opening: bool) -> list[int]:
    """Statuses recorded to go from ``current`` to ``target`` (``opening``: the child's first phase)."""
    if target == current:
        if target == DECEASED:
            return [rng.choice((1, 2, 3, 4))] if rng.random() < 0.25 else []  # stray event, still 5
        if opening and target == TRACKING:
            return rng.choices(([], [TRACKING], [TRACKING, TRACKING]), weights=(50, 35, 15))[0]
        return [target] if rng.random() < 0.35 else []
    if not opening:
        return ([current] if rng.random() < 0.3 and current != DECEASED else []) + [target]
    lead = [TRACKING] * rng.choices((0, 1, 2), weights=(25, 45, 30))[0]
    if target == NOT_FOUND:
        return lead + rng.choices(([NOT_FOUND], [NOT_FOUND, NOT_FOUND]), weights=(80, 20))[0]
    if target == TRACKING:
        return lead
    middle = rng.choices(([], [NOT_FOUND]), weights=(80, 20))[0]
    return lead + middle + [target]


def targeted_history(
    rng: random.Random,
    clock: Clock,
    factory: EventFactory,
    child_id: str,
    agency: str,
    listed_on: date,
    targets: list[tuple[date, int]],
    end: date,
) -> list[Event]:
    """Events realising a given status on each target date, then free events to ``end``."""
    events: list[Event] = []
    current = TRACKING
    low = day_start(listed_on) + timedelta(hours=8)
    for i, (target_date, target) in enumerate(targets):
        high = day_end(target_date)
        statuses = route_to(rng, current, target, opening=(i == 0))
        for when, status in zip(clock.several(low, high, len(statuses)), statuses):
            events.append(factory.make(child_id, agency, when, status))
        current = target
        low = day_start(target_date + timedelta(days=1))
    if low <= day_end(end):
        if current == DECEASED:
            tail = [rng.choice((1, 2, 3, 4))] if rng.random() < 0.1 else []
        else:
            tail = free_statuses(rng, current, rng.choice((1, 1, 2))) if rng.random() < 0.4 else []
        for when, status in zip(clock.several(low, day_end(end), len(tail)), tail):
            events.append(factory.make(child_id, agency, when, status))
    return events


def scripted_histories(
    factory: EventFactory, child_ids: list[str], agency: str, listed_on: date, report_dates: list[date], end: date
) -> list[Event]:
    """A few children whose histories are sure to hold the patterns a warehouse must get right.

    One each: a death followed by a stray event (stays 5); a change at 00:15 the day after a
    report date, just after a 23:30 event on it (a UTC-vs-Bangkok mix-up moves it); three
    events on one day; two events in the same minute (the greater event_id wins); a status
    re-stated three times.
    """
    day = listed_on + timedelta(days=3)
    edge = next((d for d in report_dates if d >= listed_on + timedelta(days=7) and d < end), None)
    if len(child_ids) < 5 or edge is None or (end - listed_on).days < 45:
        return []

    def at(offset_days: int, hour: int, minute: int = 0, base: date = day) -> datetime:
        return datetime.combine(base + timedelta(days=offset_days), time(hour, minute))

    scripts = [
        [(at(7, 10), TRACKING), (at(27, 9, 30), DECEASED), (at(37, 14), FOUND_BACK)],
        [(at(0, 9), TRACKING), (at(0, 23, 30, edge), NOT_FOUND), (at(1, 0, 15, edge), FOUND_BACK)],
        [(at(2, 9), TRACKING), (at(2, 11, 20), NOT_FOUND), (at(2, 15, 45), FOUND_NOT_BACK)],
        [(at(4, 13, 5), NOT_FOUND), (at(4, 13, 5), FOUND_BACK)],
        [(at(1, 10), FOUND_BACK), (at(8, 10), FOUND_BACK), (at(21, 16), FOUND_BACK)],
    ]
    return [
        factory.make(child_id, agency, when, status)
        for child_id, script in zip(child_ids, scripts)
        for when, status in script
        if when.date() <= end
    ]

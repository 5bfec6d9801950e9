"""The truth: a reference implementation of docs/business-rules.md, and its files.

It works on facts the generator knows about every row it wrote (which child a row
names, the stage and place a correct reading gives, the one rule a junk row breaks)
and on which files a correct warehouse loads. From those it derives, by the rules, the
cohort, each child's details and status over time, the counts, and every quarantine.

``expected_child_status`` and ``expected_status_summary`` read the written files back
for any report dates, for tests.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import attrgetter, itemgetter
from pathlib import Path

import pandas as pd

from .events import DECEASED, TRACKING, Event, with_lines
from .rules import agency_priority, check_digit_flag, id_type

LOADED, REJECTED, DUPLICATE_FILE = "loaded", "rejected", "duplicate_file"


@dataclass(frozen=True, slots=True)
class FileFact:
    source: str
    file_name: str
    expected_status: str  # loaded | rejected | duplicate_file
    reason_code: str | None
    data_rows: int
    sha256: str


@dataclass(frozen=True, slots=True)
class ListRowFact:
    source: str
    file_name: str
    row_number: int
    list_date: date
    child_id: str | None  # the ID the row gives, normalised (None: missing or malformed)
    true_child_id: str | None  # the child the row really names (None for junk)
    id_delivery: str  # correct | missing | typo | typo_valid
    rule_broken: str | None  # a row rule other than duplicate_in_file, by construction
    education_stage: str | None
    province_code: str | None
    district_code: str | None
    province_spelling: str


@dataclass(frozen=True, slots=True)
class QuirkFact:
    source: str
    file_name: str
    row_number: int
    field: str
    quirk: str
    expected_handling: str


@dataclass(frozen=True, slots=True)
class CohortChild:
    first_listed_on: date
    source_agency: str


@dataclass(frozen=True, slots=True)
class DetailsPeriod:
    valid_from: date
    education_stage: str
    province_code: str | None
    district_code: str | None
    province_spelling: str


@dataclass(frozen=True, slots=True)
class ChildOnDate:
    child_id: str
    status_code: int
    education_stage: str
    source_agency: str
    province_code: str | None
    province_spelling: str
    district_code: str | None


@dataclass
class Truth:
    children: dict[str, CohortChild]
    details: dict[str, list[DetailsPeriod]]
    status: dict[str, list[tuple[date, int]]]
    report_dates: list[date]
    files: list[FileFact]
    quarantine: list[tuple[str, str, int, str]]
    quirks: list[QuirkFact]
    used_event_ids: list[str] = field(default_factory=list)
    # (source, file, row, true child, id delivery, identity) of every used list row
    list_rows: list[tuple] = field(default_factory=list)
    # every used event: (event_id, child identity, recorded_at (a datetime), status,
    # tracker_org, placement, reason_code, assistance codes joined by '|')
    events: list[tuple] = field(default_factory=list)
    _on_cache: dict[date, list[ChildOnDate]] = field(default_factory=dict, repr=False)

    def on(self, day: date, *, keep: bool = True) -> list[ChildOnDate]:
        """Every cohort child on ``day`` with its status and details (sorted by ID).

        ``keep=False`` does not cache the day: at a million children each day's list is
        large, and writing the truth needs each day only once.
        """
        if day in self._on_cache:
            return self._on_cache[day]
        children = self._compute_on(day)
        if keep:
            self._on_cache[day] = children
        return children

    def _compute_on(self, day: date) -> list[ChildOnDate]:
        result = []
        for child_id, child in sorted(self.children.items()):
            if child.first_listed_on > day:
                continue
            details = _in_effect(self.details[child_id], day, _VALID_FROM)
            status = _in_effect(self.status[child_id], day, _STARTS)[1]
            result.append(
                ChildOnDate(
                    child_id,
                    status,
                    details.education_stage,
                    child.source_agency,
                    details.province_code,
                    details.province_spelling,
                    details.district_code,
                )
            )
        return result

    def status_by_child(self, day: date) -> dict[str, int]:
        return {c.child_id: c.status_code for c in self.on(day)}

    def counts(self, day: date) -> Counter[tuple[int, str, str]]:
        return Counter((c.status_code, c.education_stage, c.source_agency) for c in self.on(day))


_VALID_FROM, _STARTS = attrgetter("valid_from"), itemgetter(0)  # start of a details / status period


def _in_effect(periods: list, day: date, start_of):
    """The period in effect on ``day``: the last to start on or before it (``periods`` are
    in start order, the first starting no later than ``day``). A child has few periods: a
    scan is as quick as bisecting, without caching every child's start dates."""
    current = periods[0]
    for period in periods:
        if start_of(period) > day:
            break
        current = period
    return current


# --- the rules ----------------------------------------------------------------------


def _check_duplicate_files(files: Sequence[FileFact]) -> None:
    """Rule 1: a file whose bytes were seen before (in name order) is a duplicate."""
    seen: set[str] = set()
    for fact in sorted(files, key=lambda f: (f.source, f.file_name)):
        is_duplicate = fact.sha256 in seen
        if is_duplicate != (fact.expected_status == DUPLICATE_FILE):
            raise AssertionError(f"{fact.source}/{fact.file_name}: duplicate_file expectation is wrong")
        seen.add(fact.sha256)


def _used_rows(rows: Iterable[ListRowFact], loaded: set[tuple[str, str]], quarantine: list) -> list[ListRowFact]:
    """Rows that pass every row rule; the others go to quarantine (first occurrence wins)."""
    used = []
    named: set[tuple[str, str, str]] = set()
    for row in sorted(rows, key=lambda r: (r.source, r.file_name, r.row_number)):
        if (row.source, row.file_name) not in loaded:
            continue
        if row.rule_broken:
            quarantine.append((row.source, row.file_name, row.row_number, row.rule_broken))
            continue
        # a row without an ID is the same row again when it names the same child
        key = (row.source, row.file_name, row.child_id or f"no id|{row.true_child_id}")
        if key in named:
            quarantine.append((row.source, row.file_name, row.row_number, "duplicate_in_file"))
            continue
        named.add(key)
        used.append(row)
    return used


def _is_valid(child_id: str | None) -> bool:
    return child_id is not None and id_type(child_id) is not None and check_digit_flag(child_id) is not False


def _row_key(row: ListRowFact) -> str:
    return f"{row.source}/{row.file_name}:{row.row_number}"


def resolve_identities(used: list[ListRowFact]) -> dict[tuple[str, str, int], str]:
    """The identity each used row resolves to under the rules applied perfectly
    (docs/business-rules.md §3): a valid ID is its own identity (a check-passing typo
    too: it cannot be told from a real ID); a row without one joins its child's valid ID
    when the child has a row carrying it; else its child's rows without a valid ID form
    one identity — their smallest check-failing ID, or their first-listed row. A valid ID
    one slip from its child's ID (a check-passing typo) joins the child too."""
    priority = agency_priority()
    order = lambda r: (r.list_date, priority[r.source], r.source, r.file_name, r.row_number)  # noqa: E731
    # Children with a row carrying their own valid ID (a set of children, not of IDs: only
    # membership is asked, and a million one-element sets cost a few hundred MB).
    has_valid_id: set[str] = set()
    weak_rows: dict[str, list[ListRowFact]] = defaultdict(list)
    for row in used:
        if _is_valid(row.child_id) and row.id_delivery != "typo_valid":
            if row.child_id == row.true_child_id:
                has_valid_id.add(row.true_child_id)
        else:
            weak_rows[row.true_child_id].append(row)
    identity = {}
    for row in used:
        if _is_valid(row.child_id) and row.id_delivery != "typo_valid":
            identity[(row.source, row.file_name, row.row_number)] = row.child_id
    for child, rows in weak_rows.items():
        if child in has_valid_id:
            group = child
        else:
            failing = sorted(r.child_id for r in rows if r.child_id is not None and not _is_valid(r.child_id))
            mistyped_valid = sorted(r.child_id for r in rows if r.id_delivery == "typo_valid")
            failing = failing or mistyped_valid
            group = failing[0] if failing else f"row:{_row_key(min(rows, key=order))}"
        for row in rows:
            identity[(row.source, row.file_name, row.row_number)] = group
    return identity


def _cohort(used: list[ListRowFact], identity: dict[tuple[str, str, int], str]) -> tuple[dict[str, CohortChild], dict[str, list[DetailsPeriod]]]:
    priority = agency_priority()
    by_child: dict[str, list[ListRowFact]] = defaultdict(list)
    for row in used:
        by_child[identity[(row.source, row.file_name, row.row_number)]].append(row)
    children, details = {}, {}
    for child_id, child_rows in by_child.items():
        # Same date: agency priority, then the lower row number.
        child_rows.sort(key=lambda r: (r.list_date, priority[r.source], r.row_number))
        first = child_rows[0]
        children[child_id] = CohortChild(first.list_date, first.source)
        periods: list[DetailsPeriod] = []
        for list_date, on_date in groupby(child_rows, key=lambda r: r.list_date):
            row = next(on_date)
            period = DetailsPeriod(list_date, row.education_stage, row.province_code, row.district_code, row.province_spelling)
            if not periods or (period.education_stage, period.province_code, period.district_code, period.province_spelling) != (
                periods[-1].education_stage,
                periods[-1].province_code,
                periods[-1].district_code,
                periods[-1].province_spelling,
            ):
                periods.append(period)
        details[child_id] = periods
    return children, details


def _status_intervals(first_listed_on: date, events: list[Event]) -> list[tuple[date, int]]:
    """Status from the first list date; changes only on days with events (Thailand dates)."""
    intervals = [(first_listed_on, TRACKING)]
    dead = False
    latest = TRACKING
    ordered = sorted(events, key=lambda e: (e.recorded_at, e.event_id))
    for day, on_day in groupby(ordered, key=lambda e: e.recorded_on):
        for event in on_day:
            dead = dead or event.status == DECEASED
            latest = event.status
        status = DECEASED if dead else latest
        if day == first_listed_on:
            intervals[0] = (day, status)
        elif status != intervals[-1][1]:
            intervals.append((day, status))
    return intervals


def compute_truth(
    files: Sequence[FileFact],
    rows: Iterable[ListRowFact],
    events: Sequence[Event],  # in event-ID order (line numbers are counted from it)
    export_files: Sequence[str],
    report_dates: Sequence[date],
    quirks: Sequence[QuirkFact],
) -> Truth:
    _check_duplicate_files(files)
    loaded = {(f.source, f.file_name) for f in files if f.expected_status == LOADED}
    quarantine: list[tuple[str, str, int, str]] = []
    used_rows = _used_rows(rows, loaded, quarantine)
    identity = resolve_identities(used_rows)
    children, details = _cohort(used_rows, identity)
    # the child a delivered ID names (events give IDs)
    identity_of_id = {row.child_id: identity[(row.source, row.file_name, row.row_number)]
                      for row in used_rows if row.child_id is not None and id_type(row.child_id) is not None}

    events_by_child: dict[str, list[Event]] = defaultdict(list)
    used_event_ids = []
    used_events: list[tuple] = []
    for event, lines in with_lines(events, len(export_files)):
        copies = [(export_files[i], line) for i, line in zip(event.exports, lines) if ("tracking", export_files[i]) in loaded]
        if not copies:
            continue
        child_key = identity_of_id.get(event.child_id)
        child = children.get(child_key) if child_key else None
        reason = None
        if child is None:
            reason = "event_unknown_child"
        elif event.recorded_on < child.first_listed_on:
            reason = "event_before_listing"
        if reason:
            quarantine.extend(("tracking", name, line, reason) for name, line in copies)
            continue
        events_by_child[child_key].append(event)
        used_event_ids.append(event.event_id)
        # recorded_at kept as the event's datetime (shared, not a new string): written as ISO text
        used_events.append((event.event_id, child_key, event.recorded_at, event.status, event.tracker_org,
                            event.placement or "", event.reason_code or "", "|".join(event.assistance)))

    status = {cid: _status_intervals(c.first_listed_on, events_by_child.get(cid, [])) for cid, c in children.items()}
    loaded_quirks = [q for q in quirks if (q.source, q.file_name) in loaded]
    list_rows = [(r.source, r.file_name, r.row_number, r.true_child_id, r.id_delivery,
                  identity[(r.source, r.file_name, r.row_number)]) for r in used_rows]
    return Truth(children, details, status, sorted(report_dates), list(files), sorted(quarantine), loaded_quirks,
                 used_event_ids, list_rows=list_rows, events=sorted(used_events))  # ID order


# --- writing ------------------------------------------------------------------------


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


@dataclass
class _DateTables:
    """status_counts, cohort_by_agency and transitions rows, in file order."""

    summary: list[tuple] = field(default_factory=list)
    cohort: list[tuple] = field(default_factory=list)
    transitions: list[tuple] = field(default_factory=list)


def _date_tables(truth: Truth) -> _DateTables:
    """The per-date tables in one pass over the report dates, holding at most two dates'
    children at a time (not every date's: that is most of the memory at a million children)."""
    tables = _DateTables()
    moves: Counter[tuple] = Counter()
    previous_day, previous = None, {}
    priority = agency_priority()
    for day in truth.report_dates:
        today = truth.on(day, keep=False)
        counts = Counter((c.status_code, c.education_stage, c.source_agency) for c in today)
        tables.summary += [(day.isoformat(), status, stage, agency, n) for (status, stage, agency), n in sorted(counts.items())]
        by_agency = Counter(c.source_agency for c in today)
        tables.cohort += [(day.isoformat(), agency, by_agency[agency]) for agency in sorted(by_agency, key=lambda a: priority[a])]
        if previous_day is not None:
            for child in today:
                moves[(previous_day, day, previous.get(child.child_id), child.status_code, child.education_stage, child.source_agency)] += 1
        previous_day, previous = day, {c.child_id: c.status_code for c in today}
        del today
    for key in sorted(moves, key=lambda k: (k[0], k[1], k[2] or 0, k[3], k[4], k[5])):
        before, after, from_status, to_status, stage, agency = key
        tables.transitions.append((before.isoformat(), after.isoformat(), from_status, to_status, stage, agency, moves[key]))
    return tables


def write_truth(truth: Truth, truth_dir: Path) -> None:
    truth_dir.mkdir(parents=True, exist_ok=True)
    ids = sorted(truth.children)
    _write_csv(
        truth_dir / "children.csv",
        ("child_id", "id_type", "has_valid_check_digit", "first_listed_on", "source_agency"),
        (
            (cid, "none" if cid.startswith("row:") else id_type(cid), _bool(check_digit_flag(cid)),
             truth.children[cid].first_listed_on.isoformat(), truth.children[cid].source_agency)
            for cid in ids
        ),
    )
    _write_csv(
        truth_dir / "child_details.csv",
        ("child_id", "valid_from", "education_stage", "province_code", "district_code", "province_spelling"),
        (
            (cid, p.valid_from.isoformat(), p.education_stage, p.province_code, p.district_code, p.province_spelling)
            for cid in ids
            for p in truth.details[cid]
        ),
    )
    _write_csv(
        truth_dir / "child_status.csv",
        ("child_id", "valid_from", "status_code"),
        ((cid, day.isoformat(), status) for cid in ids for day, status in truth.status[cid]),
    )
    _write_csv(truth_dir / "truth_dates.csv", ("report_date",), ((d.isoformat(),) for d in truth.report_dates))
    tables = _date_tables(truth)
    _write_csv(
        truth_dir / "status_counts.csv",
        ("report_date", "status_code", "education_stage", "source_agency", "children"),
        tables.summary,
    )
    _write_csv(truth_dir / "cohort_by_agency.csv", ("report_date", "source_agency", "children"), tables.cohort)
    _write_csv(
        truth_dir / "transitions.csv",
        ("from_report_date", "to_report_date", "from_status_code", "to_status_code", "education_stage", "source_agency", "children"),
        tables.transitions,
    )
    _write_csv(
        truth_dir / "files.csv",
        ("source", "file_name", "expected_status", "reason_code", "data_rows"),
        (
            (f.source, f.file_name, f.expected_status, f.reason_code, f.data_rows)
            for f in sorted(truth.files, key=lambda f: (f.source, f.file_name))
        ),
    )
    _write_csv(truth_dir / "quarantine.csv", ("source", "file_name", "row_number", "reason_code"), truth.quarantine)
    _write_csv(
        truth_dir / "events.csv",
        ("event_id", "child_id", "recorded_at", "status_code", "tracker_org", "placement", "reason_code", "assistance"),
        ((event_id, child, at.isoformat(), *rest) for event_id, child, at, *rest in truth.events),
    )
    _write_csv(
        truth_dir / "list_rows.csv",
        ("source", "file_name", "row_number", "true_child_id", "id_delivery", "identity"),
        sorted(truth.list_rows),
    )
    _write_csv(
        truth_dir / "quirks.csv",
        ("source", "file_name", "row_number", "field", "quirk", "expected_handling"),
        (
            (q.source, q.file_name, q.row_number, q.field, q.quirk, q.expected_handling)
            for q in sorted(truth.quirks, key=lambda q: (q.source, q.file_name, q.row_number, q.field, q.quirk))
        ),
    )
    (truth_dir / "README.md").write_text(TRUTH_README, encoding="utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- reading (for tests) ------------------------------------------------------------


def _read(truth_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(Path(truth_dir) / name, dtype=str, keep_default_na=False)


def _as_dates(report_dates: Iterable[date | str]) -> list[date]:
    return sorted({d if isinstance(d, date) else date.fromisoformat(str(d)) for d in report_dates})


def _latest_on(frame: pd.DataFrame, day: str) -> pd.DataFrame:
    """Each child's row in effect on ``day`` (rows sorted by child_id, valid_from)."""
    return frame[frame["valid_from"] <= day].groupby("child_id", sort=False).tail(1)


def expected_child_status(truth_dir: Path, report_dates: Iterable[date | str]) -> pd.DataFrame:
    """One row per cohort child per report date, from the truth's interval files.

    ``province_code``/``district_code`` are the true codes; ``province_spelling`` says
    whether the warehouse must find them (exact), may find them (misspelt: fuzzy matching
    recovers them or leaves null) or cannot (unspecified: null).
    """
    children = _read(truth_dir, "children.csv")
    details = _read(truth_dir, "child_details.csv").sort_values(["child_id", "valid_from"], kind="stable")
    status = _read(truth_dir, "child_status.csv").sort_values(["child_id", "valid_from"], kind="stable")
    frames = []
    for day in _as_dates(report_dates):
        key = day.isoformat()
        cohort = children[children["first_listed_on"] <= key][["child_id", "source_agency"]]
        merged = cohort.merge(_latest_on(status, key)[["child_id", "status_code"]], on="child_id", how="left")
        merged = merged.merge(
            _latest_on(details, key)[["child_id", "education_stage", "province_code", "province_spelling", "district_code"]],
            on="child_id",
            how="left",
        )
        merged.insert(1, "report_date", day)
        frames.append(merged)
    columns = ["child_id", "report_date", "status_code", "education_stage", "source_agency", "province_code", "province_spelling", "district_code"]
    if not frames:
        return pd.DataFrame(columns=columns)
    result = pd.concat(frames, ignore_index=True)[columns]
    result["status_code"] = result["status_code"].astype(int)
    for column in ("province_code", "district_code"):
        result[column] = result[column].where(result[column] != "", None)
    return result.sort_values(["report_date", "child_id"], kind="stable").reset_index(drop=True)


def expected_status_summary(truth_dir: Path, report_dates: Iterable[date | str]) -> pd.DataFrame:
    """Children by report date, status, stage and agency (non-zero cells only)."""
    detail = expected_child_status(truth_dir, report_dates)
    keys = ["report_date", "status_code", "education_stage", "source_agency"]
    summary = detail.groupby(keys, sort=True).size().reset_index(name="children")
    return summary.sort_values(keys, kind="stable").reset_index(drop=True)


def expected_transitions(truth_dir: Path, report_dates: Iterable[date | str]) -> pd.DataFrame:
    """Moves between consecutive report dates; ``from_status_code`` is null for newcomers."""
    dates = _as_dates(report_dates)
    detail = expected_child_status(truth_dir, dates)
    frames = []
    for before, after in zip(dates, dates[1:]):
        old = detail[detail["report_date"] == before][["child_id", "status_code"]].rename(columns={"status_code": "from_status_code"})
        new = detail[detail["report_date"] == after]
        pairs = new.merge(old, on="child_id", how="left")
        pairs["from_report_date"], pairs["to_report_date"] = before, after
        frames.append(pairs)
    keys = ["from_report_date", "to_report_date", "from_status_code", "status_code", "education_stage", "source_agency"]
    if not frames:
        return pd.DataFrame(columns=[*keys[:3], "to_status_code", *keys[4:], "children"])
    moves = pd.concat(frames, ignore_index=True)
    moves["from_status_code"] = moves["from_status_code"].astype("Int64")
    result = moves.groupby(keys, dropna=False, sort=True).size().reset_index(name="children")
    return result.rename(columns={"status_code": "to_status_code"})


TRUTH_README = """\
# `_truth/`: what the generator knows to be true

Written by `orchestration.generator` next to the landing folders. Everything here is
computed by `orchestration/generator/truth.py`, an independent Python reading of
`docs/business-rules.md`, from what a correct warehouse can load: rows of rejected
or duplicate files are not in it. CSV, UTF-8, header row, ISO dates, empty cell = null,
booleans `true`/`false`.

## `children.csv`: one row per cohort child
`child_id` (normalised: 13 digits or `G` + 12 digits), `id_type` (`citizen` | `gcode`),
`has_valid_check_digit` (`true`/`false`; empty for G-codes; a wrong check digit is flagged
and the child still counts), `first_listed_on` (earliest list date of a used row),
`source_agency` (agency of the first list; same date: agency priority).

## `child_details.csv`: details periods
`child_id, valid_from, education_stage, province_code, district_code, province_spelling`.
A row per change of details, from the list row in effect on `valid_from` (latest list date;
same date: agency priority, then lower row number). Details hold until the next row.
`province_code`/`district_code` are the true codes. `province_spelling` says how the
province was delivered: `exact` (official name, alias or prefix: the warehouse must find the
true codes), `misspelt` (a dropped or swapped character: the warehouse either recovers the
true codes by fuzzy matching or reports null, never another province), or `unspecified`
(`ไม่ระบุ`, `-`: null province and district).
`district_code` is empty for OVEC rows (OVEC gives no district).

## `child_status.csv`: status periods
`child_id, valid_from, status_code`: status (1-5) from `valid_from` (a Thailand date) until
the next row. The first row is on `first_listed_on` (4 when no event by the end of that day).
Status 5 is final: events recorded after a death do not change it.

## `truth_dates.csv`
`report_date`: dates with precomputed counts: each month end between the start and end
dates, the end date, and for scenario `seed003` 2022-05-31 and 2022-07-27.

## `status_counts.csv`
`report_date, status_code, education_stage, source_agency, children`: non-zero cells only;
the sum per date is the cohort on that date.

## `cohort_by_agency.csv`
`report_date, source_agency, children`.

## `transitions.csv`
`from_report_date, to_report_date, from_status_code, to_status_code, education_stage,
source_agency, children` between consecutive truth dates, every child counted on the later
date (staying put included); `from_status_code` empty for children new to the cohort in
between; stage is the stage on the later date.

## `files.csv`: every file written under the landing folders
`source, file_name, expected_status` (`loaded` | `rejected` | `duplicate_file`),
`reason_code` (the file rule for rejected files, `duplicate_file` for duplicates),
`data_rows` (rows in the file as the warehouse counts them: no title, header or blank rows;
a truncated last line counts as a row).

## `quarantine.csv`
`source, file_name, row_number, reason_code`: every row of a loaded file the warehouse must
quarantine. Row numbers as a person sees them: CSV line (header = line 1), Excel row
(EEF data from row 4, MSDHS from row 2), JSONL line. Junk tracking events appear in exactly
one export each, so their quarantine row is unambiguous.

## `events.csv`
`event_id, child_id, recorded_at, status_code, tracker_org, placement, reason_code,
assistance`: every event the warehouse uses (once, whatever the number of exports
carrying it), with the child (identity) it is about; `recorded_at` in Thailand time;
`assistance` codes joined by `|`.

## `list_rows.csv`
`source, file_name, row_number, true_child_id, id_delivery, identity`: every used list row
with the child it really names, how its ID was delivered (`correct`, `missing`, `typo` —
one digit mistyped, failing the check digit —, `typo_valid` — mistyped but passing it, so
it cannot be told from a real ID), and the identity the rules give it when applied
perfectly (a valid ID; for a row without one, its child's valid ID if the child has a row
carrying it, else its child's smallest failing ID, else `row:<source>/<file>:<row>` of
the child's first row). Record linkage is measured against `true_child_id`.

## `quirks.csv`
`source, file_name, row_number, field, quirk, expected_handling`: repairable quirks in used
rows of loaded files (the row must still count correctly). `field` is the raw column name
(`orchestration.raw.contract`); header-level quirks use the header row number.
Quirks: `id_dashes`, `id_spaces`, `id_whitespace`, `id_apostrophe`, `id_excel_number`
(normalised); `bad_check_digit` (flagged); `thai_digits` (parsed); `era_ce_in_be_field`,
`era_be_in_ce_field` (era_repaired); `province_alias`, `province_prefix`, `district_prefix`,
`subdistrict_prefix` (matched); `province_misspelt` (unmatched_kept); `name_spacing`
(normalised); `html_fragment` (kept_as_text); `header_whitespace` (trimmed);
`extra_column` (ignored).
"""

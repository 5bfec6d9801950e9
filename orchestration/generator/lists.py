"""Child-list files: rows drafted, quirked, duplicated and padded with junk, then written.

Also the file-level quirks built from a list: a duplicate delivery, a wrong-encoding
first attempt, a misnamed working copy, and empty files.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from pathlib import Path

from .details import Details
from .landing import Landing
from .identity_noise import garble_ids
from .rules import agency_priority
from .quirks import JUNK_REASONS, apply_row_quirks, junk_row, repeated_row, retyped_duplicate
from .progress import Progress, Step
from .rows import Cell, RowDraft, draft_for
from .scenarios import FileQuirkPlan, Plan
from .truth import DUPLICATE_FILE, REJECTED, ListRowFact, QuirkFact, sha256
from .world import Child
from .writers import CSV_FORMATS, file_name, first_data_row, header, header_row, raw_columns, write_list_file

EXTRA_COLUMN = "หมายเหตุ"
EXTRA_COLUMN_VALUES = ("ตรวจสอบแล้ว", "ย้ายแล้ว", "รอยืนยัน", "โทรแล้ว")
SAME_CHILD_TWICE_SHARE = 0.003
REPEATED_ROW_SHARE = 0.002
CHILDREN_PER_EXTRA_JUNK_ROW = 5000  # a list gets one more junk row of each kind per this many children


@dataclass
class ListFile:
    source: str
    list_date: date
    name: str
    drafts: list[RowDraft]
    header_cells: list[str]
    extra_column: bool = False
    header_quirks: list[tuple[str, str, str]] = field(default_factory=list)
    intended_duplicates: list[RowDraft] = field(default_factory=list)

    def cell_rows(self) -> Iterator[list[Cell]]:
        """The rows as written, one at a time (a file's rows are never all built at once)."""
        columns = raw_columns(self.source) + (["_extra"] if self.extra_column else [])
        return ([draft.cells.get(c) for c in columns] for draft in self.drafts)

    def write(self, path: Path, *, encoding: str | None = None) -> str:
        """Write the file to ``path`` (streamed); returns the SHA-256 of its bytes."""
        return write_list_file(path, self.source, self.header_cells, self.cell_rows(), self.list_date, encoding=encoding)


def build_list_file(
    rng: random.Random, plan: Plan, source: str, list_index: int, list_date: date, entries: list[tuple[Child, Details]],
    later_listings: set[tuple[str, str, date]] = frozenset(), step: Step | None = None,
) -> ListFile:
    """One agency list: its children's rows in a shuffled order, with every row-level quirk."""
    drafts = [draft_for(source, child, details, list_date, rng) for child, details in (step.track(entries) if step else entries)]
    origin = {id(d): entry for d, entry in zip(drafts, entries)}
    rng.shuffle(drafts)
    garble_ids(rng, drafts, plan.identity_noise, later_listings, source)
    apply_row_quirks(rng, source, drafts)
    listing = ListFile(source, list_date, file_name(source, list_date), drafts, header(source))
    _add_retyped_duplicates(rng, listing, origin)
    # The first list of a source gets every kind of junk row; later lists a couple.
    reasons = JUNK_REASONS[source] if list_index == 0 else tuple(rng.sample(JUNK_REASONS[source], 2))
    for reason in reasons:
        for _ in range(1 + len(entries) // CHILDREN_PER_EXTRA_JUNK_ROW):
            drafts.insert(rng.randrange(len(drafts) + 1), junk_row(rng, source, reason, list_date, plan.identities))
    if source == "eef":
        for number, draft in enumerate(drafts, start=1):
            draft.cells["sequence_no"] = number
    _add_repeated_rows(rng, listing)  # after numbering: a pasted row repeats its ลำดับ too
    if (source, list_index) in plan.file_quirks.extra_column:
        _add_extra_column(rng, listing)
    if (source, list_index) in plan.file_quirks.header_whitespace:
        _pad_header(rng, listing)
    return listing


def _add_retyped_duplicates(rng: random.Random, listing: ListFile, origin: dict[int, tuple[Child, Details]]) -> None:
    drafts = listing.drafts
    for first in rng.sample(drafts, min(len(drafts), max(1, round(SAME_CHILD_TWICE_SHARE * len(drafts))))):
        child, details = origin[id(first)]
        again = retyped_duplicate(rng, listing.source, child, details, first)
        listing.intended_duplicates.append(again)
        drafts.insert(rng.randrange(drafts.index(first) + 1, len(drafts) + 1), again)


def _add_repeated_rows(rng: random.Random, listing: ListFile) -> None:
    drafts = listing.drafts
    retyped = {id(d) for d in listing.intended_duplicates}
    originals = [d for d in drafts if d.rule_broken is None and id(d) not in retyped]
    for row in rng.sample(originals, min(len(originals), max(1, round(REPEATED_ROW_SHARE * len(drafts))))):
        copy = repeated_row(row)
        listing.intended_duplicates.append(copy)
        drafts.insert(drafts.index(row) + 1, copy)


def _add_extra_column(rng: random.Random, listing: ListFile) -> None:
    listing.extra_column = True
    listing.header_cells = [*listing.header_cells, EXTRA_COLUMN]
    for draft in listing.drafts:
        draft.cells["_extra"] = rng.choice(EXTRA_COLUMN_VALUES) if rng.random() < 0.1 else ""
    listing.header_quirks.append((EXTRA_COLUMN, "extra_column", "ignored"))


def _pad_header(rng: random.Random, listing: ListFile) -> None:
    columns = raw_columns(listing.source)
    for i in sorted(rng.sample(range(len(columns)), 2)):
        listing.header_cells[i] = rng.choice((" {} ", "{} ", " {}")).format(listing.header_cells[i])
        listing.header_quirks.append((columns[i], "header_whitespace", "trimmed"))


@dataclass
class ListFacts:
    """What is kept of the lists once each is written: the facts the truth needs, and
    counts for checking it (a list's drafts and bytes are dropped as soon as it is on disk)."""

    rows: list[ListRowFact] = field(default_factory=list)
    quirks: list[QuirkFact] = field(default_factory=list)
    rules_broken: Counter[str] = field(default_factory=Counter)  # junk rows, by the rule each breaks
    intended_duplicates: int = 0  # rows built as duplicates within their file

    def take(self, listing: ListFile) -> None:
        first = first_data_row(listing.source)
        for offset, draft in enumerate(listing.drafts):
            number = first + offset
            self.rows.append(
                ListRowFact(
                    listing.source,
                    listing.name,
                    number,
                    listing.list_date,
                    draft.child_id,
                    draft.true_child,
                    draft.id_delivery,
                    draft.rule_broken,
                    draft.education_stage,
                    draft.province_code,
                    draft.district_code,
                    draft.province_spelling,
                )
            )
            self.quirks += [QuirkFact(listing.source, listing.name, number, f, q, h) for f, q, h in draft.quirks]
            if draft.rule_broken:
                self.rules_broken[draft.rule_broken] += 1
        row = header_row(listing.source)
        self.quirks += [QuirkFact(listing.source, listing.name, row, f, q, h) for f, q, h in listing.header_quirks]
        self.intended_duplicates += len(listing.intended_duplicates)


def write_lists(rng: random.Random, plan: Plan, landing: Landing, start: date, progress: Progress = Progress()) -> ListFacts:
    """Build, write and take the facts of each list in turn, with the file quirks made from it.

    Only one list's rows are in memory at a time. The file quirks are written while their
    list is at hand, but recorded after every list, in the plan's order, as the truth's
    duplicate-file checks expect (``Landing.record``).
    """
    children = plan.world.children
    by_file: dict[tuple[str, date], list] = {}
    for listing in plan.world.listings:
        by_file.setdefault((listing.agency, listing.list_date), []).append((children[listing.child], listing.details))
    later_listings = _later_listings(plan)
    facts = ListFacts()
    copies: dict[tuple[int, int], tuple] = {}  # (kind, position in the plan) → what to record
    for source, dates in plan.schedule.items():
        for list_index, day in enumerate(dates):
            entries = by_file.pop((source, day), [])
            with progress.step(f"list {source} {day}", len(entries), "children") as step:
                listing = build_list_file(rng, plan, source, list_index, day, entries, later_listings, step)
                del entries
                path = landing.path(source, listing.name)
                digest = listing.write(path)
                landing.record(source, listing.name, len(listing.drafts), digest)
                facts.take(listing)
                copies.update(_write_copies(plan.file_quirks, landing, listing, list_index, path, digest))
    for key in sorted(copies):
        landing.record(*copies[key])
    _write_empty_files(plan.file_quirks, landing, start)
    return facts


def _later_listings(plan: Plan) -> set[tuple[str, str, date]]:
    """(child ID, agency, list date) of every listing but each child's first."""
    first: dict[int, tuple[date, int]] = {}
    priority = agency_priority()
    for listing in plan.world.listings:
        key = (listing.list_date, priority.get(listing.agency, 99))
        if listing.child not in first or key < first[listing.child]:
            first[listing.child] = key
    children = plan.world.children
    return {
        (children[l.child].child_id, l.agency, l.list_date)
        for l in plan.world.listings
        if (l.list_date, priority.get(l.agency, 99)) != first[l.child]
    }


def _write_copies(
    quirks: FileQuirkPlan, landing: Landing, listing: ListFile, list_index: int, written_to: Path, digest: str
) -> dict[tuple[int, int], tuple]:
    """Write the file quirks made from this list (the ``list_index``-th of its source, at
    ``written_to`` with SHA-256 ``digest``):
    a duplicate delivery, a wrong-encoding first attempt, a misnamed working copy.

    Returns, keyed by (kind, position in the plan), the ``Landing.record`` arguments of each.
    """
    source = listing.source
    written: dict[tuple[int, int], tuple] = {}
    for position, (quirk_source, index, days) in enumerate(quirks.duplicate_copies):
        if (quirk_source, index) == (source, list_index):
            name = file_name(source, listing.list_date + timedelta(days=days))
            # The same bytes again: copied from disk, not rebuilt.
            shutil.copyfile(written_to, landing.path(source, name))
            written[(0, position)] = (source, name, len(listing.drafts), digest, DUPLICATE_FILE, DUPLICATE_FILE)
    for position, (quirk_source, index, days) in enumerate(quirks.wrong_encoding):
        if (quirk_source, index) == (source, list_index):
            wrong = "utf-8" if CSV_FORMATS[source].encoding == "cp874" else "cp874"
            name = file_name(source, listing.list_date - timedelta(days=days))
            wrong_digest = listing.write(landing.path(source, name), encoding=wrong)
            written[(1, position)] = (source, name, len(listing.drafts), wrong_digest, REJECTED, "wrong_encoding")
    for position, (quirk_source, index, name) in enumerate(quirks.misnamed):
        if (quirk_source, index) == (source, list_index):
            # Someone's working copy: half the rows, with a notes column, saved under a free name.
            half = max(1, len(listing.drafts) // 2)
            rows = ([*row[: len(raw_columns(source))], "แก้ไข"] for row in islice(listing.cell_rows(), half))
            copy_digest = write_list_file(landing.path(source, name), source, [*header(source), EXTRA_COLUMN], rows, listing.list_date)
            written[(2, position)] = (source, name, min(half, len(listing.drafts)), copy_digest, REJECTED, "unknown_file_name")
    return written


def _write_empty_files(quirks: FileQuirkPlan, landing: Landing, start: date) -> None:
    for source, days, zero_bytes in quirks.empty_files:
        day = start + timedelta(days=days)
        path = landing.path(source, file_name(source, day))
        if zero_bytes:
            path.write_bytes(b"")
            digest = sha256(b"")
        else:
            digest = write_list_file(path, source, header(source), [], day)
        landing.record(source, path.name, 0, digest, REJECTED, "no_rows")

"""Child-list files: rows drafted, quirked, duplicated and padded with junk, then written.

Also the file-level quirks built from a list: a duplicate delivery, a wrong-encoding
first attempt, a misnamed working copy, and empty files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .details import Details
from .landing import Landing
from .identity_noise import garble_ids
from .rules import agency_priority
from .quirks import JUNK_REASONS, apply_row_quirks, junk_row, repeated_row, retyped_duplicate
from .rows import Cell, RowDraft, draft_for
from .scenarios import Plan
from .truth import DUPLICATE_FILE, REJECTED, ListRowFact, QuirkFact
from .world import Child
from .writers import CSV_FORMATS, file_name, first_data_row, header, header_row, list_file_bytes, raw_columns

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
    written: bytes = b""  # the bytes delivered, once written

    def cell_rows(self) -> list[list[Cell]]:
        columns = raw_columns(self.source) + (["_extra"] if self.extra_column else [])
        return [[draft.cells.get(c) for c in columns] for draft in self.drafts]

    def data(self, *, encoding: str | None = None) -> bytes:
        return list_file_bytes(self.source, self.header_cells, self.cell_rows(), self.list_date, encoding=encoding)


def build_list_file(
    rng: random.Random, plan: Plan, source: str, list_index: int, list_date: date, entries: list[tuple[Child, Details]],
    later_listings: set[tuple[str, str, date]] = frozenset(),
) -> ListFile:
    """One agency list: its children's rows in a shuffled order, with every row-level quirk."""
    drafts = [draft_for(source, child, details, list_date, rng) for child, details in entries]
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


def _row_facts(listing: ListFile) -> tuple[list[ListRowFact], list[QuirkFact]]:
    rows, quirks = [], []
    first = first_data_row(listing.source)
    for offset, draft in enumerate(listing.drafts):
        number = first + offset
        rows.append(
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
        quirks += [QuirkFact(listing.source, listing.name, number, f, q, h) for f, q, h in draft.quirks]
    quirks += [QuirkFact(listing.source, listing.name, header_row(listing.source), f, q, h) for f, q, h in listing.header_quirks]
    return rows, quirks


def write_lists(rng: random.Random, plan: Plan, landing: Landing, start: date) -> tuple[list[ListFile], list[ListRowFact], list[QuirkFact]]:
    children = plan.world.children
    by_file: dict[tuple[str, date], list] = {}
    for listing in plan.world.listings:
        by_file.setdefault((listing.agency, listing.list_date), []).append((children[listing.child], listing.details))
    later_listings = _later_listings(plan)
    files: list[ListFile] = []
    row_facts: list[ListRowFact] = []
    quirk_facts: list[QuirkFact] = []
    for source, dates in plan.schedule.items():
        for list_index, day in enumerate(dates):
            entries = by_file.get((source, day), [])
            listing = build_list_file(rng, plan, source, list_index, day, entries, later_listings)
            listing.written = listing.data()
            landing.write(source, listing.name, listing.written, len(listing.drafts))
            rows, quirks = _row_facts(listing)
            row_facts += rows
            quirk_facts += quirks
            files.append(listing)
    _write_file_quirks(plan, landing, files, start)
    return files, row_facts, quirk_facts


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


def _write_file_quirks(plan: Plan, landing: Landing, files: list[ListFile], start: date) -> None:
    quirks = plan.file_quirks

    def nth(source: str, index: int) -> ListFile | None:
        mine = [f for f in files if f.source == source]
        return mine[index] if index < len(mine) else None

    for source, index, days in quirks.duplicate_copies:
        original = nth(source, index)
        if original:
            name = file_name(source, original.list_date + timedelta(days=days))
            landing.write(source, name, original.written, len(original.drafts), DUPLICATE_FILE, DUPLICATE_FILE)
    for source, index, days in quirks.wrong_encoding:
        corrected = nth(source, index)
        if corrected:
            wrong = "utf-8" if CSV_FORMATS[source].encoding == "cp874" else "cp874"
            name = file_name(source, corrected.list_date - timedelta(days=days))
            landing.write(source, name, corrected.data(encoding=wrong), len(corrected.drafts), REJECTED, "wrong_encoding")
    for source, index, name in quirks.misnamed:
        original = nth(source, index)
        if original:
            # Someone's working copy: half the rows, with a notes column, saved under a free name.
            half = original.cell_rows()[: max(1, len(original.drafts) // 2)]
            rows = [[*row[: len(raw_columns(source))], "แก้ไข"] for row in half]
            data = list_file_bytes(source, [*header(source), EXTRA_COLUMN], rows, original.list_date)
            landing.write(source, name, data, len(rows), REJECTED, "unknown_file_name")
    for source, days, zero_bytes in quirks.empty_files:
        day = start + timedelta(days=days)
        data = b"" if zero_bytes else list_file_bytes(source, header(source), [], day)
        landing.write(source, file_name(source, day), data, 0, REJECTED, "no_rows")

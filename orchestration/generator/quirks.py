"""What real deliveries get wrong, applied to row drafts (extract contract, last section).

Repairable quirks change how a cell is written but not what a correct warehouse
concludes (each is noted on the row for ``quirks.csv``). Junk rows and duplicates are
extra rows a correct warehouse quarantines. File-level quirks live in ``pipeline``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from . import ids, thai_dates
from .details import Details, details_for, draw_age
from .names import misspell_name, other_prefix_spelling
from .places import (
    district_prefixes,
    misspell_province,
    pick_place,
    province_aliases,
    subdistrict_prefixes,
)
from .rows import RowDraft, draft_for, format_birth_date
from .rules import check_digit_flag
from .vocab import HTML_FRAGMENTS
from .world import Child, IdentityFactory, make_child

PLACE_FIELDS = {
    "obec_dmc": ("province", "district", "subdistrict"),
    "eef": ("province", "district", "subdistrict"),
    "ops": ("province", "district"),
    "msdhs": ("province", "district"),
    "ovec": (),
}
FREE_TEXT_FIELDS = {
    "obec_dmc": ("school_name", "reason"),
    "eef": ("reason",),
    "ops": ("school_name", "reason"),
    "ovec": ("college_name",),
    "msdhs": (),
}

# --- repairable row quirks -------------------------------------------------------------


def _id_quirk(style: str) -> Callable[[random.Random, str, RowDraft], bool]:
    def apply(rng: random.Random, source: str, draft: RowDraft) -> bool:
        cell = draft.cells["citizen_id"]
        if draft.child_id is None or cell != draft.child_id:  # already re-spelt
            return False
        if style == ids.EXCEL_NUMBER:
            if draft.child_id.startswith("G"):
                return False
        elif style not in ids.styles_for(draft.child_id):
            return False
        draft.cells["citizen_id"] = ids.spell(draft.child_id, style)
        draft.note("citizen_id", style, "normalised")
        return True

    return apply


def _thai_digits(rng: random.Random, source: str, draft: RowDraft) -> bool:
    cell = draft.cells.get("birth_date")
    if not isinstance(cell, str) or not cell or source == "ovec":
        return False
    draft.cells["birth_date"] = thai_dates.thai_digits(cell)
    draft.note("birth_date", "thai_digits", "parsed")
    return True


def _era_mixup(rng: random.Random, source: str, draft: RowDraft) -> bool:
    """A C.E. year in a B.E. field (2009 for 2552), or a B.E. year in OVEC's C.E. field."""
    cell = draft.cells.get("birth_date")
    if not isinstance(cell, str) or not cell or draft.birth_date is None:
        return False
    birth = draft.birth_date
    if source == "ovec":
        draft.cells["birth_date"] = format_birth_date(source, birth, year=thai_dates.be_year(birth))
        draft.note("birth_date", "era_be_in_ce_field", "era_repaired")
    else:
        draft.cells["birth_date"] = format_birth_date(source, birth, year=birth.year)
        draft.note("birth_date", "era_ce_in_be_field", "era_repaired")
    return True


def _province_alias(rng: random.Random, source: str, draft: RowDraft) -> bool:
    aliases = province_aliases().get(draft.province_code or "", ())
    if not aliases or draft.cells.get("province") != draft.place.province:
        return False
    draft.cells["province"] = rng.choice(aliases)
    draft.note("province", "province_alias", "matched")
    return True


def _province_prefix(rng: random.Random, source: str, draft: RowDraft) -> bool:
    if draft.cells.get("province") != draft.place.province:
        return False
    draft.cells["province"] = rng.choice(("จ.", "จังหวัด", "จ. ")) + draft.place.province
    draft.note("province", "province_prefix", "matched")
    return True


def _province_misspelt(rng: random.Random, source: str, draft: RowDraft) -> bool:
    if draft.cells.get("province") != draft.place.province:
        return False
    draft.cells["province"] = misspell_province(draft.place.province, rng)
    draft.province_spelling = "misspelt"
    draft.note("province", "province_misspelt", "fuzzy_matched_or_kept_unmatched")
    return True


def _province_unspecified(rng: random.Random, source: str, draft: RowDraft) -> bool:
    """A clerk who did not know the province: no matcher may guess one."""
    if draft.cells.get("province") != draft.place.province:
        return False
    draft.cells["province"] = rng.choice(("ไม่ระบุ", "-", "ไม่ทราบ"))
    draft.province_spelling = "unspecified"
    draft.note("province", "province_unspecified", "unmatched_kept")
    return True


def _place_prefix(field_name: str) -> Callable[[random.Random, str, RowDraft], bool]:
    def apply(rng: random.Random, source: str, draft: RowDraft) -> bool:
        if field_name not in draft.cells or draft.place is None:
            return False
        prefixes = district_prefixes(draft.place) if field_name == "district" else subdistrict_prefixes(draft.place)
        draft.cells[field_name] = rng.choice(prefixes) + str(draft.cells[field_name])
        draft.note(field_name, f"{field_name}_prefix", "matched")
        return True

    return apply


def _html_fragment(rng: random.Random, source: str, draft: RowDraft) -> bool:
    fields = [f for f in FREE_TEXT_FIELDS[source] if draft.cells.get(f)]
    if not fields:
        return False
    field_name = rng.choice(fields)
    # OPS is unquoted: a double quote there would be a second quirk (and ambiguous).
    fragments = [f for f in HTML_FRAGMENTS if source != "ops" or '"' not in f]
    draft.cells[field_name] = rng.choice(fragments).format(text=draft.cells[field_name])
    draft.note(field_name, "html_fragment", "kept_as_text")
    return True


@dataclass(frozen=True)
class RowQuirk:
    name: str
    apply: Callable[[random.Random, str, RowDraft], bool]
    rates: dict[str, float]  # source → share of rows


ROW_QUIRKS: tuple[RowQuirk, ...] = (
    RowQuirk("id_excel_number", _id_quirk(ids.EXCEL_NUMBER), {"eef": 0.25, "msdhs": 0.05}),
    RowQuirk("id_dashes", _id_quirk(ids.DASHES), {"obec_dmc": 0.03, "eef": 0.03, "ops": 0.02, "ovec": 0.01, "msdhs": 0.02}),
    RowQuirk("id_spaces", _id_quirk(ids.SPACES), {"obec_dmc": 0.02, "eef": 0.02, "ops": 0.03, "ovec": 0.01, "msdhs": 0.03}),
    RowQuirk("id_whitespace", _id_quirk(ids.WHITESPACE), {s: 0.015 for s in ("obec_dmc", "eef", "ops", "ovec", "msdhs")}),
    RowQuirk("id_apostrophe", _id_quirk(ids.APOSTROPHE), {"obec_dmc": 0.01, "eef": 0.01, "ops": 0.005, "ovec": 0.005, "msdhs": 0.01}),
    RowQuirk("era_mixup", _era_mixup, {"obec_dmc": 0.01, "ops": 0.01, "ovec": 0.01, "msdhs": 0.01}),
    RowQuirk("thai_digits", _thai_digits, {"obec_dmc": 0.01, "ops": 0.3, "msdhs": 0.03}),
    RowQuirk("province_misspelt", _province_misspelt, {s: 0.005 for s in ("obec_dmc", "eef", "ops", "msdhs")}),
    RowQuirk("province_unspecified", _province_unspecified, {s: 0.002 for s in ("obec_dmc", "eef", "ops", "msdhs")}),
    RowQuirk("province_alias", _province_alias, {s: 0.02 for s in ("obec_dmc", "eef", "ops", "msdhs")}),
    RowQuirk("province_prefix", _province_prefix, {s: 0.03 for s in ("obec_dmc", "eef", "ops", "msdhs")}),
    RowQuirk("district_prefix", _place_prefix("district"), {s: 0.2 for s in ("obec_dmc", "eef", "ops", "msdhs")}),
    RowQuirk("subdistrict_prefix", _place_prefix("subdistrict"), {s: 0.2 for s in ("obec_dmc", "eef")}),
    RowQuirk("html_fragment", _html_fragment, {s: 0.005 for s in ("obec_dmc", "eef", "ops", "ovec")}),
)


def apply_row_quirks(rng: random.Random, source: str, drafts: list[RowDraft]) -> None:
    """Give each quirk to its share of the rows it can apply to (at least one row per file)."""
    for quirk in ROW_QUIRKS:
        rate = quirk.rates.get(source)
        if not rate or not drafts:
            continue
        wanted = max(1, round(rate * len(drafts)))
        order = list(range(len(drafts)))
        rng.shuffle(order)
        applied = 0
        for i in order:
            if applied >= wanted:
                break
            if quirk.apply(rng, source, drafts[i]):
                applied += 1


# --- duplicates -----------------------------------------------------------------------


def retyped_duplicate(rng: random.Random, source: str, child: Child, details: Details, first: RowDraft) -> RowDraft:
    """The same child entered again further down the list, spelt a little differently."""
    again = draft_for(source, child, details, first.list_date, rng)
    again.quirks.clear()
    if first.id_delivery != "correct":
        # the same slip again (a missing or mistyped ID): the clerk copied the row; without
        # an ID, the name is what makes it the same row, so it is not misspelt
        again.cells["citizen_id"], again.child_id, again.id_delivery = first.cells["citizen_id"], first.child_id, first.id_delivery
        return again
    styles = [s for s in ids.styles_for(child.child_id) if ids.spell(child.child_id, s) != first.cells["citizen_id"]]
    if styles and not child.id_less:
        again.cells["citizen_id"] = ids.spell(child.child_id, rng.choice(styles))
    if "first_name" in again.cells and rng.random() < 0.5 and not child.id_less:
        again.cells["first_name"] = misspell_name(child.first_name, rng)
    if "name_prefix" in again.cells:
        again.cells["name_prefix"] = other_prefix_spelling(str(again.cells["name_prefix"]))
    return again


def repeated_row(draft: RowDraft) -> RowDraft:
    """A whole row repeated verbatim (a paste gone twice)."""
    return RowDraft(cells=dict(draft.cells), child_id=draft.child_id, list_date=draft.list_date,
                    true_child=draft.true_child, id_delivery=draft.id_delivery)


# --- junk rows: not cohort children, each breaking exactly one row rule -----------------
# (missing_id and malformed_id junk also lack a name: a row without an ID that does name a
# child is no junk, it is linked — see identity_noise.py)

JUNK_REASONS = {
    "obec_dmc": ("missing_id", "malformed_id", "unparseable_date", "impossible_date", "age_out_of_range", "unknown_grade"),
    "eef": ("missing_id", "malformed_id", "age_out_of_range", "unknown_grade"),
    "ops": ("missing_id", "malformed_id", "unparseable_date", "impossible_date", "unknown_grade"),
    "ovec": ("malformed_id", "unparseable_date", "impossible_date", "age_out_of_range", "unknown_grade"),
    "msdhs": ("missing_id", "unparseable_date", "impossible_date", "age_out_of_range"),
}
UNKNOWN_GRADES = {"obec_dmc": ("ป.7", "ม.7", "อนุบาล"), "eef": ("ปริญญาตรี", "ป.7", "ชั้นพิเศษ"), "ops": ("อนุบาล", "ม.7", "ปวช")}
_IMPOSSIBLE_FEB = {"obec_dmc": "31/02/{be}", "ops": "31 ก.พ. {be}", "ovec": "{ce}-02-30", "msdhs": "30 ก.พ. {be}"}


def junk_row(rng: random.Random, source: str, reason: str, list_date: date, identities: IdentityFactory) -> RowDraft:
    age = draw_age(rng, source)
    place = pick_place(rng)
    child = make_child(rng, identities, place, age, list_date)
    if check_digit_flag(child.child_id) is False:
        child.child_id = identities.valid_citizen_id(place.district_code)  # keep it to one oddity
    details = details_for(rng, source, age, place, list_date)
    draft = draft_for(source, child, details, list_date, rng)
    draft.quirks.clear()
    draft.rule_broken = reason
    draft.education_stage = draft.province_code = draft.district_code = None
    cells = draft.cells
    if reason in ("missing_id", "malformed_id"):
        # No usable ID and no name either: nothing says which child the row is about.
        cells["citizen_id"] = rng.choice(("", "", " ")) if reason == "missing_id" else ids.malformed_id(rng)
        draft.child_id = None
        for name_cell in ("first_name", "last_name", "full_name"):
            if name_cell in cells:
                cells[name_cell] = ""
    elif reason == "unparseable_date":
        if source == "msdhs" and rng.random() < 0.5:
            cells["birth_date"] = ""  # MSDHS needs the birth date for its age rule
        else:
            year = child.birth_date.year
            cells["birth_date"] = _IMPOSSIBLE_FEB[source].format(be=year + thai_dates.BE_OFFSET, ce=year)
    elif reason == "impossible_date":
        future = list_date + timedelta(days=rng.randrange(30, 400))
        cells["birth_date"] = future if source == "msdhs" and rng.random() < 0.5 else format_birth_date(source, future)
    elif reason == "age_out_of_range":
        if source == "eef":
            cells["age_years"] = 40
        else:
            old = thai_dates.add_years(child.birth_date, -(40 - age))
            cells["birth_date"] = format_birth_date(source, old) if isinstance(cells["birth_date"], str) else old
    elif reason == "unknown_grade":
        if source == "ovec":
            cells["program"] = "ปวท."
        else:
            cells["grade"] = rng.choice(UNKNOWN_GRADES[source])
    else:
        raise ValueError(reason)
    return draft

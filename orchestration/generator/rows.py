"""One list row in each agency's shape: cells keyed by raw column name, plus its facts.

A ``RowDraft`` carries both what the file will say (``cells``) and what a correct
warehouse should conclude from it (ID, stage, place, quarantine), so quirks can change
the spelling of a cell while the expected outcome stays attached to the row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from orchestration.reference import mapping

from . import thai_dates
from .details import Details, split_vocational
from .names import full_name, prefix_for
from .places import Place
from .rules import check_digit_flag, stage_of
from .world import Child

Cell = str | int | date | None

# Which of the ``sex_codes`` seed's spellings each source uses (a format fact of the contract).
_SEX_SPELLING = {
    "obec_dmc": {"M": "ช", "F": "ญ"},
    "eef": {"M": "ชาย", "F": "หญิง"},
    "ops": {"M": "ชาย", "F": "หญิง"},
    "ovec": {"M": "M", "F": "F"},
}


@cache
def _sex_codes() -> dict[str, str]:
    return mapping("sex_codes", "sex_text", "sex")


def sex_text(source: str, sex: str) -> str:
    text = _SEX_SPELLING[source][sex]
    if _sex_codes().get(text) != sex:
        raise ValueError(f"{text!r} is not a {sex} spelling in the sex_codes seed")
    return text


@dataclass(slots=True, eq=False)  # rows are compared by identity: two rows may hold equal cells
class RowDraft:
    cells: dict[str, Cell]
    child_id: str | None  # the normalised ID the row gives; None when missing or malformed
    list_date: date
    true_child: str | None = None  # the child the row really names (its real ID); None for junk
    id_delivery: str = "correct"  # correct | missing | typo (fails its check digit) | typo_valid
    rule_broken: str | None = None  # the one row rule a junk row breaks by construction
    education_stage: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    province_spelling: str = "exact"  # exact | misspelt | unspecified
    birth_date: date | None = None
    place: Place | None = None
    quirks: list[tuple[str, str, str]] = field(default_factory=list)  # (field, quirk, handling)

    def note(self, field_name: str, quirk: str, handling: str) -> None:
        self.quirks.append((field_name, quirk, handling))


def format_birth_date(source: str, birth: date, *, year: int | None = None) -> Cell:
    """The birth date in the source's usual style (``year`` overrides the era's year)."""
    if source == "obec_dmc":
        return thai_dates.slash_date(birth, year=year)
    if source == "ovec":
        return thai_dates.iso_date(birth, year=year)
    return thai_dates.abbr_date(birth, year=year)


def _name_spacing(rng: random.Random) -> str:
    return rng.choices(("tight", "spaced", "double"), weights=(45, 50, 5))[0]


def build_cells(source: str, child: Child, details: Details, list_date: date, rng: random.Random) -> dict[str, Cell]:
    """Cells of a clean row (the contract's ordinary variation only, no quirks)."""
    age = child.age_on(list_date)
    place = details.place
    prefix = prefix_for(rng, child.sex, age)
    if source == "obec_dmc":
        return {
            "citizen_id": child.child_id,
            "name_prefix": prefix,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "sex": sex_text(source, child.sex),
            "birth_date": format_birth_date(source, child.birth_date),
            "grade": details.grade,
            "school_code": details.institution_code,
            "school_name": details.institution,
            "province": place.province,
            "district": place.district,
            "subdistrict": place.subdistrict,
            "reason": details.reason,
            "dropout_date": thai_dates.slash_date(details.left_on),
        }
    if source == "eef":
        spacing = _name_spacing(rng)
        return {
            "sequence_no": 0,  # numbered when the file is assembled
            "citizen_id": child.child_id,
            "full_name": full_name(prefix, child.first_name, child.last_name, spacing),
            "sex": sex_text(source, child.sex),
            "age_years": age,
            "grade": details.grade,
            "province": place.province,
            "district": place.district,
            "subdistrict": place.subdistrict,
            "reason": details.reason,
        }
    if source == "ops":
        return {
            "citizen_id": child.child_id,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "sex": sex_text(source, child.sex),
            "birth_date": format_birth_date(source, child.birth_date),
            "grade": details.grade,
            "school_name": details.institution,
            "province": place.province,
            "district": place.district,
            "reason": details.reason,
        }
    if source == "ovec":
        program, year = split_vocational(details.grade)
        return {
            "citizen_id": child.child_id,
            "name_prefix": prefix,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "sex": sex_text(source, child.sex),
            "birth_date": format_birth_date(source, child.birth_date),
            "program": program,
            "program_year": year,
            "college_code": details.institution_code,
            "college_name": details.institution,
            "province_code": place.province_code,
            "dropout_date": thai_dates.iso_date(details.left_on),
            "reason_code": details.reason,
        }
    if source == "msdhs":
        as_excel_date = rng.random() < 0.6
        return {
            "citizen_id": child.child_id,
            "full_name": full_name(prefix, child.first_name, child.last_name, _name_spacing(rng)),
            "birth_date": child.birth_date if as_excel_date else format_birth_date(source, child.birth_date),
            "disability_type": details.disability,
            "province": place.province,
            "district": place.district,
        }
    raise ValueError(source)


def draft_for(source: str, child: Child, details: Details, list_date: date, rng: random.Random) -> RowDraft:
    """A cohort child's row, with what the warehouse should conclude from it."""
    cells = build_cells(source, child, details, list_date, rng)
    draft = RowDraft(
        cells=cells,
        child_id=child.child_id,
        true_child=child.child_id,
        list_date=list_date,
        education_stage=stage_of(details.grade, child.age_on(list_date)),
        province_code=details.place.province_code,
        district_code=None if source == "ovec" else details.place.district_code,
        birth_date=child.birth_date,
        place=details.place,
    )
    if source == "eef" and isinstance(cells["full_name"], str) and "  " in cells["full_name"]:
        draft.note("full_name", "name_spacing", "normalised")
    if child.id_less:
        withhold_id(draft)
    elif check_digit_flag(child.child_id) is False:
        draft.note("citizen_id", "bad_check_digit", "flagged")
    return draft


def withhold_id(draft: RowDraft) -> None:
    """The row names its child by name, birth and place only: record linkage finds it."""
    draft.cells["citizen_id"] = ""
    draft.child_id = None
    draft.id_delivery = "missing"
    draft.note("citizen_id", "id_missing", "linked_or_own_identity")

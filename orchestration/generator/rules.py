"""The business rules the truth depends on, in Python (docs/business-rules.md).

This is the generator's own, independent reading of the rules: the dbt models implement
the same rules in SQL, and the end-to-end tests compare the two.
"""

from __future__ import annotations

import re
from functools import cache

from orchestration.reference import code_list

from .ids import has_valid_check_digit

COMPULSORY = "compulsory"
POST_COMPULSORY = "post_compulsory"
AGE_RULE_THRESHOLD = 16  # no grade: under 16 compulsory, 16 and over post-compulsory
AGE_RANGE = (3, 25)  # a known age outside this range is quarantined

_ID_JUNK = re.compile(r"[\s\-.]")


def normalise_id(text: str | int | float | None) -> str:
    """Remove spaces, dashes, dots and a leading apostrophe; upper-case."""
    if text is None:
        return ""
    if isinstance(text, (int, float)):
        return str(int(text))
    text = text.strip()
    if text.startswith("'"):
        text = text[1:]
    return _ID_JUNK.sub("", text).upper()


def id_type(child_id: str) -> str | None:
    if re.fullmatch(r"\d{13}", child_id):
        return "citizen"
    if re.fullmatch(r"G\d{12}", child_id):
        return "gcode"
    return None


def check_digit_flag(child_id: str) -> bool | None:
    """``has_valid_check_digit``: None for G-codes (they carry none)."""
    return has_valid_check_digit(child_id) if id_type(child_id) == "citizen" else None


@cache
def agency_priority() -> dict[str, int]:
    return {row["source_agency"]: int(row["agency_priority"]) for row in code_list("agencies")}


@cache
def _grade_stages() -> dict[str, str]:
    return {row["grade_text"].replace(" ", ""): row["education_stage"] for row in code_list("grades")}


def is_known_grade(grade: str | None) -> bool:
    return not grade or grade.replace(" ", "") in _grade_stages()


def stage_of(grade: str | None, age: int | None) -> str:
    """Education stage from a grade, or from age where the grade does not say."""
    stage = _grade_stages()[grade.replace(" ", "")] if grade else ""
    if stage:
        return stage
    if age is None:
        raise ValueError("the age rule needs an age")
    return COMPULSORY if age < AGE_RULE_THRESHOLD else POST_COMPULSORY


def normalise_province_text(text: str) -> str:
    """Trim, drop a leading จ./จังหวัด, remove inner spaces (the matching key)."""
    text = text.strip()
    for prefix in ("จังหวัด", "จ."):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    return text.replace(" ", "")


@cache
def province_lookup() -> dict[str, str]:
    """Matching key → province code, from official names and the aliases seed."""
    lookup = {row["province_th"].replace(" ", ""): row["province_code"] for row in code_list("geography")}
    for row in code_list("province_aliases"):
        lookup[row["province_alias"].replace(" ", "")] = row["province_code"]
    return lookup


def province_code_of(text: str) -> str | None:
    return province_lookup().get(normalise_province_text(text))

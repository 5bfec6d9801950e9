"""Thai calendar formatting: Buddhist Era years, Thai month names, Thai digits.

Month names come from the ``thai_months`` seed; this module only formats.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from orchestration.reference import code_list

BE_OFFSET = 543
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@cache
def _months() -> dict[int, tuple[str, str]]:
    return {
        int(row["month_number"]): (row["month_abbr_th"], row["month_name_th"])
        for row in code_list("thai_months")
    }


def thai_digits(text: str) -> str:
    return text.translate(_THAI_DIGITS)


def month_abbr(month: int) -> str:
    return _months()[month][0]


def month_name(month: int) -> str:
    return _months()[month][1]


def be_year(day: date) -> int:
    return day.year + BE_OFFSET


def slash_date(day: date, *, year: int | None = None) -> str:
    """``dd/mm/yyyy`` with a B.E. year unless ``year`` overrides it (era mix-ups)."""
    return f"{day.day:02d}/{day.month:02d}/{be_year(day) if year is None else year}"


def abbr_date(day: date, *, year: int | None = None) -> str:
    """``d <abbr> yyyy`` B.E., e.g. ``12 พ.ค. 2553``."""
    return f"{day.day} {month_abbr(day.month)} {be_year(day) if year is None else year}"


def long_date(day: date) -> str:
    """``17 มกราคม 2565``, as in the EEF title row."""
    return f"{day.day} {month_name(day.month)} {be_year(day)}"


def iso_date(day: date, *, year: int | None = None) -> str:
    return f"{day.year if year is None else year:04d}-{day.month:02d}-{day.day:02d}"


def age_on(birth: date, on: date) -> int:
    """Whole years completed on ``on`` (the birthday counts on the day itself)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def add_years(day: date, years: int) -> date:
    """Same calendar day ``years`` later; 29 Feb falls back to 28 Feb."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)

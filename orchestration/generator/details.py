"""What each agency records about a child on its list date: grade, institution, reason.

Grades come from the ``grades`` seed (by ``grade_code`` family and ``grade_order``),
reasons from ``reasons``, disability types from ``disability_types``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

from orchestration.reference import code_list

from .places import Place
from .vocab import REASON_PHRASES

AGENCIES = ("obec_dmc", "eef", "ops", "ovec", "msdhs")
AGE_RANGES = {"obec_dmc": (4, 18), "eef": (6, 20), "ops": (7, 20), "ovec": (15, 22), "msdhs": (6, 18)}
# Dropouts cluster in the teens; these weights shape each agency's age pyramid.
_AGE_WEIGHT_PEAK = {"obec_dmc": 14, "eef": 15, "ops": 15, "ovec": 17, "msdhs": 12}


@dataclass(frozen=True, slots=True)
class Details:
    """One list row's facts about a child (besides identity, name and birth date)."""

    grade: str | None  # as written; None = the list has no grade, "" = left empty
    place: Place
    institution: str = ""  # school / college name
    institution_code: str = ""  # 10-digit school or college code
    reason: str = ""  # Thai free text, or an R-code for OVEC
    left_on: date | None = None  # dropout date (DMC, OVEC)
    disability: str = ""  # MSDHS


@dataclass(frozen=True, slots=True)
class Grade:
    text: str
    code: str
    order: int
    stage: str


@cache
def grades() -> tuple[Grade, ...]:
    return tuple(
        Grade(row["grade_text"], row["grade_code"], int(row["grade_order"]), row["education_stage"])
        for row in code_list("grades")
    )


def _family(code: str) -> str:
    return re.sub(r"\d+$", "", code)


@cache
def _by_family_order() -> dict[tuple[str, int], str]:
    return {(_family(g.code), g.order): g.text for g in grades()}


def _grade(family: str, order: int) -> str:
    return _by_family_order()[(family, order)]


def formal_grade(order: int) -> str:
    """อ.1 (order 1) … ป.1 (4) … ม.6 (15)."""
    family = "K" if order <= 3 else ("P" if order <= 9 else "M")
    return _grade(family, order)


def vocational_grade(program: str, year: int) -> str:
    """``program`` is VC (ปวช.) or HVC (ปวส.)."""
    first = min(g.order for g in grades() if _family(g.code) == program)
    return _grade(program, first + year - 1)


def _single(code: str) -> str:
    return next(g.text for g in grades() if g.code == code)


def never_enrolled() -> str:
    return _single("NEVER_ENROLLED")


def non_formal_grade(expected_order: int) -> str:
    """ประถม / ม.ต้น / ม.ปลาย for the level a child of that age would be at."""
    levels = sorted((g.order, g.text) for g in grades() if g.code.startswith("NFE_"))
    for order, text in levels:
        if expected_order <= order:
            return text
    return levels[-1][1]


def next_grade(text: str) -> str | None:
    """One grade up in the same family (ม.3 → ม.4, ปวช.2 → ปวช.3), or None at the top."""
    current = next((g for g in grades() if g.text == text), None)
    if current is None or current.code.startswith("NFE_") or current.code == "NEVER_ENROLLED":
        return None
    family = _family(current.code)
    if family == "K" and current.order == 3:
        return formal_grade(4)
    if family == "P" and current.order == 9:
        return formal_grade(10)
    return _by_family_order().get((family, current.order + 1))


def split_vocational(text: str) -> tuple[str, int]:
    """``ปวช.2`` → (``ปวช.``, 2): OVEC's PROGRAM and YEAR."""
    match = re.fullmatch(r"(.*?)(\d+)", text)
    if not match:
        raise ValueError(text)
    return match[1], int(match[2])


def draw_age(rng: random.Random, agency: str) -> int:
    low, high = AGE_RANGES[agency]
    peak = _AGE_WEIGHT_PEAK[agency]
    ages = list(range(low, high + 1))
    return rng.choices(ages, weights=[1.0 / (1 + abs(a - peak)) ** 1.3 for a in ages])[0]


def _lag(rng: random.Random, weights: tuple[int, ...]) -> int:
    return rng.choices(range(len(weights)), weights=weights)[0]


def grade_for(rng: random.Random, agency: str, age: int) -> str | None:
    """A grade consistent with the child's age, in the agency's spelling."""
    if agency == "msdhs":
        return None
    if agency == "obec_dmc":
        return formal_grade(max(1, min(15, age - 3 - _lag(rng, (60, 30, 10)))))
    if agency == "ovec":
        if age <= 17 or (age == 18 and rng.random() < 0.5):
            return vocational_grade("VC", max(1, min(3, age - 14 - _lag(rng, (70, 30)))))
        return vocational_grade("HVC", max(1, min(2, age - 18)))
    if agency == "ops" and rng.random() < 0.45:
        return non_formal_grade(age - 3)
    if agency == "eef":
        roll = rng.random()
        if roll < 0.08:
            return never_enrolled()
        if roll < 0.12:
            return ""
    order = age - 3 - _lag(rng, (30, 30, 20, 12, 8) if agency == "eef" else (50, 30, 20))
    if agency == "eef" and order >= 13 and age >= 16 and rng.random() < 0.25:
        return vocational_grade("VC", min(3, order - 12)) if order <= 15 else vocational_grade("HVC", min(2, order - 15))
    return formal_grade(max(4, min(15, order)))


@cache
def _reasons() -> tuple[tuple[str, str], ...]:
    return tuple((row["reason_code"], row["reason_label_th"]) for row in code_list("reasons"))


_REASON_WEIGHTS = {"R01": 24, "R02": 16, "R03": 14, "R04": 12, "R05": 6, "R06": 5, "R07": 12, "R08": 4, "R09": 4}


def reason_code(rng: random.Random) -> str:
    codes = [code for code, _ in _reasons()]
    return rng.choices(codes, weights=[_REASON_WEIGHTS.get(code, 3) for code in codes])[0]


def reason_text(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(REASON_PHRASES)
    code = reason_code(rng)
    return next(label for c, label in _reasons() if c == code)


@cache
def disability_types() -> tuple[str, ...]:
    return tuple(row["disability_type_th"] for row in code_list("disability_types"))


def _school(rng: random.Random, place: Place, grade: str | None) -> tuple[str, str]:
    secondary = bool(grade) and grade.startswith("ม.")
    if secondary and rng.random() < 0.7:
        kind, name = 4, f"โรงเรียน{place.district}{rng.choice(('วิทยา', 'พิทยาคม', 'ศึกษา'))}"
    else:
        kind = rng.randrange(3)
        name = ("โรงเรียนบ้าน", "โรงเรียนวัด", "โรงเรียนชุมชน")[kind] + place.subdistrict
    return name, f"1{place.subdistrict_code}{kind}01"


def _nfe_or_private(rng: random.Random, place: Place) -> str:
    if rng.random() < 0.7:
        return ("กศน.เขต" if place.is_bangkok else "กศน.อำเภอ") + place.district
    return "โรงเรียน" + rng.choice(("อนุบาล", "ศรี", "เซนต์", "ดารา", "มารีย์")) + place.district


def _college(rng: random.Random, place: Place) -> tuple[str, str]:
    kind = rng.randrange(3)
    name = (
        f"วิทยาลัยการอาชีพ{place.district}",
        f"วิทยาลัยเทคนิค{place.province}",
        f"วิทยาลัยอาชีวศึกษา{place.province}",
    )[kind]
    serial = int(place.district_code[2:]) if kind == 0 else 90 + kind
    return name, f"13{place.province_code}{serial:06d}"


def institution_for(rng: random.Random, agency: str, place: Place, grade: str | None) -> tuple[str, str]:
    """(name, 10-digit code) of the school or college that reports the child, if any."""
    if agency == "obec_dmc":
        return _school(rng, place, grade)
    if agency == "ovec":
        return _college(rng, place)
    if agency == "ops":
        return _nfe_or_private(rng, place), ""
    return "", ""


def details_for(rng: random.Random, agency: str, age: int, place: Place, list_date: date) -> Details:
    grade = grade_for(rng, agency, age)
    institution, code = institution_for(rng, agency, place, grade)
    return Details(
        grade=grade,
        place=place,
        institution=institution,
        institution_code=code,
        reason=reason_code(rng) if agency == "ovec" else ("" if agency == "msdhs" else reason_text(rng)),
        left_on=list_date - timedelta(days=rng.randrange(20, 330)) if agency in ("obec_dmc", "ovec") else None,
        disability=rng.choice(disability_types()) if agency == "msdhs" else "",
    )


def promoted(details: Details) -> Details:
    """The same record one grade up (a new school year), when there is a next grade."""
    up = next_grade(details.grade) if details.grade else None
    return replace(details, grade=up) if up else details


def moved(rng: random.Random, agency: str, details: Details, place: Place) -> Details:
    """The child moved: a new place and, for schools and colleges, a new institution there."""
    institution, code = institution_for(rng, agency, place, details.grade)
    return replace(details, place=place, institution=institution, institution_code=code)

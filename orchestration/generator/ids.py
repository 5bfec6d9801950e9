"""Identifiers: Thai citizen IDs (with check digit), MOE G-codes, and how people spell them."""

from __future__ import annotations

import random

# Spellings seen in deliveries; "plain" is the normalised form itself.
PLAIN = "plain"
DASHES = "id_dashes"
SPACES = "id_spaces"
WHITESPACE = "id_whitespace"
APOSTROPHE = "id_apostrophe"
EXCEL_NUMBER = "id_excel_number"


def check_digit(first12: str) -> int:
    return (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12)) % 11) % 10


def has_valid_check_digit(citizen_id: str) -> bool:
    return len(citizen_id) == 13 and citizen_id.isdigit() and check_digit(citizen_id[:12]) == int(citizen_id[12])


def citizen_id(rng: random.Random, district_code: str) -> str:
    """A valid ID shaped like a real one: kind digit, registration office, book, sequence."""
    kind = rng.choices("12345678", weights=(88, 4, 1, 1, 1, 2, 1, 2))[0]
    office = district_code if rng.random() < 0.85 else f"{rng.randrange(1000, 9700):04d}"
    body = f"{kind}{office}{rng.randrange(100000, 1000000):06d}{rng.randrange(10, 100):02d}"[:12]
    return body + str(check_digit(body))


def with_wrong_check_digit(valid_id: str, rng: random.Random) -> str:
    wrong = rng.choice([d for d in "0123456789" if d != valid_id[12]])
    return valid_id[:12] + wrong


def gcode(rng: random.Random) -> str:
    return "G" + "".join(rng.choice("0123456789") for _ in range(12))


def malformed_id(rng: random.Random) -> str:
    """Neither 13 digits nor G + 12 digits, even after normalisation."""
    digits = "".join(rng.choice("0123456789") for _ in range(13))
    style = rng.randrange(3)
    if style == 0:
        return rng.choice("12345678") + digits[:11]  # 12 digits
    if style == 1:
        return digits[:5] + "".join(rng.choice("ABCDEFXYZ") for _ in range(3)) + digits[8:]
    return "G" + digits[:10]  # G-code one digit short


def styles_for(child_id: str) -> tuple[str, ...]:
    """Spelling quirks that make sense for this ID (a G-code has no digit groups)."""
    if child_id.startswith("G"):
        return (WHITESPACE, APOSTROPHE)
    return (DASHES, SPACES, WHITESPACE, APOSTROPHE)


def spell(child_id: str, style: str) -> str | int:
    """The ID written in ``style``; EXCEL_NUMBER gives an int (an Excel numeric cell)."""
    if style == PLAIN or (child_id.startswith("G") and style in (DASHES, SPACES, EXCEL_NUMBER)):
        return child_id
    if style == DASHES:
        return "-".join((child_id[0], child_id[1:5], child_id[5:10], child_id[10:12], child_id[12]))
    if style == SPACES:
        return " ".join((child_id[0], child_id[1:5], child_id[5:10], child_id[10:12], child_id[12]))
    if style == WHITESPACE:
        return f" {child_id} "
    if style == APOSTROPHE:
        return "'" + child_id
    if style == EXCEL_NUMBER:
        return int(child_id)
    raise ValueError(style)

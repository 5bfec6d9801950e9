"""Thai presentation: Buddhist-era dates and numbers as ministry documents print them.
Month names come from the thai_months code list (dbt seed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from orchestration.reference import code_list

BUDDHIST_ERA_OFFSET = 543


def _month(number: int, field: str) -> str:
    return code_list("thai_months")[number - 1][field]


def thai_date(value: date) -> str:
    """27 ก.ค. 2565"""
    return f"{value.day} {_month(value.month, 'month_abbr_th')} {value.year + BUDDHIST_ERA_OFFSET}"


def thai_date_long(value: date) -> str:
    """27 กรกฎาคม 2565"""
    return f"{value.day} {_month(value.month, 'month_name_th')} {value.year + BUDDHIST_ERA_OFFSET}"


def number(value: int | None) -> str:
    """20,053 (a dash for a missing value)."""
    return "-" if value is None else f"{int(value):,}"


def percent(value: Decimal | float | None) -> str:
    """71.28 — two decimals, as published."""
    return "-" if value is None else f"{Decimal(str(value)):.2f}"


def change(value: int | None) -> str:
    """▲ 66 / ▼ 47 / - (no change or nothing to compare with)."""
    if not value:
        return "-"
    return f"▲ {value:,}" if value > 0 else f"▼ {-value:,}"

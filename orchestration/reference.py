"""Read the code lists kept as dbt seeds.

Each code list (grades, months, statuses, agencies, geography, ...) has one source of
truth: a CSV in ``dbt_project/seeds/``. dbt loads them into the ``reference`` schema for
SQL; Python (generator, bulletins) reads the same files through this module.
"""

from __future__ import annotations

import csv
from functools import cache

from orchestration.paths import SEEDS_DIR


@cache
def code_list(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``dbt_project/seeds/<name>.csv`` as dicts of strings (empty cell = '')."""
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def column(name: str, field: str) -> list[str]:
    return [row[field] for row in code_list(name)]


def mapping(name: str, key: str, value: str) -> dict[str, str]:
    return {row[key]: row[value] for row in code_list(name)}

"""The quarantine reasons are applied in the order the quarantine_reasons seed gives
(rule_order), which docs/business-rules.md promises; the SQL's CASE must follow it."""

from __future__ import annotations

import re

import pytest

from orchestration.paths import DBT_PROJECT_DIR
from orchestration.reference import code_list

MODELS = DBT_PROJECT_DIR / "models" / "intermediate"


def _order(applies_to: str) -> dict[str, int]:
    return {r["reason_code"]: int(r["rule_order"]) for r in code_list("quarantine_reasons") if r["applies_to"] == applies_to}


def test_rule_orders_are_unique():
    for kind in ("row", "file"):
        orders = list(_order(kind).values())
        assert len(orders) == len(set(orders)), kind


@pytest.mark.parametrize("model", ["lists/int_child_list_rows.sql", "tracking/int_tracking_event_rows.sql"])
def test_the_sql_applies_the_reasons_in_the_seeds_order(model):
    sql = (MODELS / model).read_text(encoding="utf-8")
    reasons = [r for r in re.findall(r"then '([a-z_]+)'", sql) if r in _order("row")]
    first_seen = list(dict.fromkeys(reasons))
    assert first_seen == sorted(first_seen, key=_order("row").get), first_seen

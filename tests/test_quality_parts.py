"""A suite validated part by part (meta.validate_by: one report date at a time, to bound
the memory of the largest mart's check) gives exactly the whole table's verdict and
counts, and a suite whose expectations do not hold part by part is refused."""

from __future__ import annotations

import json
from dataclasses import replace

import duckdb
import pytest

from orchestration.quality.checks import _validate_in_warehouse
from orchestration.quality.suites import load_suites
from orchestration.settings import WarehouseSettings

SUITE = {
    "name": "statuses",
    "meta": {"asset": ["marts", "fct_child_status"], "relation": "marts.fct_child_status", "blocking": True,
             "validate_by": "report_date", "description": "test"},
    "expectations": [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status_code", "value_set": [1, 2]}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "child_key", "regex": "^k[0-9]$"}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["report_date", "child_key"]}},
    ],
}
ROWS = [  # report_date, child_key, status_code
    ("2022-05-31", "k1", 1), ("2022-05-31", "k2", 3), ("2022-05-31", "k2", 1),  # a status 3, a duplicate
    ("2022-06-30", "k1", 2), ("2022-06-30", "bad", 2), ("2022-06-30", "k2", 9),  # k1 again: another date
    (None, "k3", 1), (None, "k3", 1),  # rows without a date are validated too
]


def _outcomes(result):
    return [(o.expectation, o.success, o.unexpected_count) for o in result.outcomes]


def test_part_by_part_gives_the_whole_tables_result(tmp_path):
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "statuses.json").write_text(json.dumps(SUITE), encoding="utf-8")
    [by_date] = load_suites(tmp_path / "suites")
    settings = WarehouseSettings(landing_dir=str(tmp_path / "landing"), out_dir=str(tmp_path / "out"),
                                 report_dates="2022-05-31,2022-06-30")
    settings.out_path.mkdir()
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.fct_child_status (report_date date, child_key varchar, status_code int)")
        connection.executemany("insert into marts.fct_child_status values (?, ?, ?)", ROWS)
    whole = _validate_in_warehouse(replace(by_date, validate_by=None), settings)
    parts = _validate_in_warehouse(by_date, settings)
    assert _outcomes(whole) == [("expect_column_values_to_be_in_set", False, 2),
                                ("expect_column_values_to_match_regex", False, 1),
                                ("expect_compound_columns_to_be_unique", False, 4)]
    assert _outcomes(parts) == _outcomes(whole)
    assert (parts.rows, parts.success) == (whole.rows, whole.success) == (len(ROWS), False)


@pytest.mark.parametrize("expectation", [
    {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "child_key"}},
    {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["child_key", "status_code"]}},
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status_code", "value_set": [1], "mostly": 0.9}},
    {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
])
def test_a_suite_that_does_not_hold_part_by_part_is_refused(tmp_path, expectation):
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps({**SUITE, "expectations": [expectation]}), encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}: validate_by 'report_date', but {expectation['type']}"):
        load_suites(tmp_path)

"""A suite validated part by part (meta.validate_by: a few report dates at a time, to
bound the memory of the largest mart's check) gives exactly the whole table's verdict
and counts, and a suite whose expectations do not hold part by part is refused."""

from __future__ import annotations

import json
from dataclasses import replace

import duckdb
import pytest

from orchestration.quality import checks
from orchestration.quality.checks import _parts, _validate_in_warehouse
from orchestration.quality.suites import load_suites, validate
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


def _suite_and_warehouse(tmp_path, rows) -> tuple:
    """The suite above, loaded from its file, and a warehouse whose fct_child_status holds `rows`."""
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "statuses.json").write_text(json.dumps(SUITE), encoding="utf-8")
    [by_date] = load_suites(tmp_path / "suites")
    settings = WarehouseSettings(landing_dir=str(tmp_path / "landing"), out_dir=str(tmp_path / "out"),
                                 report_dates="2022-05-31,2022-06-30")
    settings.out_path.mkdir()
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.fct_child_status (report_date date, child_key varchar, status_code int)")
        if rows:
            connection.executemany("insert into marts.fct_child_status values (?, ?, ?)", rows)
    return by_date, settings


@pytest.mark.parametrize("rows_per_part", [1, 3, 4, 1_000])
def test_part_by_part_gives_the_whole_tables_result(tmp_path, monkeypatch, rows_per_part):
    by_date, settings = _suite_and_warehouse(tmp_path, ROWS)
    whole = _validate_in_warehouse(replace(by_date, validate_by=None), settings)
    monkeypatch.setattr(checks, "ROWS_PER_PART", rows_per_part)
    validated = []
    monkeypatch.setattr(checks, "validate", lambda suite, frame: validated.append(len(frame)) or validate(suite, frame))
    parts = _validate_in_warehouse(by_date, settings)
    # the dates in parts of at most rows_per_part rows (a date is never split), nulls apart
    assert validated == {1: [3, 3, 2], 3: [3, 3, 2], 4: [3, 3, 2], 1_000: [6, 2]}[rows_per_part]
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


def test_parts_hold_whole_values_up_to_the_row_limit(monkeypatch):
    monkeypatch.setattr(checks, "ROWS_PER_PART", 10)
    assert _parts([("a", 4), ("b", 6), ("c", 11), ("d", 1), ("e", 9), ("f", 1)]) == [["a", "b"], ["c"], ["d", "e"], ["f"]]
    assert _parts([]) == []


def test_an_empty_table_still_lists_every_expectation(tmp_path):
    by_date, settings = _suite_and_warehouse(tmp_path, [])
    result = _validate_in_warehouse(by_date, settings)
    assert (result.success, result.rows) == (True, 0)
    assert [o.expectation for o in result.outcomes] == [e["type"] for e in SUITE["expectations"]]


def test_parts_are_combined_by_expectation_whatever_their_order():
    """GX lists an expectation whose metric raised first: parts are matched by expectation,
    and a failing part that gives no count leaves the count unknown."""
    from orchestration.quality.suites import ExpectationOutcome, Suite, SuiteResult, combine

    suite = Suite("s", ("a",), "a.b", ("a",), True, "test", SUITE)
    in_set = ("expect_column_values_to_be_in_set", {"column": "status_code", "value_set": [1, 2]})
    regex = ("expect_column_values_to_match_regex", {"column": "child_key", "regex": "^k$"})

    def part(*outcomes, rows=10):
        return SuiteResult(suite, all(o[2] for o in outcomes), rows, [ExpectationOutcome(*o) for o in outcomes])

    combined = combine(suite, [part((*in_set, False, 2), (*regex, True, 0)),
                               part((*regex, False, None), (*in_set, False, 3))])
    assert [(o.expectation, o.success, o.unexpected_count) for o in combined.outcomes] == [
        (in_set[0], False, 5), (regex[0], False, None)]
    assert (combined.success, combined.rows) == (False, 20)


def _counting_validations(monkeypatch) -> list[int]:
    """The sizes of the frames GX validates from now on."""
    validated: list[int] = []
    monkeypatch.setattr(checks, "validate", lambda suite, frame: validated.append(len(frame)) or validate(suite, frame))
    return validated


def test_rows_validated_before_are_not_validated_again(tmp_path, monkeypatch):
    """The memo (orchestration.quality.memo): a date whose rows did not change keeps its
    outcome; a changed date and a failing date are validated again; the result is the
    whole table's, exactly, each time."""
    by_date, settings = _suite_and_warehouse(tmp_path, ROWS)
    monkeypatch.setattr(checks, "ROWS_PER_PART", 1)  # a part per date
    validated = _counting_validations(monkeypatch)
    first = _validate_in_warehouse(by_date, settings)
    assert validated == [3, 3, 2]
    validated.clear()
    again = _validate_in_warehouse(by_date, settings)
    assert validated == [3, 3, 2]  # every part fails: a failing part's outcome is not kept
    assert _outcomes(again) == _outcomes(first) and again.rows == first.rows

    good = [("2022-05-31", "k1", 1), ("2022-05-31", "k2", 2), ("2022-06-30", "k1", 2), ("2022-06-30", "k2", 1)]
    _, settings = _refill(settings, good)
    validated.clear()
    assert _outcomes(_validate_in_warehouse(by_date, settings)) == [(e["type"], True, 0) for e in SUITE["expectations"]]
    assert validated == [2, 2]
    validated.clear()
    unchanged = _validate_in_warehouse(by_date, settings)
    assert validated == []  # nothing changed: no frame is read
    assert (unchanged.rows, unchanged.remembered, unchanged.success) == (4, 4, True)
    (settings.out_path / "quality" / "memo" / "statuses.json").write_text("{not json", encoding="utf-8")
    assert _outcomes(_validate_in_warehouse(by_date, settings)) == _outcomes(unchanged)  # unreadable: validated
    assert validated == [2, 2]
    validated.clear()

    # one row of 06-30 changes (a status 9): that date alone, and its failure is counted
    _, settings = _refill(settings, [*good[:3], ("2022-06-30", "k2", 9)])
    result = _validate_in_warehouse(by_date, settings)
    assert validated == [2]
    assert _outcomes(result) == [("expect_column_values_to_be_in_set", False, 1),
                                 ("expect_column_values_to_match_regex", True, 0),
                                 ("expect_compound_columns_to_be_unique", True, 0)]
    assert (result.rows, result.remembered, result.success) == (4, 2, False)


def _refill(settings, rows):
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("delete from marts.fct_child_status")
        connection.executemany("insert into marts.fct_child_status (report_date, child_key, status_code)"
                               " values (?, ?, ?)", rows)
    return None, settings


def test_a_changed_suite_or_column_type_validates_everything_again(tmp_path, monkeypatch):
    by_date, settings = _suite_and_warehouse(tmp_path, ROWS[3:6])  # 06-30 only, failing: bad key, status 9
    fixed = [("2022-06-30", "k1", 2), ("2022-06-30", "k2", 2)]
    _refill(settings, fixed)
    validated = _counting_validations(monkeypatch)
    _validate_in_warehouse(by_date, settings)
    wider = replace(by_date, definition={**SUITE, "expectations": [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status_code", "value_set": [2]}},
        *SUITE["expectations"][1:]]})
    _validate_in_warehouse(wider, settings)
    assert validated == [2, 2]
    with duckdb.connect(str(settings.warehouse_path)) as connection:  # same values, another type
        connection.execute("alter table marts.fct_child_status alter status_code type bigint")
    _validate_in_warehouse(wider, settings)
    assert validated == [2, 2, 2]


def test_a_whole_table_suite_is_validated_again_only_when_its_rows_change(tmp_path, monkeypatch):
    by_date, settings = _suite_and_warehouse(tmp_path, ROWS)
    whole = replace(by_date, validate_by=None)
    validated = _counting_validations(monkeypatch)
    first = _validate_in_warehouse(whole, settings)
    assert _validate_in_warehouse(whole, settings) == first
    assert validated == [8, 8]  # a failing table is validated again every run
    good = [("2022-05-31", "k1", 1), ("2022-06-30", "k1", 2), (None, "k2", 1)]
    _refill(settings, good)
    passing = _validate_in_warehouse(whole, settings)
    assert _validate_in_warehouse(whole, settings) == replace(passing, remembered=3)
    assert validated == [8, 8, 3]
    with duckdb.connect(str(settings.warehouse_path)) as connection:  # a column the suite does not read
        connection.execute("alter table marts.fct_child_status add column t varchar default 'x'")
    _validate_in_warehouse(whole, settings)
    assert validated == [8, 8, 3]
    with duckdb.connect(str(settings.warehouse_path)) as connection:  # a value the suite reads
        connection.execute("update marts.fct_child_status set status_code = 1 where report_date = '2022-06-30'")
    assert _validate_in_warehouse(whole, settings).remembered == 0
    assert validated == [8, 8, 3, 3]


def test_values_validated_together_are_remembered_one_by_one(tmp_path, monkeypatch):
    """Both dates and the undated rows pass in one frame: each is remembered alone, so a
    change to one date validates that date only."""
    rows = [("2022-05-31", "k1", 1), ("2022-05-31", "k2", 2), ("2022-06-30", "k1", 2), (None, "k3", 1)]
    by_date, settings = _suite_and_warehouse(tmp_path, rows)
    validated = _counting_validations(monkeypatch)
    _validate_in_warehouse(by_date, settings)
    assert validated == [3, 1]  # the two dates in one part (ROWS_PER_PART), the undated rows apart
    _refill(settings, [*rows[:2], ("2022-06-30", "k1", 1), rows[3]])
    result = _validate_in_warehouse(by_date, settings)
    assert validated == [3, 1, 1]
    assert (result.rows, result.remembered, result.success) == (4, 3, True)
    _refill(settings, [*rows[:2], ("2022-06-30", "k1", 1), (None, "k3", 7)])
    result = _validate_in_warehouse(by_date, settings)
    assert validated == [3, 1, 1, 1]
    assert (result.rows, result.remembered) == (4, 3)
    assert _outcomes(result)[0] == ("expect_column_values_to_be_in_set", False, 1)


@pytest.mark.parametrize(("condition", "holds"), [
    ("quarantine_reason.isnull()", True),
    ("quarantine_reason.isnull() & (id_class != 'none')", True),
    ("status_code.notna() | (status_code == 2)", True),
    ("status_code.isnull() and (child_key == 'k1')", True),
    ("status_code in [1, 2] or not child_key.notna()", True),
    ("status_code > status_code.mean()", False),  # looks at the whole table
    ("status_code.size > 2", False),
    ("status_code.iloc[0] == 1", False),
    ("index > 2", False),
    ("status_code > @limit", False),
    ("child_key.str.len() > 2", False),  # not known to look at each value alone: refused
    ({"column": "status_code"}, False),
])
def test_a_row_condition_holds_part_by_part_when_it_looks_at_each_row_alone(tmp_path, condition, holds):
    path = tmp_path / "statuses.json"
    expectation = {"type": "expect_column_values_to_be_in_set",
                   "kwargs": {"column": "status_code", "value_set": [1], "row_condition": condition,
                              "condition_parser": "pandas"}}
    path.write_text(json.dumps({**SUITE, "expectations": [expectation]}), encoding="utf-8")
    if holds:
        assert load_suites(tmp_path)[0].validate_by == "report_date"
    else:
        with pytest.raises(ValueError, match="does not hold part by part"):
            load_suites(tmp_path)

"""A list that arrives after the tracking export naming its children: the export's
checked rows (int_tracking_event_rows, built one export at a time) are built again when
the lists change, so the events of a child listed late count from that run on, exactly
as in a fresh run on the same files. Slow (five runs of the flow): `make test-slow`."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from orchestration.runner import run_warehouse
from tests.e2e_support import FinishedRun
from tests.test_bad_deliveries import cid, dmc, dmc_row, jsonl
from tests.test_worklist import event

pytestmark = pytest.mark.slow

REPORT_DATES = [date(2022, 3, 31), date(2022, 4, 30)]
EXPORT = "tracking/tracking_2022-04-20.jsonl"
FILES = {
    "obec_dmc/DMC_DROPOUT_25650110.csv": dmc([dmc_row(cid(301))]),
    EXPORT: jsonl([
        event("L1", cid(301), "2022-03-01T10:00:00+07:00", 1),
        event("L2", cid(302), "2022-04-15T10:00:00+07:00", 3),  # a child no list names yet
    ]),
}
LATE_LIST = ("obec_dmc/DMC_DROPOUT_25650405.csv", dmc([dmc_row(cid(302), first="สมหญิง")]))
ROWS_SQL = ("select event_id, quarantine_reason from intermediate.int_tracking_event_rows"
            " where file_name = ? order by event_id")
STATUS_SQL = ("select report_date, status_code, count(*) from marts.fct_child_status"
              " group by all order by all")


def _write(landing, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_bytes(content)


@pytest.fixture(scope="module")
def late(tmp_path_factory) -> tuple[FinishedRun, FinishedRun]:
    root = tmp_path_factory.mktemp("late_list")
    weekly = FinishedRun(root / "landing", root / "weekly")
    _write(weekly.landing, FILES)
    outcome = run_warehouse(weekly.landing, weekly.out, REPORT_DATES)
    assert outcome.ok, outcome.reason
    assert weekly.query(ROWS_SQL, [EXPORT]) == [("L1", None), ("L2", "event_unknown_child")]
    _write(weekly.landing, dict([LATE_LIST]))
    outcome = run_warehouse(weekly.landing, weekly.out, REPORT_DATES)
    assert outcome.ok, outcome.reason
    fresh = FinishedRun(weekly.landing, root / "fresh")
    outcome = run_warehouse(fresh.landing, fresh.out, REPORT_DATES)
    assert outcome.ok, outcome.reason
    return weekly, fresh


def test_the_events_of_a_child_listed_late_count_from_the_next_run(late):
    weekly, _ = late
    assert weekly.query(ROWS_SQL, [EXPORT]) == [("L1", None), ("L2", None)]
    assert weekly.query(STATUS_SQL) == [
        (date(2022, 3, 31), 1, 1),
        (date(2022, 4, 30), 1, 1), (date(2022, 4, 30), 3, 1),  # the late child, not found on 15 April
    ]


def test_the_export_is_built_again_but_not_staged_again(late):
    weekly, fresh = late
    results = [json.loads(path.read_text(encoding="utf-8"))["results"]
               for path in (weekly.out / "dbt_target").glob("run_results.dbt_*.json")]
    built = {result["unique_id"].split(".")[-1] for stage in results for result in stage
             if result["unique_id"].startswith("model.")}
    assert "int_tracking_event_rows" in built and "stg_tracking__events" not in built
    version_sql = "select distinct build_version from intermediate.int_tracking_event_rows"
    assert weekly.query(version_sql) == fresh.query(version_sql)  # built from the same lists


def test_the_weekly_tables_equal_a_fresh_run(late):
    weekly, fresh = late
    for table in ("intermediate.int_tracking_event_rows", "intermediate.int_tracking_events",
                  "marts.fct_child_status", "marts.status_summary"):
        sql = f"select * from {table} order by all"
        assert weekly.query(sql) == fresh.query(sql), table


def test_a_table_built_before_the_versions_existed_is_built_again_whole(late):
    """A warehouse whose checked event rows predate build_version (a plain table): the
    next run builds every export again and adds the columns instead of failing."""
    weekly, fresh = late
    with duckdb.connect(str(weekly.warehouse)) as connection:
        for column in ("build_version", "staging_version"):
            connection.execute(f"alter table intermediate.int_tracking_event_rows drop column {column}")
        connection.execute("delete from meta.build_ledger where asset_key = 'intermediate/int_tracking_event_rows'")
    outcome = run_warehouse(weekly.landing, weekly.out, REPORT_DATES)
    assert outcome.ok, outcome.reason
    columns = [name for (name,) in fresh.query(
        "select column_name from information_schema.columns where table_name = 'int_tracking_event_rows'")]
    assert len(columns) == 22  # the two columns added back (at the end of the table)
    sql = f"select {', '.join(columns)} from intermediate.int_tracking_event_rows order by all"
    assert weekly.query(sql) == fresh.query(sql)


def test_a_rebuild_builds_the_by_file_models_from_scratch(late):
    """`backtoschool run --rebuild` keeps nothing: the models built one file at a time
    are built from scratch too (dbt's --full-refresh), so a staged row altered in place,
    which no version shows, comes back as the file says."""
    weekly, fresh = late
    altered = "update staging.stg_tracking__events set note = 'altered in place' where event_id = 'L1'"
    with duckdb.connect(str(weekly.warehouse)) as connection:
        connection.execute(altered)
    outcome = run_warehouse(weekly.landing, weekly.out, REPORT_DATES, rebuild=True)
    assert outcome.ok, outcome.reason
    sql = "select note from staging.stg_tracking__events where event_id = 'L1'"
    assert weekly.query(sql) == fresh.query(sql) != [("altered in place",)]
    stages = [json.loads(path.read_text(encoding="utf-8"))
              for path in (weekly.out / "dbt_target").glob("run_results.dbt_*.json")]
    assert stages and all(stage["args"].get("full_refresh") for stage in stages)

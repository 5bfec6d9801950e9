"""A list that arrives after the tracking export naming its children: the export's
checked rows (int_tracking_event_rows, built one export at a time) are built again when
the lists change, so the events of a child listed late count from that run on, exactly
as in a fresh run on the same files. Slow (three runs of the flow): the CI runs it with
the other incremental-day tests."""

from __future__ import annotations

import json
from datetime import date

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

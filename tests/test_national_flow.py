"""The whole flow on a generated national landing set (all five agencies and tracking,
every quirk of the contract): the real Dagster + dbt + DuckDB run must find exactly
what the generator knows to be true — per child, per count, per quarantined row and
per file — publish only marts to analysts, change nothing when run again, and stop
publication when a blocking quality check fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date

import duckdb
import pandas as pd

from orchestration.generator import expected_status_summary, expected_transitions
from orchestration.paths import EXPECTATIONS_DIR, PROJECT_ROOT
from orchestration.runner import run_warehouse
from tests.e2e_support import AnalystReading, FinishedRun, assert_children_match_truth, personal_data_found, read_bulletin


def _truth_dates(run: FinishedRun) -> list[date]:
    return run.truth_dates()


def test_status_counts_equal_the_truth_on_every_report_date(national):
    dates = _truth_dates(national)
    expected = expected_status_summary(national.truth, dates)
    actual = national.frame(
        """
        select report_date, status_code, education_stage, source_agency, cast(sum(children) as bigint) as children
        from marts.status_summary group by all order by all
        """
    )
    assert len(dates) >= 2
    pd.testing.assert_frame_equal(
        actual.astype(str).reset_index(drop=True), expected.astype(str).reset_index(drop=True), check_dtype=False
    )


def test_every_child_on_every_report_date_equals_the_truth(national):
    merged = assert_children_match_truth(national, _truth_dates(national), place_columns=("province_code", "district_code"))
    misspelt = merged[merged["province_spelling"] == "misspelt"]
    recovered = (misspelt["province_code"] == misspelt["province_code_true"]).mean()
    assert len(misspelt) > 0 and recovered >= 0.9, f"fuzzy matching recovered {recovered:.0%} of misspelt provinces"
    assert (merged["province_spelling"] == "unspecified").any()  # kept, with a null code


def test_transitions_equal_the_truth(national):
    dates = _truth_dates(national)
    expected = expected_transitions(national.truth, dates)
    actual = national.frame(
        """
        select from_report_date, to_report_date, from_status_code, to_status_code,
               education_stage, source_agency, cast(sum(children) as bigint) as children
        from marts.status_transitions group by all
        """
    )
    keys = ["from_report_date", "to_report_date", "from_status_code", "to_status_code", "education_stage", "source_agency"]
    normalise = lambda frame: frame[[*keys, "children"]].astype(str).replace({"<NA>": "", "nan": "", "None": ""}).sort_values(keys).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(normalise(actual), normalise(expected))


def test_every_file_has_the_expected_outcome(national):
    expected = national.truth_csv("files.csv")
    actual = national.frame("select source, file_name, load_status, reason_code, data_rows from raw.load_manifest")
    actual["file_name"] = actual["file_name"].str.split("/").str[-1]
    expected["file_name"] = expected["file_name"].str.split("/").str[-1]
    merged = expected.merge(actual, on=["source", "file_name"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    assert (merged["expected_status"] == merged["load_status"]).all(), merged[merged["expected_status"] != merged["load_status"]]
    assert (merged["reason_code_x"] == merged["reason_code_y"].fillna("")).all()
    loaded = merged[merged["load_status"] == "loaded"]
    assert (loaded["data_rows_x"].astype(int) == loaded["data_rows_y"].astype(int)).all()
    assert {"duplicate_file", "no_rows", "truncated_file", "wrong_encoding", "unknown_file_name"} <= set(merged["reason_code_y"].dropna())


def test_every_quarantined_row_is_the_expected_one_with_its_reason(national):
    expected = national.truth_csv("quarantine.csv")
    expected["file_name"] = expected["file_name"].str.split("/").str[-1]
    actual = national.frame("select source, file_name, row_number, reason_code from intermediate.int_quarantined_rows")
    actual["file_name"] = actual["file_name"].str.split("/").str[-1]
    key = lambda frame: set(map(tuple, frame[["source", "file_name", "row_number", "reason_code"]].astype(str).values))  # noqa: E731
    assert key(actual) == key(expected)
    assert {"missing_id", "malformed_id", "impossible_date", "age_out_of_range", "unparseable_date", "unknown_grade",
            "duplicate_in_file", "event_unknown_child", "event_before_listing"} <= set(actual["reason_code"])


def test_rows_reconcile_per_file(national):
    mismatched = national.query(
        "select file_name from marts.fct_file_loads where load_status = 'loaded' and rows_in <> rows_used + rows_quarantined"
    )
    assert mismatched == []
    (raw_rows,) = national.query(
        "select (select count(*) from raw.obec_dmc__dropouts) + (select count(*) from raw.eef__out_of_school_children)"
        " + (select count(*) from raw.ops__students) + (select count(*) from raw.ovec__dropouts)"
        " + (select count(*) from raw.msdhs__disabled_children) + (select count(*) from raw.tracking__events)"
    )[0]
    (used, quarantined) = national.query("select sum(rows_used), sum(rows_quarantined) from marts.fct_file_loads")[0]
    assert raw_rows == used + quarantined


def test_the_analysts_copy_holds_marts_only_and_no_personal_data(national):
    analytics = national.out / "analytics.duckdb"
    tables = national.query(
        "select table_schema, table_name, column_name, data_type from information_schema.columns", database=analytics
    )
    assert {schema for schema, *_ in tables} == {"marts"}
    columns = {column for _, _, column, _ in tables}
    assert not columns & {"child_id", "citizen_id", "citizen_id_raw", "first_name", "last_name", "birth_date", "name_prefix"}
    assert personal_data_found(national) == []


def test_bulletins_are_published_for_every_report_date_with_the_mart_figures(national):
    dates = _truth_dates(national)
    index = (national.out / "bulletins" / "index.html").read_text(encoding="utf-8")
    for report_date in dates:
        assert f"{report_date.isoformat()}/national.html" in index
    last = dates[-1]
    bulletin = read_bulletin(national.out / "bulletins" / last.isoformat() / "national.html")
    counts = dict(national.query(
        "select status_code, sum(children) from marts.status_summary where report_date = ? group by 1", [last]
    ))
    for row in bulletin.tables["status-table"][2:7]:
        status = int(row[0].split(".")[0])
        assert row[3] == f"{counts.get(status, 0):,}"
    assert bulletin.texts["cohort-total"] == f"{sum(counts.values()):,} คน"


def test_running_again_changes_nothing_while_an_analyst_reads(national):
    """The same run again: nothing new is loaded and the figures stay. Meanwhile an
    analyst keeps a connection to analytics.duckdb open and queries it over and over
    while the run replaces the copy: neither fails; the open connection keeps reading
    the copy it opened (issue 8, concurrency).

    Small-cell protection, the slowest step at national scale, keeps every report date's
    cells of the first run (their inputs are unchanged).

    Staging parses only the files it has not staged with its current SQL: before the
    run, one export's staged rows are marked as parsed by an older SQL, another's are
    removed, and a third's first row is altered, and the ledger's entry of the staged
    exports is dropped, as a change of their SQL would (orchestration/build_ledger.py);
    the run stages the first two again and leaves the third alone. Likewise the checked
    event rows (int_tracking_event_rows, built by export): one export's rows marked as
    built by an older version are built again, another's altered row is left alone.
    What does not read the exports (the lists' tables, the linkage) is kept, not built
    again."""
    before_manifest = national.query("select file_name, file_sha256, load_status, loaded_at from raw.load_manifest order by 1")
    before_summary = national.query("select * from marts.status_summary order by all")
    cells_before = national.query("select * from marts.bulletin_protected_cells")  # in stored order
    staged_sql = "select * exclude (staging_version) from staging.stg_tracking__events order by file_name, row_number"
    before_staged = national.query(staged_sql)
    exports = [row[0] for row in national.query("select distinct file_name from staging.stg_tracking__events order by 1")]
    older, kept, missing = exports[0], exports[1], exports[-1]
    marker = "update staging.stg_tracking__events set note = ? where file_name = ? and row_number = 2"
    event_rows_sql = "select * from intermediate.int_tracking_event_rows order by file_name, row_number"
    before_event_rows = national.query(event_rows_sql)
    rows_older, rows_kept = exports[2], exports[3]
    # a column nothing downstream reads: the marker cannot reach the tables other tests read
    rows_marker = "update intermediate.int_tracking_event_rows set staging_version = ? where file_name = ? and row_number = 2"
    with duckdb.connect(str(national.warehouse)) as connection:
        (version,) = connection.execute("select distinct staging_version from staging.stg_tracking__events").fetchone()
        connection.execute("update staging.stg_tracking__events set staging_version = 'older sql' where file_name = ?", [older])
        connection.execute("delete from staging.stg_tracking__events where file_name = ?", [missing])
        (note,) = connection.execute("select note from staging.stg_tracking__events where file_name = ? and row_number = 2", [kept]).fetchone()
        connection.execute(marker, ["not staged again", kept])
        connection.execute("delete from meta.build_ledger where asset_key = 'staging/stg_tracking__events'")
        connection.execute("update intermediate.int_tracking_event_rows set build_version = 'older' where file_name = ?",
                           [rows_older])
        (rows_staged,) = connection.execute("select staging_version from intermediate.int_tracking_event_rows "
                                            "where file_name = ? and row_number = 2", [rows_kept]).fetchone()
        connection.execute(rows_marker, ["not built again", rows_kept])
    ledger_sql = "select asset_key, version from meta.build_ledger"
    versions_before = dict(national.query(ledger_sql))
    analytics = national.out / "analytics.duckdb"
    published_before = analytics.stat().st_ino
    docs = national.out / "bulletins" / "docs" / "index.html"
    docs_before = docs.stat().st_ino
    with AnalystReading(analytics, "select sum(children) from marts.status_summary") as analyst:
        outcome = run_warehouse(national.landing, national.out, _truth_dates(national))
    assert outcome.ok, outcome.reason
    dates = len(_truth_dates(national))
    assert f"Protected cells: 0 report date(s) computed, {dates} kept from the previous run" in outcome.summary_lines
    assert national.query("select * from marts.bulletin_protected_cells") == cells_before
    assert analyst.errors == [] and len(analyst.results) > 20 and len(set(analyst.results)) == 1
    assert analytics.stat().st_ino != published_before  # replaced under the reader, by rename
    assert national.query("select sum(children) from marts.status_summary", database=analytics) == [analyst.results[0]]
    assert national.query("select file_name, file_sha256, load_status, loaded_at from raw.load_manifest order by 1") == before_manifest
    assert national.query("select * from marts.status_summary order by all") == before_summary
    assert docs.stat().st_ino == docs_before  # same project and columns: the docs page is kept, not rebuilt
    assert national.query("select note from staging.stg_tracking__events where file_name = ? and row_number = 2", [kept]) == [("not staged again",)]
    assert national.query("select staging_version from intermediate.int_tracking_event_rows "
                          "where file_name = ? and row_number = 2", [rows_kept]) == [("not built again",)]
    with duckdb.connect(str(national.warehouse)) as connection:
        connection.execute(marker, [note, kept])
        connection.execute(rows_marker, [rows_staged, rows_kept])
    assert national.query(staged_sql) == before_staged
    assert national.query(event_rows_sql) == before_event_rows  # the rows marked older were built again
    assert national.query("select distinct staging_version from staging.stg_tracking__events") == [(version,)]
    versions_after = dict(national.query(ledger_sql))
    for list_side in ("staging/stg_obec_dmc__dropouts", "intermediate/int_child_identities",
                      "intermediate/int_identity_match_pairs", "intermediate/int_place_name_resolutions"):
        assert versions_after[list_side] == versions_before[list_side], f"{list_side} was built again"
    for tracking_side in ("intermediate/int_tracking_events", "marts/fct_child_status"):
        assert versions_after[tracking_side] != versions_before[tracking_side], f"{tracking_side} was kept"
    compiled = next((national.out / "dbt_target" / "compiled").rglob("stg_tracking__events.sql")).read_text(encoding="utf-8")
    assert f"where staging_version = '{version}'" in compiled  # only the files not staged by this SQL


def test_a_failed_blocking_check_stops_publication_and_alerts(national, tmp_path, smtp_server):
    mailbox, smtp_environment = smtp_server
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    reconciliation = json.loads((suites / "cohort_reconciliation.json").read_text(encoding="utf-8"))
    # A cohort of a billion children: impossible, so the blocking suite must fail.
    reconciliation["expectations"].append(
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "cohort_children", "min_value": 1_000_000_000}}
    )
    (suites / "cohort_reconciliation.json").write_text(json.dumps(reconciliation), encoding="utf-8")
    out = tmp_path / "out"
    # and a drift bound no real cohort keeps: any change between the two dates blocks
    environment = {**os.environ, "BACKTOSCHOOL_EXPECTATIONS_DIR": str(suites), **smtp_environment,
                   "BACKTOSCHOOL_MAX_COHORT_CHANGE_PCT": "0.001"}
    process = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(national.landing), "--out", str(out),
         "--report-date", "2022-04-30", "--report-date", "2022-05-31"],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=600,
    )
    assert process.returncode == 1, process.stdout + process.stderr
    assert "blocking quality check gx_cohort_reconciliation on marts/status_summary failed" in process.stdout
    assert "blocking quality check gx_cohort_drift on marts/status_summary failed" in process.stdout
    assert not (out / "analytics.duckdb").exists()
    assert not list((out / "bulletins").glob("*/national.html"))  # no figures published
    assert (out / "bulletins" / "deliveries.html").exists()  # what was delivered still is
    report = (out / "quality" / "index.html").read_text(encoding="utf-8")
    assert 'data-suite="cohort_reconciliation"' in report and "ไม่ผ่าน" in report
    # the failure, and the sources with no recent delivery, e-mailed to the data team
    failure = next(m for m in mailbox.messages if m["Subject"] == "[backtoschool] run of warehouse failed")
    assert "blocking quality check gx_cohort_reconciliation on marts/status_summary failed" in failure.get_content()
    assert failure["To"] == "data-team@example.org"
    assert "[backtoschool] no recent delivery from ovec" in mailbox.subjects()  # its only list: January

"""The Dagster code location, checked without running it: what the UI shows, which
checks block publication, the schedule's report dates and the dbt command."""

from __future__ import annotations

from datetime import date

from dagster import AssetKey

from orchestration.definitions import defs
from orchestration.jobs import weekly_report_dates
from orchestration.quality.suites import load_suites
from orchestration.raw.contract import SOURCES
from orchestration.reporting.assets import analytics_copy, national_bulletins
from orchestration.transformation.assets import dbt_build_args


def _keys() -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_one_raw_asset_per_source_then_dbt_then_publication():
    keys = _keys()
    assert {f"raw/{spec.table}" for spec in SOURCES} | {"raw/load_manifest"} <= keys
    assert {"staging/stg_obec_dmc__dropouts", "intermediate/int_cohort_children", "marts/fct_child_status",
            "marts/status_summary", "marts/status_transitions", "reference/geography"} <= keys
    assert {"publication/analytics_copy", "publication/national_bulletins"} <= keys


def test_dbt_sources_are_the_raw_assets():
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey(["staging", "stg_tracking__events"])).parent_keys
    assert AssetKey(["raw", "tracking__events"]) in parents


def test_publication_depends_directly_on_every_asset_with_a_blocking_suite():
    blocking = {AssetKey(list(suite.asset)) for suite in load_suites() if suite.blocking}
    assert blocking == {
        AssetKey(["intermediate", "int_child_list_rows"]), AssetKey(["intermediate", "int_tracking_event_rows"]),
        AssetKey(["intermediate", "int_tracking_events"]), AssetKey(["marts", "fct_child_status"]),
        AssetKey(["marts", "status_summary"]),
    }
    for publication in (analytics_copy, national_bulletins):
        upstream = set(publication.asset_deps[publication.key])
        assert blocking <= upstream


def test_every_suite_is_an_asset_check_with_its_blocking_flag():
    graph = defs.resolve_asset_graph()
    checks = {key.name: graph.get_check_spec(key) for key in graph.asset_check_keys}
    for suite in load_suites():
        spec = checks[f"gx_{suite.name}"]
        assert spec.asset_key == AssetKey(list(suite.asset))
        assert spec.blocking is suite.blocking


def test_the_job_runs_in_one_process():
    job = defs.resolve_job_def("warehouse")
    assert job.executor_def.name == "in_process"


def test_weekly_report_dates_are_the_last_two_sundays():
    assert weekly_report_dates(date(2022, 8, 1)) == ["2022-07-24", "2022-07-31"]  # a Monday
    assert weekly_report_dates(date(2022, 7, 31)) == ["2022-07-17", "2022-07-24"]  # a Sunday: the one before


def test_dbt_is_built_with_the_report_dates_as_vars():
    assert dbt_build_args(["2022-05-31", "2022-07-27"]) == [
        "build", "--vars", '{"report_dates": ["2022-05-31", "2022-07-27"]}'
    ]

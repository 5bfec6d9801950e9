"""The Dagster code location, checked without running it: what the UI shows, which
checks block publication, the schedule's report dates and the dbt command."""

from __future__ import annotations

import os
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


def test_dbt_is_built_on_the_engine_with_the_report_dates_in_the_environment(tmp_path, monkeypatch):
    """Not as --vars: dbt would parse the whole project again at each new set of dates."""
    from orchestration.settings import WarehouseSettings

    for name in ("BACKTOSCHOOL_REPORT_DATES", "BACKTOSCHOOL_WAREHOUSE"):  # restored after the test
        monkeypatch.setenv(name, os.environ.get(name, ""))
    assert dbt_build_args("duckdb") == ["build", "--target", "duckdb"]
    assert dbt_build_args("spark") == ["build", "--target", "spark"]
    settings = WarehouseSettings(landing_dir=str(tmp_path), out_dir=str(tmp_path / "out"),
                                 report_dates="2022-07-27, 2022-05-31", engine="duckdb")
    settings.prepare_dbt_environment()
    assert os.environ["BACKTOSCHOOL_REPORT_DATES"] == "2022-05-31,2022-07-27"


PYTHON_STEPS = {  # key → (an input built by the dbt stage before it, a model of the stage after it reads it)
    "intermediate/int_place_name_resolutions": ("intermediate/int_delivered_places", "intermediate/int_child_list_rows"),
    "intermediate/int_identity_match_pairs": ("intermediate/int_identity_records", "intermediate/int_identity_review_queue"),
    "intermediate/int_child_identities": ("intermediate/int_identity_records", "intermediate/int_child_listings_resolved"),
    "marts/bulletin_protected_cells": ("marts/bulletin_school_counts", "marts/bulletin_school_table"),
}


def _dbt_stage_of(key: AssetKey) -> str:
    from orchestration.transformation.assets import warehouse_dbt_assets

    [stage] = [assets.node_def.name for assets in warehouse_dbt_assets if key in assets.keys]
    return stage


def test_the_python_steps_are_assets_between_dbt_stages_in_order():
    graph = defs.resolve_asset_graph()
    stages = []
    for name, (before, after) in PYTHON_STEPS.items():
        key, before, after = AssetKey.from_user_string(name), AssetKey.from_user_string(before), AssetKey.from_user_string(after)
        assert before in graph.get(key).parent_keys and key in graph.get(after).parent_keys
        assert not graph.get(key).is_external
        stages.append((_dbt_stage_of(before), _dbt_stage_of(after)))
    assert stages == [
        ("dbt_before_place_matching", "dbt_before_linkage"),
        ("dbt_before_linkage", "dbt_before_protection"),
        ("dbt_before_linkage", "dbt_before_protection"),
        ("dbt_before_protection", "dbt_after_protection"),
    ]


def test_the_dbt_stages_split_at_the_python_steps_sources():
    from orchestration.transformation.assets import dbt_stages

    assert [(s.name, s.select, s.exclude) for s in dbt_stages()] == [
        ("dbt_before_place_matching", "fqn:*", "source:places+ source:identity+ source:bulletin+"),
        ("dbt_before_linkage", "source:places+", "source:identity+ source:bulletin+"),
        ("dbt_before_protection", "source:identity+", "source:bulletin+"),
        ("dbt_after_protection", "source:bulletin+", None),
    ]


def test_the_python_steps_tests_are_their_asset_checks():
    graph = defs.resolve_asset_graph()
    checks = {key.name for key in graph.asset_check_keys
              if key.asset_key == AssetKey(["marts", "bulletin_protected_cells"])}
    assert {"no_count_of_1_to_4_is_printed_below_national_level", "a_cell_is_either_printed_or_hidden",
            "source_not_null_bulletin_bulletin_protected_cells_report_date",
            "source_printed_counts_are_exact_bulletin_bulletin_protected_cells_"} <= checks  # several parents
    assert any(key.name.startswith("source_relationships_places_int_place_name_resolutions_province_code")
               and key.asset_key == AssetKey(["intermediate", "int_place_name_resolutions"])
               for key in graph.asset_check_keys)
    for name in PYTHON_STEPS:
        key = AssetKey.from_user_string(name)
        assert any(check.asset_key == key for check in graph.asset_check_keys), name


def test_the_python_steps_settings_are_the_dbt_vars():
    from orchestration.transformation.python_steps import step_settings

    assert step_settings(AssetKey(["intermediate", "int_place_name_resolutions"])) == {"min_score": 70, "min_margin": 10}
    assert step_settings(AssetKey(["intermediate", "int_identity_match_pairs"])) == {"review_threshold": 0.5}
    assert step_settings(AssetKey(["intermediate", "int_child_identities"])) == {
        "merge_threshold": 0.95, "review_threshold": 0.5}


def test_the_dbt_resource_overrides_hooks_dagster_dbt_still_has():
    """WarehouseDbtCli replaces two private members of DbtCliResource; if dagster-dbt
    renames them, the overrides would silently stop saving the time they save."""
    from dagster_dbt import DbtCliResource

    from orchestration.transformation.assets import WarehouseDbtCli, dbt_resource

    for name in ("_initialize_dbt_core_adapter", "_cli_version"):
        assert name in vars(DbtCliResource) and name in vars(WarehouseDbtCli)
    resource = dbt_resource()
    assert resource._initialize_dbt_core_adapter(["build"]) is None
    assert resource._cli_version.major == 1

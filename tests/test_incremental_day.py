"""A weekly run on last week's output folder: one new tracking export and one more
report date. It keeps what the new export does not change (orchestration/build_ledger.py:
the lists' tables, place matching, the linkage) and must give exactly the warehouse and
bulletins of a fresh run on the same files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from benchmarks.new_export import write_new_export
from orchestration.runner import run_warehouse

# Not compared: when each run loaded a file, and the ledger itself (its versions are
# per run by design).
RUN_TIME_COLUMNS = ("loaded_at", "_loaded_at")
LIST_SIDE = ("staging/stg_obec_dmc__dropouts", "intermediate/int_child_list_rows",
             "intermediate/int_place_name_resolutions", "intermediate/int_identity_match_pairs",
             "intermediate/int_child_identities", "intermediate/int_cohort_children")


def _tables(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema <> 'meta' order by all").fetchall()
        tables = {}
        for schema, name in names:
            columns = [row[0] for row in connection.execute(f'describe "{schema}"."{name}"').fetchall()
                       if row[0] not in RUN_TIME_COLUMNS]
            selected = ", ".join(f'"{column}"' for column in columns)
            tables[f"{schema}.{name}"] = connection.execute(
                f'select {selected} from "{schema}"."{name}" order by all').fetchall()
    return tables


def _versions(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return dict(connection.execute("select asset_key, version from meta.build_ledger").fetchall())


def _tests_skipped_on_rebuilt_tables(target: Path) -> list[str]:
    """The dbt tests of a table this run rebuilt that no stage ran, e.g. a relationship
    of a rebuilt table with a kept one (dbt leaves it out with the kept table unless told
    otherwise)."""
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    results = [result for path in target.glob("run_results.dbt_*.json")
               for result in json.loads(path.read_text(encoding="utf-8"))["results"]]
    rebuilt = {result["unique_id"] for result in results if result["unique_id"].startswith(("model.", "seed."))}
    ran = {result["unique_id"] for result in results}
    return sorted(unique_id for unique_id, node in manifest["nodes"].items()
                  if node["resource_type"] == "test" and rebuilt & set(node["depends_on"]["nodes"])
                  and unique_id not in ran)


def _pages(bulletins: Path) -> dict[str, bytes]:
    return {str(path.relative_to(bulletins)): path.read_bytes()
            for path in sorted(bulletins.glob("20*/**/*")) if path.suffix in (".html", ".json") and path.is_file()}


@pytest.mark.slow
def test_weekly_run_keeping_tables_equals_a_fresh_run(national, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKTOSCHOOL_PDF", "none")  # the pages are compared; PDFs are rendered from them
    landing, weekly, fresh = tmp_path / "landing", tmp_path / "weekly", tmp_path / "fresh"
    shutil.copytree(national.landing, landing, copy_function=os.link)
    shutil.copytree(national.out, weekly, symlinks=True)
    _, export_date, _ = write_new_export(landing, 400)
    dates = [*national.truth_dates(), export_date]
    before = _versions(weekly / "warehouse.duckdb")

    outcome = run_warehouse(landing, weekly, dates)
    assert outcome.ok, outcome.reason
    after = _versions(weekly / "warehouse.duckdb")
    assert {key: after[key] for key in LIST_SIDE} == {key: before[key] for key in LIST_SIDE}
    assert after["intermediate/int_tracking_events"] != before["intermediate/int_tracking_events"]
    assert _tests_skipped_on_rebuilt_tables(weekly / "dbt_target") == []

    outcome = run_warehouse(landing, fresh, dates)
    assert outcome.ok, outcome.reason
    weekly_tables, fresh_tables = _tables(weekly / "warehouse.duckdb"), _tables(fresh / "warehouse.duckdb")
    assert sorted(weekly_tables) == sorted(fresh_tables)
    differing = [name for name in fresh_tables if weekly_tables[name] != fresh_tables[name]]
    assert differing == []
    assert len(fresh_tables["marts.dim_report_dates"]) == len(dates)
    weekly_pages, fresh_pages = _pages(weekly / "bulletins"), _pages(fresh / "bulletins")
    assert len(fresh_pages) > 2 * len(dates) and f"{export_date.isoformat()}/national.html" in fresh_pages
    assert weekly_pages == fresh_pages

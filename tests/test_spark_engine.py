"""The same warehouse on Spark: one generated landing set through the whole flow twice,
`--engine duckdb` and `--engine spark` (dbt-spark in a local session, splink on Spark),
and the figures must be the same — the marts the analysts read and every number printed
in the bulletins.

Slow (about ten minutes on 2 cores: the Spark run starts a JVM for each of its dbt
stages and for the linkage), so it runs in CI's slow suite, not in `make test`."""

from __future__ import annotations

import subprocess
from datetime import date

import duckdb
import pandas as pd
import pytest

from orchestration.generator import generate
from orchestration.paths import PROJECT_ROOT
from orchestration.runner import run_warehouse
from tests.e2e_support import FinishedRun, personal_data_found, read_bulletin

pytestmark = pytest.mark.slow

SPARK_LEFTOVERS = ("metastore_db", "derby.log", "spark-warehouse", "checkpoints")
# When each run loaded a file: a fact about the run, not a figure (the runs are minutes apart).
RUN_TIME_COLUMNS = {"loaded_at"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, FinishedRun]:
    root = tmp_path_factory.mktemp("engines")
    landing = root / "landing"
    # the national scenario: all five agencies, every quirk, rows to link and places to match
    generate(landing, scenario="national", children=600, seed=23)
    tracked_before = _untracked_files()
    runs = {}
    for engine in ("duckdb", "spark"):
        run = FinishedRun(landing, root / engine)
        outcome = run_warehouse(landing, run.out, run.truth_dates(), engine=engine)
        assert outcome.ok, f"{engine}: {outcome.reason}"
        runs[engine] = run
    assert _untracked_files() == tracked_before, "the Spark run left files in the work tree"
    return runs


def _untracked_files() -> set[str]:
    listing = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
                             cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    return {line[3:] for line in listing.splitlines() if any(name in line for name in SPARK_LEFTOVERS)}


def _published(run: FinishedRun) -> dict[str, pd.DataFrame]:
    """Every table of the analysts' copy, values as text in a fixed order: the engines
    store some types differently (a Spark decimal is a DuckDB double), figures may not."""
    tables = {}
    with duckdb.connect(str(run.out / "analytics.duckdb"), read_only=True) as connection:
        names = [f"{s}.{t}" for s, t in connection.execute(
            "select table_schema, table_name from information_schema.tables order by 1, 2").fetchall()]
        for name in names:
            columns = [c for (c,) in connection.execute(
                "select column_name from information_schema.columns"
                " where table_schema || '.' || table_name = ? order by ordinal_position", [name]).fetchall()
                if c not in RUN_TIME_COLUMNS]
            as_text = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in columns)
            frame = connection.execute(f"select {as_text} from {name}").df()
            tables[name] = frame.sort_values(columns, na_position="first").reset_index(drop=True)
    return tables


def test_the_analysts_copy_has_the_same_tables_and_figures_on_both_engines(runs):
    duck, spark = _published(runs["duckdb"]), _published(runs["spark"])
    assert sorted(spark) == sorted(duck)
    assert "marts.status_summary" in duck and "marts.status_transitions" in duck
    assert len(duck["marts.status_summary"]) > 100
    different = [name for name in duck if not duck[name].equals(spark[name])]
    assert different == [], {name: (len(duck[name]), len(spark[name])) for name in different}


INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}


def _column_types(run: FinishedRun) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(run.out / "analytics.duckdb"), read_only=True) as connection:
        return {(table, column): kind for table, column, kind in connection.execute(
            "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns"
        ).fetchall()}


def test_the_analysts_copy_has_the_same_columns_and_types_but_integer_widths(runs):
    """DuckDB sums integers into HUGEINT and Spark into BIGINT, and a few counts are
    INTEGER on Spark: the one difference analysts' tools can see (README, "Running on
    Spark"). Any other type must be the same."""
    duck, spark = _column_types(runs["duckdb"]), _column_types(runs["spark"])
    assert list(spark) == list(duck)
    different = {column: (duck[column], spark[column]) for column in duck if duck[column] != spark[column]}
    assert all(set(kinds) <= INTEGER_TYPES for kinds in different.values()), different


def _bulletin_pages(bulletins: Path) -> list[Path]:
    """Every published bulletin page (national and provincial, each report date), by the
    names readers open: a date's folder is a link to its current release."""
    dates = [folder for folder in bulletins.iterdir() if folder.is_dir() and not folder.name.startswith((".", "docs"))]
    return sorted(page.relative_to(bulletins) for folder in dates for page in folder.glob("**/*.html"))


def test_every_bulletin_prints_the_same_numbers_on_both_engines(runs):
    duck, spark = (runs[engine].out / "bulletins" for engine in ("duckdb", "spark"))
    pages = _bulletin_pages(duck)
    assert pages == _bulletin_pages(spark)
    assert len([p for p in pages if p.name == "national.html"]) == len(runs["duckdb"].truth_dates())
    assert len(pages) > 100  # and the provinces' pages
    for page in pages:
        assert read_bulletin(duck / page).tables == read_bulletin(spark / page).tables, page


def test_no_personal_data_in_what_the_spark_run_publishes(runs):
    """The privacy scan of the national flow (identifiers, full names, birth dates) over
    the Spark run's analysts' copy and pages."""
    assert personal_data_found(runs["spark"]) == []


def test_the_spark_run_keeps_its_files_under_the_output_folder(runs):
    spark_dir = runs["spark"].out / "spark"
    assert (spark_dir / "warehouse" / "marts.db" / "status_summary").is_dir()
    assert (spark_dir / "metastore_db").is_dir()
    assert not (runs["duckdb"].out / "spark").exists()
    # on Spark the warehouse file holds no data: only views over Spark's Parquet
    with duckdb.connect(str(runs["spark"].out / "warehouse.duckdb"), read_only=True) as connection:
        kinds = {kind for (kind,) in connection.execute(
            "select distinct table_type from information_schema.tables").fetchall()}
    assert kinds == {"VIEW"}


def test_an_output_folder_stays_with_its_engine(runs):
    outcome = run_warehouse(runs["spark"].landing, runs["duckdb"].out, [date(2022, 5, 31)], engine="spark")
    assert not outcome.ok and "duckdb" in outcome.reason

"""Record linkage on splink's Spark backend (the Spark engine's record_linkage step)
gives what the DuckDB backend gives, and its Spark session leaves nothing behind: no file
outside the run's Spark folder, no JVM."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from orchestration.generator import generate
from orchestration.identity.assets import CHILD_IDENTITIES, MATCH_PAIRS
from orchestration.identity.linkage import Thresholds, duckdb_linkage_api, find_match_pairs, resolve_identities
from orchestration.identity.spark_session import spark_linkage_api
from orchestration.runner import run_warehouse
from orchestration.transformation.python_steps import step_settings
from tests.e2e_support import FinishedRun

pytestmark = pytest.mark.slow

# Fewer rows than splink's u sample for 2e6 pairs (~2,000): both engines then count u on
# every pair and must agree to rounding; a larger input samples rows by hash, per engine.
CHILDREN = 1_000
MOST_ROWS = 2_000
PROBABILITY_TOLERANCE = 1e-9


@dataclass
class Linked:
    records: pd.DataFrame
    duckdb_pairs: pd.DataFrame
    spark_pairs: pd.DataFrame
    duckdb_seconds: float
    spark_seconds: float
    spark_dir: Path
    work_dir: Path
    jvm: object  # the JVM's process, as pyspark started it
    run: FinishedRun


@pytest.fixture(scope="module")
def linked(tmp_path_factory) -> Linked:
    root = tmp_path_factory.mktemp("linkage_spark")
    generate(root / "landing", scenario="linkage", children=CHILDREN, seed=2)
    run = FinishedRun(root / "landing", root / "out")
    outcome = run_warehouse(run.landing, run.out, [date(2022, 5, 31), date(2022, 9, 30)])
    assert outcome.ok, outcome.reason
    records = run.frame("select * from intermediate.int_identity_records")
    threshold = float(step_settings(MATCH_PAIRS)["review_threshold"])

    started = time.perf_counter()
    duckdb_pairs = find_match_pairs(records, review_threshold=threshold, backend=duckdb_linkage_api)
    duckdb_seconds = time.perf_counter() - started

    spark_dir, work_dir = run.out / "spark", root / "work"
    work_dir.mkdir()
    jvm = []

    @contextmanager
    def watched_spark_api():
        from pyspark import SparkContext

        with spark_linkage_api(spark_dir) as api:
            jvm.append(SparkContext._gateway.proc)
            yield api

    cwd = Path.cwd()
    os.chdir(work_dir)  # where Spark would drop spark-warehouse/, metastore_db/, derby.log
    try:
        started = time.perf_counter()
        spark_pairs = find_match_pairs(records, review_threshold=threshold, backend=watched_spark_api)
        spark_seconds = time.perf_counter() - started
    finally:
        os.chdir(cwd)
    print(f"\nrecord linkage on {len(records)} rows: DuckDB {len(duckdb_pairs)} pairs in {duckdb_seconds:.1f} s, "
          f"Spark {len(spark_pairs)} pairs in {spark_seconds:.1f} s")
    return Linked(records, duckdb_pairs, spark_pairs, duckdb_seconds, spark_seconds, spark_dir, work_dir, jvm[0], run)


def test_spark_finds_the_same_pairs_as_duckdb(linked):
    assert len(linked.records) < MOST_ROWS
    assert len(linked.duckdb_pairs) > 100
    duckdb_pairs, spark_pairs = linked.duckdb_pairs, linked.spark_pairs
    assert list(spark_pairs.columns) == list(duckdb_pairs.columns)
    assert spark_pairs.dtypes.to_dict() == duckdb_pairs.dtypes.to_dict()
    # both in key order, so row for row
    assert spark_pairs["row_key_l"].tolist() == duckdb_pairs["row_key_l"].tolist()
    assert spark_pairs["row_key_r"].tolist() == duckdb_pairs["row_key_r"].tolist()
    assert spark_pairs["names_agree"].tolist() == duckdb_pairs["names_agree"].tolist()
    differences = (spark_pairs["match_probability"] - duckdb_pairs["match_probability"]).abs()
    assert differences.max() <= PROBABILITY_TOLERANCE


def test_spark_pairs_give_the_same_identities(linked):
    limits = step_settings(CHILD_IDENTITIES)
    thresholds = Thresholds(merge=float(limits["merge_threshold"]), review=float(limits["review_threshold"]))
    on_duckdb = resolve_identities(linked.records, linked.duckdb_pairs, thresholds)
    on_spark = resolve_identities(linked.records, linked.spark_pairs, thresholds)
    decided = ["row_key", "identity_key", "link_rule", "linked_to_row"]
    pd.testing.assert_frame_equal(on_spark[decided], on_duckdb[decided])
    assert (on_spark["link_rule"] == "probabilistic").sum() > 100
    differences = (on_spark["match_probability"] - on_duckdb["match_probability"]).abs()
    assert differences.max() <= PROBABILITY_TOLERANCE
    assert on_spark["match_probability"].isna().equals(on_duckdb["match_probability"].isna())


def test_spark_writes_only_under_its_folder_and_ends_its_jvm(linked):
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    assert list(linked.work_dir.iterdir()) == []  # no spark-warehouse/, metastore_db/, derby.log
    assert {p.name for p in linked.spark_dir.iterdir()} <= {"tmp", "checkpoints", "warehouse"}
    assert list((linked.spark_dir / "checkpoints").iterdir()) == []  # splink's tables, removed
    assert list((linked.spark_dir / "tmp").iterdir()) == []  # Spark's scratch, removed by its JVM on exit
    assert not (linked.spark_dir / "metastore_db").exists()  # the in-memory catalog, not dbt's Derby
    assert linked.jvm.poll() is not None  # the JVM exited
    assert SparkContext._active_spark_context is None and SparkContext._gateway is None
    assert SparkSession.getActiveSession() is None


def test_a_second_spark_step_starts_a_new_jvm_with_its_own_folder(linked, tmp_path):
    """Each step's JVM is new, so its folder settings apply (a kept JVM would go on
    writing under the first step's folder)."""
    paired = set(linked.duckdb_pairs["row_key_l"].head(30)) | set(linked.duckdb_pairs["row_key_r"].head(30))
    records = linked.records[linked.records["row_key"].isin(paired)].reset_index(drop=True)
    scratch = []

    @contextmanager
    def watched_spark_api():
        from pyspark import SparkContext

        with spark_linkage_api(tmp_path / "spark") as api:
            scratch.extend(p.name for p in (tmp_path / "spark" / "tmp").iterdir())
            assert SparkContext._gateway.proc.pid != linked.jvm.pid
            yield api

    pairs = find_match_pairs(records, review_threshold=0.5, backend=watched_spark_api)
    expected = find_match_pairs(records, review_threshold=0.5)
    assert any(name.startswith("blockmgr-") for name in scratch)  # Spark's scratch, in this step's folder
    assert len(expected) > 0
    assert pairs[["row_key_l", "row_key_r", "names_agree"]].equals(expected[["row_key_l", "row_key_r", "names_agree"]])


def test_the_record_linkage_step_on_the_spark_engine(linked, tmp_path):
    """The step itself, with the engine set to Spark, in a Spark output folder: it reads
    its records where dbt on Spark leaves them, stores Spark's pairs as Parquet
    (ParquetTables), and its session works in the run's Spark folder."""
    import duckdb
    from dagster import materialize

    from orchestration.identity.assets import record_linkage
    from orchestration.settings import WarehouseSettings
    from orchestration.warehouse_tables import ParquetTables

    run = linked.run
    settings = WarehouseSettings(landing_dir=str(run.landing), out_dir=str(tmp_path / "out"),
                                 report_dates="2022-05-31,2022-09-30", engine="spark")
    records = settings.spark_dir / "warehouse" / "intermediate.db" / "int_identity_records"
    records.mkdir(parents=True)
    with duckdb.connect(str(run.warehouse), read_only=True) as connection:
        connection.execute(f"copy intermediate.int_identity_records to '{records / 'part-00000.parquet'}' (format parquet)")
    result = materialize([record_linkage], resources={"settings": settings})
    assert result.success
    stored = (ParquetTables(settings).read("intermediate.int_identity_match_pairs")
              .sort_values(["row_key_l", "row_key_r"], ignore_index=True))
    assert stored["row_key_l"].tolist() == linked.spark_pairs["row_key_l"].tolist()
    assert stored["row_key_r"].tolist() == linked.spark_pairs["row_key_r"].tolist()
    assert stored["names_agree"].tolist() == linked.spark_pairs["names_agree"].tolist()
    assert (stored["match_probability"] - linked.spark_pairs["match_probability"]).abs().max() <= PROBABILITY_TOLERANCE
    assert len(ParquetTables(settings).read("intermediate.int_child_identities")) == len(
        run.frame("select * from intermediate.int_identity_records"))
    assert {p.name for p in settings.spark_dir.iterdir()} <= {"tmp", "checkpoints", "warehouse", "tables"}
    assert not any((settings.spark_dir / "checkpoints").iterdir())  # the session's scratch is gone

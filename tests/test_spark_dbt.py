"""dbt on the Spark engine, checked without starting Spark: the profile's spark output as
the orchestration renders it, the environment it prepares, the project's Spark-only
configuration, and the engine an output folder is bound to. (The build on Spark itself
is the slow end-to-end test's.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from dbt.config.profile import Profile, read_profile
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context

from orchestration import cli, output_engine
from orchestration.child_key import child_key, hmac_pads, load_or_create_key
from orchestration.paths import DBT_PROJECT_DIR
from orchestration.runner import RunOutcome, run_warehouse
from orchestration.settings import (
    CHILD_KEY_PAD_ENVS, ENGINE_ENV, SPARK_DIR_ENV, SPARK_SOURCES_ENV, WAREHOUSE_ENV, WarehouseSettings,
)

SPARK_ENVS = (SPARK_DIR_ENV, *CHILD_KEY_PAD_ENVS, SPARK_SOURCES_ENV, "SPARK_LOCAL_IP")


@pytest.fixture
def clean_env(monkeypatch) -> pytest.MonkeyPatch:
    """Whatever prepare_dbt_environment sets is put back after the test."""
    for name in (*SPARK_ENVS, WAREHOUSE_ENV, ENGINE_ENV):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _settings(out: Path, engine: str) -> WarehouseSettings:
    return WarehouseSettings(landing_dir=str(out / "landing"), out_dir=str(out), report_dates="2022-05-31",
                             engine=engine)


def _rendered_output(target: str) -> dict:
    """The profile's output as dbt renders it from this process's environment."""
    set_invocation_context(os.environ)
    raw = read_profile(str(DBT_PROJECT_DIR))["backtoschool"]
    name, output = Profile.render_profile(raw, "backtoschool", target, ProfileRenderer({}))
    assert name == target
    return output


def test_the_spark_output_keeps_everything_under_the_out_folder_and_on_loopback(tmp_path, clean_env):
    settings = _settings(tmp_path / "out", "spark")
    settings.prepare_dbt_environment()
    spark_dir = tmp_path / "out" / "spark"
    assert spark_dir.is_dir() and os.environ["SPARK_LOCAL_IP"] == "127.0.0.1"

    output = _rendered_output("spark")
    ipad, opad = hmac_pads(load_or_create_key())
    assert {key: output[key] for key in ("type", "method", "threads")} == {"type": "spark", "method": "session", "threads": 1}
    assert output["server_side_parameters"] == {
        "spark.master": "local[2]",
        "spark.driver.memory": "4g",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.local.dir": f"{spark_dir}/tmp",
        "spark.sql.warehouse.dir": f"{spark_dir}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        "spark.hadoop.hive.exec.scratchdir": f"{spark_dir}/hive-scratch",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
    }
    # the pads (as secret as the key) reach Spark through the environment, not as confs,
    # which would be arguments of the JVM's command line
    assert os.environ["BACKTOSCHOOL_CHILD_KEY_IPAD"] == ipad and os.environ["BACKTOSCHOOL_CHILD_KEY_OPAD"] == opad
    assert not any(pad in str(output) for pad in (ipad, opad))


def test_the_duckdb_output_needs_no_spark_variable(tmp_path, clean_env):
    settings = _settings(tmp_path / "out", "duckdb")
    settings.prepare_dbt_environment()
    assert not any(name in os.environ for name in SPARK_ENVS)
    assert not (tmp_path / "out" / "spark").exists()
    assert _rendered_output("duckdb")["path"] == str(tmp_path / "out" / "warehouse.duckdb")


def test_the_pads_give_the_child_key_as_spark_computes_it():
    key = bytes(range(32))
    ipad, opad = hmac_pads(key)
    assert len(ipad) == len(opad) == 128
    for child_id in ("1101700203451", "G6400012345", "ด.ช. สมชาย"):
        inner = hashlib.sha256(bytes.fromhex(ipad) + child_id.encode("utf-8")).digest()
        assert hashlib.sha256(bytes.fromhex(opad) + inner).hexdigest() == child_key(key, child_id)
    assert child_key(key, "1101700203451") == hmac.new(key, b"1101700203451", hashlib.sha256).hexdigest()
    with pytest.raises(ValueError, match="at most 64 bytes"):
        hmac_pads(bytes(65))


def test_only_dagster_tables_with_a_parquet_file_are_registered(tmp_path, clean_env):
    spark_dir = tmp_path / "out" / "spark"
    for path in ("tables/raw/tracking__events/abc.parquet", "tables/raw/load_manifest/part-0.parquet",
                 "tables/intermediate/int_child_identities/.part-0.parquet.writing",
                 "warehouse/marts.db/status_summary/part-00000.parquet"):
        (spark_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (spark_dir / path).write_bytes(b"")
    (spark_dir / "tables" / "marts" / "bulletin_protected_cells").mkdir(parents=True)

    _settings(tmp_path / "out", "spark").prepare_dbt_environment()
    assert os.environ[SPARK_SOURCES_ENV] == "raw.load_manifest raw.tracking__events"


def _parsed_nodes(tmp_path: Path, target: str) -> dict:
    """`dbt parse` on a target (no connection, no JVM): the manifest's nodes."""
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "parse", "--target", target,
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / target), "--no-partial-parse"],
        capture_output=True, text=True, env=os.environ)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads((tmp_path / target / "manifest.json").read_text(encoding="utf-8"))["nodes"]


def test_staging_is_rebuilt_whole_on_spark_and_by_file_on_duckdb(tmp_path, clean_env):
    _settings(tmp_path / "out", "spark").prepare_dbt_environment()
    for target, materialized in (("spark", "table"), ("duckdb", "incremental")):
        nodes = _parsed_nodes(tmp_path, target)
        staging = {node["name"]: node["config"]["materialized"] for node in nodes.values()
                   if node["resource_type"] == "model" and node["schema"] == "staging"}
        assert len(staging) == 6 and set(staging.values()) == {materialized}
        [hook] = [node for node in nodes.values() if node["resource_type"] == "operation"]
        assert hook["unique_id"] == "operation.backtoschool.backtoschool-on-run-start-0"
        assert hook["raw_code"] == "{{ register_dagster_tables() }}"


def test_an_output_folder_keeps_the_engine_of_its_first_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert output_engine.built_on(out) is None
    assert output_engine.claim(out, "spark") is None
    assert (out / "engine").read_text(encoding="utf-8") == "spark\n"
    assert output_engine.claim(out, "spark") is None
    assert output_engine.claim(out, "duckdb") == (
        f"{out} was built on spark, not duckdb: a run cannot mix the two engines' warehouses; "
        f"give another --out for a duckdb run (or run with --engine spark)")


def test_a_folder_from_before_the_marker_was_built_on_duckdb(tmp_path):
    (tmp_path / "warehouse.duckdb").write_bytes(b"")
    assert output_engine.built_on(tmp_path) == "duckdb"
    assert output_engine.claim(tmp_path, "spark").startswith(f"{tmp_path} was built on duckdb, not spark")
    assert output_engine.claim(tmp_path, "duckdb") is None
    assert (tmp_path / "engine").read_text(encoding="utf-8") == "duckdb\n"


def test_a_run_on_the_other_engine_is_refused_before_it_starts(tmp_path, clean_env):
    landing, out = tmp_path / "landing", tmp_path / "out"
    landing.mkdir()
    out.mkdir()
    (out / "engine").write_text("duckdb\n", encoding="utf-8")
    outcome = run_warehouse(landing, out, [date(2022, 5, 31)], engine="spark")
    assert not outcome.ok
    assert outcome.reason.endswith("give another --out for a spark run (or run with --engine duckdb)")
    assert ENGINE_ENV not in os.environ and sorted(p.name for p in out.iterdir()) == ["engine"]

    outcome = run_warehouse(landing, out, [date(2022, 5, 31)], engine="oracle")
    assert (outcome.ok, outcome.reason) == (False, "engine 'oracle' is not one of duckdb, spark")


@pytest.mark.parametrize(("env", "flag", "engine"), [
    (None, [], "duckdb"), ("spark", [], "spark"), ("spark", ["--engine", "duckdb"], "duckdb"),
    (None, ["--engine", "spark"], "spark"),
])
def test_the_run_command_chooses_the_engine(monkeypatch, tmp_path, env, flag, engine):
    if env is None:
        monkeypatch.delenv(ENGINE_ENV, raising=False)
    else:
        monkeypatch.setenv(ENGINE_ENV, env)
    calls = []
    monkeypatch.setattr(cli, "run_warehouse", lambda *args, **kwargs: calls.append(kwargs) or RunOutcome(True, None))
    argv = ["run", "--landing", str(tmp_path), "--out", str(tmp_path / "out"), "--report-date", "2022-05-31", *flag]
    assert cli.main(argv) == 0
    assert calls == [{"verbose": False, "engine": engine, "rebuild": False}]


def test_every_run_refuses_an_output_folder_of_the_other_engine(tmp_path, clean_env):
    """Not only `backtoschool run`: a run from the UI, the schedule or the sensor stops at
    its first write (the raw store, or dbt's environment) with the same reason."""
    from orchestration.raw.storage import open_raw_store

    _settings(tmp_path / "out", "duckdb").claim_output()
    spark = _settings(tmp_path / "out", "spark")
    with pytest.raises(ValueError, match="was built on duckdb, not spark"):
        spark.prepare_dbt_environment()
    with pytest.raises(ValueError, match="was built on duckdb, not spark"), open_raw_store(spark):
        pass
    assert not (tmp_path / "out" / "spark").exists()

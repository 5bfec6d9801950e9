"""The tables Dagster writes on the Spark engine, as Parquet under OUT/spark/tables/ with
no JVM in this process: the raw layer loads exactly what it loads on DuckDB, survives a
crash between a file's rows and its manifest entry, and the Python steps' tables keep
their types through `ParquetTables`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dagster import materialize

from orchestration.generator import generate
from orchestration.raw.assets import load_manifest, raw_source_assets
from orchestration.raw.contract import SOURCES, SOURCES_BY_NAME
from orchestration.raw.loader import MANIFEST_TABLE, load_source
from orchestration.raw.storage import EMPTY_FILE, DuckDBRawStore, ParquetRawStore
from orchestration.settings import WarehouseSettings
from orchestration.spark_catalog import dagster_table_dir
from orchestration.transformation.python_steps import warehouse_tables
from orchestration.warehouse_tables import ParquetTables

RAW_TABLES = [f"raw.{spec.table}" for spec in SOURCES] + [MANIFEST_TABLE]
WALL_CLOCK = ("_loaded_at", "loaded_at")  # when a file was loaded, not what was loaded


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    """A small generated delivery history (loaded, rejected and duplicate files) and a
    stray file at the landing root."""
    folder = tmp_path_factory.mktemp("landing")
    generate(folder, children=40, seed=3)
    (folder / "notes.txt").write_text("not a delivery\n", encoding="utf-8")
    return folder


def _settings(landing: Path, out: Path, engine: str) -> WarehouseSettings:
    return WarehouseSettings(landing_dir=str(landing), out_dir=str(out), report_dates="2022-06-30", engine=engine)


def _load_raw(settings: WarehouseSettings) -> dict[str, dict]:
    """Run the raw assets and load_manifest as Dagster does; their metadata by asset."""
    result = materialize([*raw_source_assets, load_manifest], resources={"settings": settings})
    assert result.success
    return {event.asset_key.to_user_string(): {key: value.value for key, value in
                                                event.materialization.metadata.items()}
            for event in result.get_asset_materialization_events()}


def _table(warehouse: Path, table: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    """(column names and types, every row but the wall clock, sorted) as DuckDB reads it."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        described = [(row[0], row[1]) for row in connection.execute(f"describe {table}").fetchall()]
        kept = ", ".join(f'"{name}"' for name, _ in described if name not in WALL_CLOCK)
        return described, connection.execute(f"select {kept} from {table} order by all").fetchall()


@pytest.fixture(scope="module")
def both_engines(landing, tmp_path_factory):
    outs = {engine: tmp_path_factory.mktemp(engine) for engine in ("duckdb", "spark")}
    metadata = {engine: _load_raw(_settings(landing, out, engine)) for engine, out in outs.items()}
    return outs, metadata


def test_spark_loads_every_raw_table_and_the_manifest_exactly_as_duckdb(both_engines):
    outs, metadata = both_engines
    for table in RAW_TABLES:
        on_duckdb = _table(outs["duckdb"] / "warehouse.duckdb", table)
        on_spark = _table(outs["spark"] / "warehouse.duckdb", table)  # the catalog's view of the Parquet
        assert on_spark == on_duckdb, table
    assert metadata["spark"] == metadata["duckdb"]
    statuses = {row[5] for row in _table(outs["spark"] / "warehouse.duckdb", MANIFEST_TABLE)[1]}
    assert statuses == {"loaded", "rejected", "duplicate_file"}
    assert metadata["spark"]["raw/load_manifest"]["files_rejected"] >= 3  # the stray file among them


def test_on_spark_the_warehouse_file_holds_only_views(both_engines):
    outs, _ = both_engines
    with duckdb.connect(str(outs["spark"] / "warehouse.duckdb"), read_only=True) as connection:
        kinds = dict(connection.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables").fetchall())
    assert kinds == {table: "VIEW" for table in RAW_TABLES}


def test_each_loaded_file_is_one_parquet_file_named_by_its_bytes(both_engines):
    outs, _ = both_engines
    settings = _settings(Path("."), outs["spark"], "spark")
    with duckdb.connect(str(outs["spark"] / "warehouse.duckdb"), read_only=True) as connection:
        loaded = connection.execute(
            f"select source, file_sha256 from {MANIFEST_TABLE} where load_status = 'loaded'").fetchall()
        entries = connection.execute(f"select count(*) from {MANIFEST_TABLE}").fetchall()[0][0]
    for spec in SOURCES:
        files = sorted(path.name for path in dagster_table_dir(settings, f"raw.{spec.table}").iterdir())
        assert files == sorted([EMPTY_FILE] + [f"{sha}.parquet" for source, sha in loaded if source == spec.source])
    manifest_files = list(dagster_table_dir(settings, MANIFEST_TABLE).iterdir())
    assert all(path.suffix == ".parquet" for path in manifest_files)
    assert len(manifest_files) == entries + 1  # one per entry, and the empty one


def test_a_rerun_on_spark_loads_nothing(both_engines, landing):
    outs, metadata = both_engines
    settings = _settings(landing, outs["spark"], "spark")
    before = {table: _table(settings.warehouse_path, table) for table in RAW_TABLES}
    again = _load_raw(settings)
    assert {table: _table(settings.warehouse_path, table) for table in RAW_TABLES} == before
    for spec in SOURCES:
        rerun = again[f"raw/{spec.table}"]
        assert (rerun["new_files_loaded"], rerun["new_files_rejected"], rerun["new_files_duplicate"]) == (0, 0, 0)
        assert rerun["rows_in_table"] == metadata["spark"][f"raw/{spec.table}"]["rows_in_table"]


class _Crash(BaseException):
    """A kill: nothing in the loader may catch it."""


def _crash_before_entries(monkeypatch) -> None:
    real_record = ParquetRawStore.record

    def record(self, entry):
        if entry["load_status"] == "loaded":
            raise _Crash(entry["file_name"])  # after the rows file was renamed into place
        real_record(self, entry)

    monkeypatch.setattr(ParquetRawStore, "record", record)


def _load_tracking(settings: WarehouseSettings) -> int:
    store = ParquetRawStore(settings)
    try:
        store.ensure_tables(SOURCES)
        load_source(store, SOURCES_BY_NAME["tracking"], settings.landing_path)
        return store.row_count(SOURCES_BY_NAME["tracking"])
    finally:
        store.close()


def _two_exports(folder: Path, landing: Path) -> Path:
    for name in ("tracking_2022-02-04.jsonl", "tracking_2022-02-18.jsonl"):
        (folder / "tracking").mkdir(parents=True, exist_ok=True)
        (folder / "tracking" / name).write_bytes((landing / "tracking" / name).read_bytes())
    return folder


def _rows_on_duckdb(landing: Path) -> int:
    with duckdb.connect() as connection:
        store = DuckDBRawStore(connection)
        store.ensure_tables(SOURCES)
        return load_source(store, SOURCES_BY_NAME["tracking"], landing).rows_loaded


def test_a_crash_between_the_rows_file_and_its_entry_loads_the_rows_once_on_the_next_run(
        tmp_path, landing, monkeypatch):
    settings = _settings(_two_exports(tmp_path / "landing", landing), tmp_path / "out", "spark")
    rows_folder = dagster_table_dir(settings, "raw.tracking__events")
    with monkeypatch.context() as patch:
        _crash_before_entries(patch)
        with pytest.raises(_Crash):
            _load_tracking(settings)
    assert len(list(rows_folder.glob("*.parquet"))) == 2  # the empty file and the unrecorded rows
    # what a writer killed mid-file leaves (publishing.build_file's scratch name)
    (rows_folder / ".leftover.parquet.building-0123456789ab").write_bytes(b"half a file")

    expected = _rows_on_duckdb(settings.landing_path)
    assert expected > 0
    assert _load_tracking(settings) == expected
    assert not list(rows_folder.glob(".*"))
    assert _load_tracking(settings) == expected  # and a further run adds nothing


def test_rows_a_crash_left_are_removed_when_their_file_is_gone_by_the_next_run(tmp_path, landing, monkeypatch):
    settings = _settings(_two_exports(tmp_path / "landing", landing), tmp_path / "out", "spark")
    with monkeypatch.context() as patch:
        _crash_before_entries(patch)
        with pytest.raises(_Crash):
            _load_tracking(settings)
    [first, second] = sorted((settings.landing_path / "tracking").iterdir())
    first.unlink()  # withdrawn by the sender before the next run
    assert _load_tracking(settings) == _rows_on_duckdb(settings.landing_path) > 0
    rows_folder = dagster_table_dir(settings, "raw.tracking__events")
    assert len(list(rows_folder.glob("*.parquet"))) == 2  # the empty file and the second export's


def test_a_changed_file_is_rejected_on_spark_as_on_duckdb(tmp_path, landing):
    results = {}
    for engine in ("duckdb", "spark"):
        folder = _two_exports(tmp_path / engine / "landing", landing)
        settings = _settings(folder, tmp_path / engine / "out", engine)
        _load_raw(settings)
        export = folder / "tracking" / "tracking_2022-02-04.jsonl"
        export.write_bytes(export.read_bytes() + export.read_bytes().splitlines(keepends=True)[0])
        results[engine] = (_load_raw(settings)["raw/tracking__events"], _table(settings.warehouse_path, MANIFEST_TABLE))
    assert results["spark"] == results["duckdb"]
    assert results["spark"][0]["new_files_rejected"] == 1
    assert "changed_file" in {row[6] for row in results["spark"][1][1]}


# --- the Python steps' tables -----------------------------------------------------------

TYPES = {"page": "string", "share": "double", "children": "bigint", "is_small": "boolean",
         "report_date": "date", "rank": "integer"}
DUCKDB_TYPES = [("page", "VARCHAR"), ("share", "DOUBLE"), ("children", "BIGINT"), ("is_small", "BOOLEAN"),
                ("report_date", "DATE"), ("rank", "INTEGER")]


def _spark_settings(tmp_path: Path) -> WarehouseSettings:
    return _settings(tmp_path / "landing", tmp_path / "out", "spark")


def _parquet_types(folder: Path) -> list[tuple[str, str]]:
    with duckdb.connect() as connection:
        return [(row[0], row[1]) for row in connection.execute(
            "describe select * from read_parquet(?)", [str(folder / "*.parquet")]).fetchall()]


def test_the_python_steps_use_parquet_tables_on_spark(tmp_path):
    assert isinstance(warehouse_tables(_spark_settings(tmp_path)), ParquetTables)


def test_parquet_tables_keep_every_type_and_nulls(tmp_path):
    settings = _spark_settings(tmp_path)
    tables = ParquetTables(settings)
    assert not tables.exists("marts.cells")
    frame = pd.DataFrame({"page": ["10", None], "share": [0.5, None], "children": [3_000_000_000, None],
                          "is_small": [True, None], "report_date": ["2022-05-31", None], "rank": [7, None]})
    tables.replace("marts.cells", frame, TYPES)
    assert tables.exists("marts.cells")
    folder = dagster_table_dir(settings, "marts.cells")
    assert _parquet_types(folder) == DUCKDB_TYPES
    back = tables.read("marts.cells")
    assert back.iloc[0].tolist() == ["10", 0.5, 3_000_000_000, True, pd.Timestamp(date(2022, 5, 31)), 7]
    assert back.iloc[1].isna().all()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:  # the catalog shows it
        assert connection.execute("select count(*), max(children) from marts.cells").fetchall() == [(2, 3_000_000_000)]


def test_an_empty_frame_still_gives_a_typed_parquet_table(tmp_path):
    settings = _spark_settings(tmp_path)
    tables = ParquetTables(settings)
    tables.replace("marts.cells", pd.DataFrame(columns=list(TYPES)), TYPES)
    assert tables.exists("marts.cells")
    assert _parquet_types(dagster_table_dir(settings, "marts.cells")) == DUCKDB_TYPES
    assert len(tables.read("marts.cells")) == 0


def test_replace_leaves_one_file_with_the_new_rows(tmp_path):
    settings = _spark_settings(tmp_path)
    tables = ParquetTables(settings)
    one = {"page": "a", "share": 1.0, "children": 1, "is_small": False, "report_date": "2022-05-31", "rank": 1}
    tables.replace("marts.cells", pd.DataFrame([one, one]), TYPES)
    tables.replace("marts.cells", pd.DataFrame([one | {"page": "b"}]), TYPES)
    folder = dagster_table_dir(settings, "marts.cells")
    assert len(list(folder.iterdir())) == 1
    assert tables.read("marts.cells")["page"].tolist() == ["b"]


def test_replace_keeping_some_rows_writes_one_file_with_them_and_the_new_rows(tmp_path):
    settings = _spark_settings(tmp_path)
    tables = ParquetTables(settings)
    one = {"page": "a", "share": 1.0, "children": 1, "is_small": False, "report_date": "2022-05-31", "rank": 1}
    assert tables.replace("marts.cells", pd.DataFrame([one, one | {"report_date": "2022-06-30"}]), TYPES) == 2
    new = pd.DataFrame([one | {"page": "b", "report_date": "2022-06-30"}, one | {"page": "c", "report_date": None}])
    assert tables.replace("marts.cells", new, TYPES, keep=("report_date", ["2022-05-31", "2022-07-31"])) == 3
    assert len(list(dagster_table_dir(settings, "marts.cells").iterdir())) == 1
    back = tables.read("marts.cells", ["page", "report_date"])
    days = back["report_date"].dt.strftime("%Y-%m-%d").fillna("none")
    assert sorted(zip(back["page"], days)) == [("a", "2022-05-31"), ("b", "2022-06-30"), ("c", "none")]
    assert _parquet_types(dagster_table_dir(settings, "marts.cells")) == DUCKDB_TYPES


def test_a_replace_interrupted_before_removing_the_old_file_reads_as_the_new_table(tmp_path):
    settings = _spark_settings(tmp_path)
    tables = ParquetTables(settings)
    folder = dagster_table_dir(settings, "marts.cells")
    one = {"page": "a", "share": 1.0, "children": 1, "is_small": False, "report_date": "2022-05-31", "rank": 1}
    tables.replace("marts.cells", pd.DataFrame([one]), TYPES)
    [old] = folder.iterdir()
    kept = old.read_bytes()
    tables.replace("marts.cells", pd.DataFrame([one | {"page": "b"}, one | {"page": "c"}]), TYPES)
    old.write_bytes(kept)  # as if the crash came before the old file was removed
    assert sorted(tables.read("marts.cells")["page"]) == ["b", "c"]
    assert len(list(folder.iterdir())) == 1


def test_parquet_tables_read_the_tables_dbt_built_on_spark(tmp_path):
    settings = _spark_settings(tmp_path)
    folder = settings.spark_dir / "warehouse" / "intermediate.db" / "int_delivered_places"
    folder.mkdir(parents=True)
    with duckdb.connect() as connection:
        connection.execute(f"copy (select 'p1' as place_key, 2 as n) to '{folder}/part-00000-x.snappy.parquet'"
                           " (format parquet)")
    (folder / "_SUCCESS").touch()
    tables = ParquetTables(settings)
    assert tables.exists("intermediate.int_delivered_places")
    assert tables.read("intermediate.int_delivered_places").to_dict("records") == [{"place_key": "p1", "n": 2}]


def test_a_frame_without_the_tables_columns_is_refused_on_spark(tmp_path):
    tables = ParquetTables(_spark_settings(tmp_path))
    with pytest.raises(ValueError, match="marts.cells"):
        tables.replace("marts.cells", pd.DataFrame({"page": ["a"]}), TYPES)
    assert not tables.exists("marts.cells")

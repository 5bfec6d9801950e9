"""Where the raw loader keeps what it reads — the raw tables and the load manifest — on
either engine. The loader decides what becomes of a file; a store answers what the
manifest already says and writes a file's rows and its manifest entry.

- DuckDB: tables in the warehouse file; a file's rows and its entry in one transaction.
- Spark: Parquet files under OUT/spark/tables/raw/ (orchestration.spark_catalog), which
  dbt registers as Spark tables. A file's rows become `<table>/<file_sha256>.parquet`,
  then its entry a new file in `load_manifest/`: the entry is what makes the rows count
  (`discard_unrecorded`). Every table has a file from the start, so that its schema is
  known before any delivery. The manifest is read through DuckDB, in memory.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa

from orchestration.raw.contract import META_COLUMNS, SourceSpec
from orchestration.publishing import build_file, sweep_leftovers
from orchestration.settings import WarehouseSettings
from orchestration.spark_catalog import dagster_table_dir, refresh_catalog
from orchestration.warehouse import connect, query_dicts

MANIFEST_TABLE = "raw.load_manifest"
MANIFEST_COLUMNS = (
    ("source", "VARCHAR NOT NULL"),
    ("file_name", "VARCHAR NOT NULL"),  # <source>/<file>
    ("file_sha256", "VARCHAR NOT NULL"),
    ("file_bytes", "BIGINT NOT NULL"),
    ("file_date", "DATE"),
    ("load_status", "VARCHAR NOT NULL"),  # loaded | rejected | duplicate_file
    ("reason_code", "VARCHAR"),
    ("reason_detail", "VARCHAR"),
    ("data_rows", "INTEGER"),
    ("extra_columns", "VARCHAR"),
    ("duplicate_of", "VARCHAR"),
    ("loaded_at", "TIMESTAMP NOT NULL"),
)
# The file of a table that has no rows yet (on Spark), there for its schema.
EMPTY_FILE = "empty.parquet"
_ROWS_FILE = re.compile(r"[0-9a-f]{64}\.parquet")


def ensure_raw_tables(connection: duckdb.DuckDBPyConnection, specs: tuple[SourceSpec, ...]) -> None:
    """Create the raw schema, manifest and every source table, even before any delivery,
    so that dbt's sources always exist."""
    connection.execute("create schema if not exists raw")
    connection.execute(
        f"create table if not exists {MANIFEST_TABLE} ("
        + ", ".join(f"{name} {kind}" for name, kind in MANIFEST_COLUMNS)
        + ")"
    )
    for spec in specs:
        columns = [f"{name} VARCHAR" for name in spec.raw_columns]
        columns += [f"{name} {kind}" for name, kind in META_COLUMNS]
        connection.execute(f"create table if not exists raw.{spec.table} ({', '.join(columns)})")


class RawStore(Protocol):
    def ensure_tables(self, specs: tuple[SourceSpec, ...]) -> None:
        """Every source table and the manifest exist (empty if nothing was delivered)."""

    def discard_unrecorded(self, spec: SourceSpec) -> None:
        """Remove rows a crash left without their manifest entry."""

    def is_recorded(self, file_name: str, sha256: str) -> bool:
        """This name with these bytes was handled before."""

    def loaded_as(self, sha256: str) -> str | None:
        """The first name under which these bytes were loaded, if any."""

    def loaded_before(self, file_name: str) -> bool:
        """This name was loaded before (with whatever bytes)."""

    def append(self, spec: SourceSpec, rows: pa.Table, entry: dict) -> None:
        """A loaded file: its rows (the reader's columns) into raw.<table>, and its entry."""

    def record(self, entry: dict) -> None:
        """A manifest entry (MANIFEST_COLUMNS' names) for a file whose rows are not kept."""

    def row_count(self, spec: SourceSpec) -> int:
        ...

    def manifest_query(self, sql: str, params: list | None = None) -> list[dict]:
        """Rows of a query that reads raw.load_manifest."""


@contextmanager
def open_raw_store(settings: WarehouseSettings) -> Iterator[RawStore]:
    """The engine's store for one asset's work; on Spark the DuckDB catalog is refreshed
    afterwards, so that readers see the tables it created."""
    settings.claim_output()
    if settings.on_spark:
        store = ParquetRawStore(settings)
        try:
            yield store
        finally:
            store.close()
        refresh_catalog(settings)
    else:
        with connect(settings.warehouse_path) as connection:
            yield DuckDBRawStore(connection)


class _ManifestQueries:
    """The manifest questions, asked of a DuckDB connection that has raw.load_manifest."""

    connection: duckdb.DuckDBPyConnection

    def is_recorded(self, file_name: str, sha256: str) -> bool:
        return bool(self.connection.execute(
            f"select count(*) from {MANIFEST_TABLE} where file_name = ? and file_sha256 = ?", [file_name, sha256]
        ).fetchall()[0][0])

    def loaded_as(self, sha256: str) -> str | None:
        return self.connection.execute(
            f"select min(file_name) from {MANIFEST_TABLE} where file_sha256 = ? and load_status = 'loaded'",
            [sha256],
        ).fetchall()[0][0]

    def loaded_before(self, file_name: str) -> bool:
        return bool(self.connection.execute(
            f"select count(*) from {MANIFEST_TABLE} where file_name = ? and load_status = 'loaded'", [file_name]
        ).fetchall()[0][0])

    def manifest_query(self, sql: str, params: list | None = None) -> list[dict]:
        return query_dicts(self.connection, sql, params)

    def _insert_entry(self, entry: dict, table: str = MANIFEST_TABLE) -> None:
        names = [name for name, _ in MANIFEST_COLUMNS]
        self.connection.execute(
            f"insert into {table} ({', '.join(names)}) values ({', '.join('?' * len(names))})",
            [entry.get(name) for name in names],
        )

    def _insert_rows(self, spec: SourceSpec, rows: pa.Table, entry: dict) -> None:
        self.connection.register("incoming_rows", rows)
        try:
            self.connection.execute(
                f"insert into raw.{spec.table} by name select *, $file_name as _file_name,"
                " $sha256 as _file_sha256, $file_date as _file_date, $loaded_at as _loaded_at from incoming_rows",
                {"file_name": entry["file_name"], "sha256": entry["file_sha256"],
                 "file_date": entry["file_date"], "loaded_at": entry["loaded_at"]},
            )
        finally:
            self.connection.unregister("incoming_rows")


class DuckDBRawStore(_ManifestQueries):
    """The raw schema of the DuckDB warehouse file."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    def ensure_tables(self, specs: tuple[SourceSpec, ...]) -> None:
        ensure_raw_tables(self.connection, specs)

    def discard_unrecorded(self, spec: SourceSpec) -> None:
        pass  # rows and entry commit together: a crash leaves neither

    def append(self, spec: SourceSpec, rows: pa.Table, entry: dict) -> None:
        self.connection.execute("begin transaction")
        try:
            self._insert_rows(spec, rows, entry)
            self._insert_entry(entry)
            self.connection.execute("commit")
        except Exception:
            self.connection.execute("rollback")
            raise

    def record(self, entry: dict) -> None:
        self._insert_entry(entry)

    def row_count(self, spec: SourceSpec) -> int:
        return self.connection.execute(f"select count(*) from raw.{spec.table}").fetchall()[0][0]


class ParquetRawStore(_ManifestQueries):
    """The raw tables as Parquet folders (Spark). An in-memory DuckDB holds empty tables
    of the warehouse's exact raw schema, through which every file is written — so the
    columns and types are those of the DuckDB engine — and a copy of the manifest, read
    once and kept up to date by `record` (a run loads its sources one after another)."""

    def __init__(self, settings: WarehouseSettings) -> None:
        self.settings = settings
        self.connection = duckdb.connect()
        self.connection.execute("create schema pending")
        self._specs: tuple[SourceSpec, ...] = ()

    def close(self) -> None:
        self.connection.close()

    def _folder(self, table: str) -> Path:
        return dagster_table_dir(self.settings, table)

    def ensure_tables(self, specs: tuple[SourceSpec, ...]) -> None:
        ensure_raw_tables(self.connection, specs)
        self.connection.execute(f"create table if not exists pending.load_manifest as from {MANIFEST_TABLE} limit 0")
        for table in [MANIFEST_TABLE, *(f"raw.{spec.table}" for spec in specs)]:
            folder = self._folder(table)
            folder.mkdir(parents=True, exist_ok=True)
            if not any(folder.glob("*.parquet")):
                self._write(table, folder / EMPTY_FILE)
        self.connection.execute(f"delete from {MANIFEST_TABLE}")
        self.connection.execute(
            f"insert into {MANIFEST_TABLE} select * from read_parquet(?)",
            [str(self._folder(MANIFEST_TABLE) / "*.parquet")],
        )

    def discard_unrecorded(self, spec: SourceSpec) -> None:
        # A rows file is written before its manifest entry: a crash between the two leaves
        # rows the manifest does not know. The file is loaded again on the next run (and
        # its rows file replaced), unless it has left the landing folder or become a
        # duplicate or a rejection meanwhile — so rows without a 'loaded' entry go now,
        # before anything reads the table. Files being written (hidden) are leftovers too.
        loaded = {sha for (sha,) in self.connection.execute(
            f"select file_sha256 from {MANIFEST_TABLE} where load_status = 'loaded'").fetchall()}
        rows_folder = self._folder(f"raw.{spec.table}")
        for path in rows_folder.glob("*.parquet"):
            if _ROWS_FILE.fullmatch(path.name) and path.stem not in loaded:
                path.unlink()
        for folder in (rows_folder, self._folder(MANIFEST_TABLE)):
            sweep_leftovers(folder)

    def append(self, spec: SourceSpec, rows: pa.Table, entry: dict) -> None:
        table = f"raw.{spec.table}"
        self._insert_rows(spec, rows, entry)
        try:
            self._write(table, self._folder(table) / f"{entry['file_sha256']}.parquet")
        finally:
            self.connection.execute(f"delete from {table}")
        self.record(entry)

    def record(self, entry: dict) -> None:
        self._insert_entry(entry, "pending.load_manifest")
        try:
            self._write("pending.load_manifest", self._folder(MANIFEST_TABLE) / f"{uuid.uuid4().hex}.parquet")
            self.connection.execute(f"insert into {MANIFEST_TABLE} from pending.load_manifest")
        finally:
            self.connection.execute("delete from pending.load_manifest")

    def row_count(self, spec: SourceSpec) -> int:
        files = str(self._folder(f"raw.{spec.table}") / "*.parquet")
        return self.connection.execute("select count(*) from read_parquet(?)", [files]).fetchall()[0][0]

    def _write(self, table: str, path: Path) -> None:
        """A table's rows into `path`, which appears whole or not at all: written under a
        hidden scratch name (publishing.build_file), which Spark (it skips names starting
        with '.') and the DuckDB catalog (`*.parquet`) never read."""
        build_file(path, lambda scratch: self.connection.execute(
            f"copy {table} to '{_sql_text(scratch)}' (format parquet)"))


def _sql_text(path: Path) -> str:
    """A path inside a SQL string literal."""
    return str(path).replace("'", "''")

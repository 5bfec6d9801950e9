"""Whole tables in and out of the warehouse as pandas DataFrames, for the Python steps
that run between dbt invocations (place matching, record linkage, small-cell protection).

The steps see only this interface, not the engine: `DuckDBTables` is the DuckDB
warehouse file; `ParquetTables` the Spark engine's Parquet folders, read and written by
DuckDB in this process (no JVM): dbt registers the tables the steps write as Spark
tables over their folders (orchestration.spark_catalog).

Column types are given explicitly, as SQL type names both engines read alike (`string`,
`double`, `bigint`, `boolean`, `date`): an empty result must still give typed columns,
and the types must not depend on how pandas happened to infer them.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from orchestration.publishing import build_file, sweep_leftovers
from orchestration.settings import WarehouseSettings
from orchestration.spark_catalog import dagster_table_dir, refresh_catalog, spark_tables
from orchestration.warehouse import connect, table_exists


# Rows of the table being replaced that stay in it: (column, its values as text).
Keep = tuple[str, Sequence[str]]


class WarehouseTables(Protocol):
    def read(self, table: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every row of `table` ('<schema>.<name>'): all its columns, or `columns`."""

    def replace(self, table: str, frame: pd.DataFrame, column_types: Mapping[str, str],
                keep: Keep | None = None) -> int:
        """Create `table`, or replace it in one step, with the rows of `frame`, and with
        the table's own rows whose `keep` column, given its type and cast to text, is one
        of `keep`'s values; its columns are `column_types`' keys in that order, with those
        types. Returns how many rows the table now has."""

    def exists(self, table: str) -> bool:
        ...


class DuckDBTables:
    """The DuckDB warehouse file, one short-lived connection per call (DuckDB allows one
    writer: nothing may hold the file between steps). Reads open it read-write too: in
    one process, a read-only connection beside a read-write one is refused."""

    def __init__(self, path: Path | str) -> None:
        self.path = path

    def read(self, table: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        with connect(self.path) as connection:
            return connection.execute(f"select {_select_list(columns)} from {table}").df()

    def replace(self, table: str, frame: pd.DataFrame, column_types: Mapping[str, str],
                keep: Keep | None = None) -> int:
        schema = table.split(".")[0]
        with connect(self.path) as connection:
            rows = _new_rows(connection, table, frame, column_types, keep, table)
            connection.execute(f"create schema if not exists {schema}")
            connection.execute(f"create or replace table {table} as {rows}")
            return connection.execute(f"select count(*) from {table}").fetchone()[0]

    def exists(self, table: str) -> bool:
        with connect(self.path) as connection:
            return table_exists(connection, table)


def _select_list(columns: Sequence[str] | None) -> str:
    return ", ".join(f'"{name}"' for name in columns) if columns else "*"


def _new_rows(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
              column_types: Mapping[str, str], keep: Keep | None, old: str) -> str:
    """The query of a replace's rows: `frame`'s, and those of `old` (the table as it is)
    that `keep` names, both cast by name to `column_types` (an older table whose columns
    differ fails here, inside the replace, and changes nothing)."""
    columns = _typed_columns(table, frame, column_types)
    connection.register("frame", frame)
    rows = f"select {columns} from frame"
    if keep and keep[1]:
        column, values = keep
        connection.register("kept", pd.DataFrame({"kept_value": pd.Series(list(values), dtype="string")}))
        rows += (f" union all select {columns} from {old}"
                 f' where cast(cast("{column}" as {column_types[column]}) as string) in (select kept_value from kept)')
    return rows


def _typed_columns(table: str, frame: pd.DataFrame, column_types: Mapping[str, str]) -> str:
    """The select list that gives `frame`'s columns their types."""
    if list(frame.columns) != list(column_types):
        raise ValueError(f"{table}: the frame's columns {list(frame.columns)} are not {list(column_types)}")
    return ", ".join(f'cast("{name}" as {sql_type}) as "{name}"' for name, sql_type in column_types.items())


# A replace's file: named by when it was written, so the newest sorts last.
_REPLACED_FILE = re.compile(r"\d{20}-[0-9a-f]{32}\.parquet")


class ParquetTables:
    """The Spark engine's tables as Parquet folders, through DuckDB in memory: those dbt
    builds (`spark/warehouse/`) and those the steps write (`spark/tables/`), found by
    orchestration.spark_catalog. A replace writes one new file into the table's folder,
    then removes the others, then refreshes the DuckDB catalog of views."""

    def __init__(self, settings: WarehouseSettings) -> None:
        self.settings = settings

    def read(self, table: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        folder = self._folder(table)
        with duckdb.connect() as connection:
            return connection.execute(f"select {_select_list(columns)} from read_parquet(?)",
                                      [str(folder / "*.parquet")]).df()

    def _folder(self, table: str) -> Path:
        folder = spark_tables(self.settings).get(table)
        if folder is None:
            raise KeyError(f"{table}: no such table under {self.settings.spark_dir}")
        _keep_newest(folder)
        return folder

    def replace(self, table: str, frame: pd.DataFrame, column_types: Mapping[str, str],
                keep: Keep | None = None) -> int:
        old = ""
        if keep and keep[1]:  # the one new file holds the kept rows too
            pattern = str(self._folder(table) / "*.parquet").replace("'", "''")
            old = f"read_parquet('{pattern}')"
        with duckdb.connect() as connection:
            rows = _new_rows(connection, table, frame, column_types, keep, old)
            folder = dagster_table_dir(self.settings, table)
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.parquet"
            # Hidden while written (publishing.build_file): Spark skips names starting with
            # '.', the catalog reads *.parquet.

            def copy_to(scratch: Path) -> None:
                target = str(scratch).replace("'", "''")
                connection.execute(f"copy ({rows}) to '{target}' (format parquet)")

            build_file(folder / name, copy_to)
            count = connection.execute("select count(*) from read_parquet(?)", [str(folder / name)]).fetchone()[0]
        for path in folder.iterdir():
            if path.name != name and path.suffix == ".parquet":
                path.unlink()
        sweep_leftovers(folder)  # what an interrupted replace left being written
        refresh_catalog(self.settings)
        return count

    def exists(self, table: str) -> bool:
        return table in spark_tables(self.settings)


def _keep_newest(folder: Path) -> None:
    """A replace interrupted between writing its file and removing the older ones leaves
    two tables in one folder: the newest is the table."""
    replaced = sorted(path for path in folder.glob("*.parquet") if _REPLACED_FILE.fullmatch(path.name))
    for path in replaced[:-1]:
        path.unlink()

"""Whole tables in and out of the warehouse as pandas DataFrames, for the Python steps
that run between dbt invocations (place matching, record linkage, small-cell protection).

The steps see only this interface, not the engine, so that the warehouse can later run
on Spark as well as DuckDB (docs/spikes/spark/README.md, section 4): a Spark
implementation reads with `spark.table(...).toPandas()` and replaces with
`createDataFrame(...).write.mode("overwrite").saveAsTable(...)`.

Column types are given explicitly, as SQL type names both engines read alike (`string`,
`double`, `bigint`, `boolean`, `date`): an empty result must still give typed columns,
and the types must not depend on how pandas happened to infer them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import pandas as pd

from orchestration.warehouse import connect


class WarehouseTables(Protocol):
    def read(self, table: str) -> pd.DataFrame:
        """Every row of `table` ('<schema>.<name>')."""

    def replace(self, table: str, frame: pd.DataFrame, column_types: Mapping[str, str]) -> None:
        """Create `table`, or replace it in one step, with the rows of `frame`; its
        columns are `column_types`' keys in that order, with those types."""

    def exists(self, table: str) -> bool:
        ...


class DuckDBTables:
    """The DuckDB warehouse file, one short-lived connection per call (DuckDB allows one
    writer: nothing may hold the file between steps). Reads open it read-write too: in
    one process, a read-only connection beside a read-write one is refused."""

    def __init__(self, path: Path | str) -> None:
        self.path = path

    def read(self, table: str) -> pd.DataFrame:
        with connect(self.path) as connection:
            return connection.execute(f"select * from {table}").df()

    def replace(self, table: str, frame: pd.DataFrame, column_types: Mapping[str, str]) -> None:
        if list(frame.columns) != list(column_types):
            raise ValueError(f"{table}: the frame's columns {list(frame.columns)} are not {list(column_types)}")
        schema = table.split(".")[0]
        columns = ", ".join(f'cast("{name}" as {sql_type}) as "{name}"' for name, sql_type in column_types.items())
        with connect(self.path) as connection:
            connection.register("frame", frame)
            connection.execute(f"create schema if not exists {schema}")
            connection.execute(f"create or replace table {table} as select {columns} from frame")

    def exists(self, table: str) -> bool:
        schema, name = table.split(".")
        with connect(self.path) as connection:
            return bool(connection.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchall()[0][0])

"""Short-lived DuckDB connections to the warehouse file.

DuckDB allows one writing process per file and a reader holding the file makes a run
fail, so every step opens its own connection and closes it when done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd


@contextmanager
def connect(path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path), read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()


def table_exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether `schema.name` is a table (or view) of the connected database."""
    schema, name = table.split(".")
    return bool(connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()[0][0])


def query_frame(connection: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """A query's rows as a DataFrame, through Arrow (its strings pass to pandas without a
    copy). DuckDB's own `.df()` builds Python objects first: 9.7 million rows of
    fct_child_status took 11.6 s and 5.5 GB at the peak, against 0.7 s and 1.7 GB."""
    return connection.sql(sql, params=params).to_arrow_table().to_pandas(date_as_object=False)


def query_dicts(connection: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = connection.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]

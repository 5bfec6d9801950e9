"""Publish OUT/analytics.duckdb: a copy of the marts schema only, for analysts.

Analysts open this file, never the warehouse: no query of theirs can reach the
restricted schemas (raw, staging, intermediate) and their reading never blocks a run.
Built aside and renamed into place, so it appears all at once."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.warehouse import connect

PUBLISHED_SCHEMAS = ("marts",)


def publish_analytics_copy(warehouse_path: Path, analytics_path: Path) -> dict[str, int]:
    scratch = analytics_path.with_name(f".{analytics_path.name}.building-{os.getpid()}")
    scratch.unlink(missing_ok=True)
    row_counts: dict[str, int] = {}
    with connect(scratch) as connection:
        connection.execute(f"attach '{warehouse_path}' as warehouse (read_only)")
        for schema in PUBLISHED_SCHEMAS:
            connection.execute(f"create schema {schema}")
            tables = [row[0] for row in connection.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = 'warehouse' and table_schema = ? order by table_name",
                [schema],
            ).fetchall()]
            for table in tables:
                connection.execute(f"create table {schema}.{table} as select * from warehouse.{schema}.{table}")
                row_counts[f"{schema}.{table}"] = connection.execute(
                    f"select count(*) from {schema}.{table}"
                ).fetchall()[0][0]
        connection.execute("detach warehouse")
    os.replace(scratch, analytics_path)
    return row_counts

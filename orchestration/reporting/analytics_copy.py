"""Publish OUT/analytics.duckdb: a copy of the marts schema only, for analysts.

Analysts open this file, never the warehouse: no query of theirs can reach the
restricted schemas (raw, staging, intermediate) and their reading never blocks a run.
Built aside and renamed into place, so it appears all at once."""

from __future__ import annotations

from pathlib import Path

from orchestration.publishing import build_file, sweep_leftovers
from orchestration.warehouse import connect

PUBLISHED_SCHEMAS = ("marts",)


def publish_analytics_copy(warehouse_path: Path, analytics_path: Path) -> dict[str, int] | None:
    """Table -> rows copied; None when the copy published is of a later report date than
    the marts (a past week's bulletins being rebuilt): analysts keep the latest figures."""
    sweep_leftovers(analytics_path.parent)
    if analytics_path.exists() and _latest_report_date(warehouse_path) < _latest_report_date(analytics_path):
        return None
    return build_file(analytics_path, lambda scratch: _copy_marts(warehouse_path, scratch))


def _latest_report_date(database: Path):
    with connect(database, read_only=True) as connection:
        (latest,) = connection.execute("select max(report_date) from marts.status_summary").fetchone()
    return latest


def _copy_marts(warehouse_path: Path, scratch: Path) -> dict[str, int]:
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
    return row_counts

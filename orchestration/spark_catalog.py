"""On Spark: where the warehouse's tables live, and the DuckDB catalog the Dagster side
reads them through.

Spark's tables are Parquet folders under OUT/spark/ (`settings.spark_dir`):
- `warehouse/<schema>.db/<table>/`: the tables dbt builds (Spark's warehouse dir);
- `tables/<schema>/<table>/`: the tables Dagster writes (the raw layer and the Python
  steps' tables), which dbt registers in Spark as Parquet tables at the start of each
  invocation (macro `register_dagster_tables`).

Everything on the Dagster side — quality checks, bulletins, the analysts' copy, the
worklists, the run summary — reads tables with DuckDB in this process, with no JVM: on
Spark, OUT/warehouse.duckdb holds no data, only one view per Spark table over its
Parquet files. So those readers are the same on both engines; `refresh_catalog` runs
after every step that adds or removes a table.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.settings import WarehouseSettings
from orchestration.warehouse import connect

DAGSTER_TABLES = "tables"
SPARK_WAREHOUSE = "warehouse"


def dagster_table_dir(settings: WarehouseSettings, table: str) -> Path:
    """The folder of a table Dagster writes on Spark ('<schema>.<name>')."""
    schema, name = table.split(".")
    return settings.spark_dir / DAGSTER_TABLES / schema / name


def spark_tables(settings: WarehouseSettings) -> dict[str, Path]:
    """'<schema>.<name>' → folder, for every table with Parquet files. Only the folder's
    own files count: Spark writes a table's files at its top level and keeps unfinished
    ones in `_temporary/` below it."""
    tables: dict[str, Path] = {}
    for folder in sorted((settings.spark_dir / SPARK_WAREHOUSE).glob("*.db/*/")):
        tables[f"{folder.parent.name.removesuffix('.db')}.{folder.name}"] = folder
    for folder in sorted((settings.spark_dir / DAGSTER_TABLES).glob("*/*/")):
        tables[f"{folder.parent.name}.{folder.name}"] = folder
    return {table: folder for table, folder in tables.items() if any(folder.glob("*.parquet"))}


def refresh_catalog(settings: WarehouseSettings) -> list[str]:
    """Make OUT/warehouse.duckdb show exactly Spark's tables, one view each; returns them."""
    tables = spark_tables(settings)
    with connect(settings.warehouse_path) as connection:
        existing = {f"{schema}.{name}" for schema, name in connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database() and table_type = 'VIEW'").fetchall()}
        for table in sorted(existing - set(tables)):
            connection.execute(f"drop view {table}")
        for table, folder in tables.items():
            files = str(folder / "*.parquet").replace("'", "''")
            connection.execute(f"create schema if not exists {table.split('.')[0]}")
            connection.execute(f"create or replace view {table} as select * from read_parquet('{files}')")
    return sorted(tables)

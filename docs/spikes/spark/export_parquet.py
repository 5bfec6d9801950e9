"""SPIKE: export the DuckDB warehouse's raw schema (and, for the spike only, the outputs
of the dbt Python models) to Parquet, one file per table: <dest>/<schema>/<table>/part-0.parquet.
Usage: python spike/export_parquet.py WAREHOUSE.duckdb DEST_DIR"""
import sys
import time
from pathlib import Path

import duckdb

PYTHON_MODEL_OUTPUTS = [
    ("intermediate", "int_place_name_resolutions"),
    ("intermediate", "int_identity_match_pairs"),
    ("intermediate", "int_child_identities"),
    ("marts", "bulletin_protected_cells"),
]

warehouse, dest = sys.argv[1], Path(sys.argv[2])
start = time.time()
with duckdb.connect(warehouse, read_only=True) as con:
    raw = [("raw", t) for (t,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' order by 1").fetchall()]
    for schema, table in raw + PYTHON_MODEL_OUTPUTS:
        (dest / schema / table).mkdir(parents=True, exist_ok=True)
        path = dest / schema / table / "part-0.parquet"
        con.execute(f"copy {schema}.{table} to '{path}' (format parquet)")
        rows = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
        print(f"{schema}.{table}: {rows} rows -> {path} ({path.stat().st_size:,} B)")
print(f"exported in {time.time() - start:.1f}s")

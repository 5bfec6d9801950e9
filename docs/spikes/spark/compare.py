"""SPIKE: compare every table dbt built on DuckDB with the same table built on Spark
(read straight from Spark's Parquet files with DuckDB; no JVM needed).
Usage: python spike/compare.py WAREHOUSE.duckdb SPARK_WAREHOUSE_DIR [schema ...]"""
import sys
from pathlib import Path

import duckdb

warehouse, spark_dir = sys.argv[1], Path(sys.argv[2])
schemas = sys.argv[3:] or ["staging", "intermediate", "marts", "worklist", "reference"]
con = duckdb.connect()
con.execute(f"attach '{warehouse}' as dw (read_only)")
same = differ = missing = 0
for schema in schemas:
    tables = [t for (t,) in con.execute(
        "select table_name from information_schema.tables where table_catalog = 'dw' and table_schema = ? order by 1",
        [schema]).fetchall()]
    for table in tables:
        folder = spark_dir / f"{schema}.db" / table
        files = list(folder.glob("*.parquet")) if folder.is_dir() else []
        if not files:
            print(f"{schema}.{table}: no Spark table (view or not built)"); missing += 1; continue
        d_cols = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_catalog='dw' and table_schema=? and table_name=? order by ordinal_position",
            [schema, table]).fetchall()]
        s = f"read_parquet('{folder}/*.parquet')"
        s_cols = [r[0] for r in con.execute(f"describe select * from {s}").fetchall()]
        if set(d_cols) != set(s_cols):
            print(f"{schema}.{table}: COLUMNS DIFFER duckdb-only={set(d_cols)-set(s_cols)} spark-only={set(s_cols)-set(d_cols)}")
            differ += 1; continue
        cols = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in d_cols)
        a = f"select {cols} from dw.{schema}.{table}"
        b = f"select {cols} from {s}"
        n_d = con.execute(f"select count(*) from dw.{schema}.{table}").fetchone()[0]
        n_s = con.execute(f"select count(*) from {s}").fetchone()[0]
        only_d = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
        only_s = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
        if only_d or only_s:
            differ += 1
            print(f"{schema}.{table}: DIFFER rows duckdb={n_d} spark={n_s}; only in duckdb={only_d}, only in spark={only_s}")
            bad = [c for c in d_cols if con.execute(
                f'select count(*) from (select cast("{c}" as varchar) from dw.{schema}.{table} except all select cast("{c}" as varchar) from {s})').fetchone()[0]]
            print(f"    columns whose values differ: {bad}")
            for c in bad[:4]:
                ex = con.execute(f'select * from ((select \'duckdb\' as side, cast("{c}" as varchar) v from dw.{schema}.{table} except all select \'duckdb\', cast("{c}" as varchar) from {s}) union all (select \'spark\', cast("{c}" as varchar) from {s} except all select \'spark\', cast("{c}" as varchar) from dw.{schema}.{table})) limit 4').fetchall()
                print(f"    {c}: {ex}")
        else:
            same += 1
print(f"identical: {same}, differing: {differ}, not compared: {missing}")

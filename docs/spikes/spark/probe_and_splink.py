"""SPIKE: one JVM for (a) a few Spark SQL constructs the build met or worked around, and
(b) splink 5 on the Spark backend (SparkAPI + the similarity jar), compared with DuckDB on
the same records. Usage: python spike/probe_and_splink.py WAREHOUSE.duckdb WORKDIR"""
import logging
import sys
import time

import duckdb
import pandas as pd

warehouse, work = sys.argv[1], sys.argv[2]
with duckdb.connect(warehouse, read_only=True) as con:
    records = con.execute("select * from intermediate.int_identity_records").df()
print(f"int_identity_records: {len(records)} rows; id_class counts {records['id_class'].value_counts().to_dict()}")

from pyspark.sql import SparkSession
from splink.backends.spark import similarity_jar_location

t0 = time.time()
spark = (SparkSession.builder.master("local[2]")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
         .config("spark.local.dir", f"{work}/tmp").config("spark.sql.warehouse.dir", f"{work}/warehouse-probe")
         .config("spark.sql.shuffle.partitions", "4")
         .config("spark.jars", similarity_jar_location())
         .getOrCreate())
spark.sparkContext.setCheckpointDir(f"{work}/checkpoints")
print(f"spark {spark.version} up in {time.time() - t0:.1f}s; jar {similarity_jar_location()}")

def probe(label, sql):
    try:
        print(f"  {label}: {spark.sql(sql).collect()}")
    except Exception as exc:  # noqa: BLE001
        print(f"  {label}: ERROR {str(exc).splitlines()[0][:220]}")

print("probes (ansi off, as dbt-spark sets it):")
spark.conf.set("spark.sql.ansi.enabled", "false")
probe("count(distinct) over", "select count(distinct x) over (partition by g) from values (1, 'a'), (1, 'b') as t(g, x)")
probe("size(collect_set) over", "select size(collect_set(x) over (partition by g)) from values (1, 'a'), (1, 'b') as t(g, x)")
probe("count_if all-null", "select count_if(x) from values (cast(null as boolean)) as t(x)")
probe("percentile_approx vs percentile vs median on 1,2,3,4",
      "select percentile_approx(x, 0.5), percentile(x, 0.5), median(x) from values (1), (2), (3), (4) as t(x)")
probe("to_json nulls", "select to_json(named_struct('a', 1, 'b', cast(null as string)))")
probe("to_json nulls kept", "select to_json(named_struct('a', 1, 'b', cast(null as string)), map('ignoreNullFields', 'false'))")
probe("round(100.0*3/7,2) type", "select typeof(round(100.0 * 3 / 7, 2)), round(100.0 * 3 / 7, 2)")
probe("cast as varchar", "select cast(1 as varchar)")
probe("qualify", "select x from values (1), (2) as t(x) qualify row_number() over (order by x) = 1")
probe("in-subquery in select list", "select x in (select 1) from values (1), (2) as t(x)")
probe("conf substitution", "select '${spark.sql.session.timeZone}'")

sys.path.insert(0, "/tmp/sparkspike")
from orchestration.identity import linkage  # noqa: E402
from splink import DuckDBAPI, Linker, SparkAPI  # noqa: E402

def pairs_with(api_factory, threshold):
    frame = records.copy()
    frame["first_name"] = frame["first_name"].map(linkage.name_key)
    frame["last_name"] = frame["last_name"].map(linkage.name_key)
    labelled = frame["label"].notna()
    same = int((frame[labelled].groupby("label").size().pipe(lambda n: n * (n - 1) / 2)).sum())
    allp = len(frame) * (len(frame) - 1) / 2
    prior = min(max(same / allp, 1e-9), 0.5)
    settings, _ = linkage._settings(prior)
    api = api_factory()
    linker = Linker(api.register(frame, dataset_display_name=f"list_rows_{threshold}".replace(".", "_")), settings, log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    if frame.loc[labelled, "label"].duplicated().any():
        linker.training.estimate_m_from_label_column("label")
    pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    return pred[["row_key_l", "row_key_r", "match_probability", "gamma_first_name", "gamma_last_name"]]

logging.getLogger("splink").setLevel(logging.ERROR)
for threshold in (0.5,):
    t = time.time()
    d = pairs_with(lambda: DuckDBAPI(connection=duckdb.connect()), threshold)
    td = time.time() - t
    t = time.time()
    try:
        s = pairs_with(lambda: SparkAPI(spark_session=spark), threshold)
    except Exception as exc:  # noqa: BLE001
        print(f"splink SparkAPI threshold {threshold}: ERROR {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
        continue
    ts = time.time() - t
    m = d.merge(s, on=["row_key_l", "row_key_r"], how="outer", suffixes=("_duckdb", "_spark"), indicator=True)
    both = m[m["_merge"] == "both"]
    diff = (both["match_probability_duckdb"] - both["match_probability_spark"]).abs()
    print(f"splink threshold {threshold}: duckdb {len(d)} pairs in {td:.1f}s, spark {len(s)} pairs in {ts:.1f}s; "
          f"only duckdb {int((m['_merge'] == 'left_only').sum())}, only spark {int((m['_merge'] == 'right_only').sum())}; "
          f"max |p diff| {diff.max() if len(diff) else 0:.2e}; gamma differences "
          f"{int(((both['gamma_first_name_duckdb'] != both['gamma_first_name_spark']) | (both['gamma_last_name_duckdb'] != both['gamma_last_name_spark'])).sum())}; "
          f"pairs on different sides of the merge threshold 0.95: "
          f"{int(((both['match_probability_duckdb'] >= 0.95) != (both['match_probability_spark'] >= 0.95)).sum())}; "
          f"median |p diff| {diff.median() if len(diff) else 0:.2e}")
spark.stop()

"""A local Spark session for one step, and splink's Spark backend on it.

The session lives in the step's own JVM, started with everything it writes under the
run's Spark folder and stopped (JVM included) when the step ends: its static settings
(jars, driver memory, scratch folder) only take effect when a JVM starts, so a JVM kept
from an earlier step would carry that step's folder. It uses Spark's in-memory catalog,
never dbt's Derby metastore, which only dbt's own processes open.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Linkage inputs are thousands to ~100k rows: a few partitions keep the many small
# splink queries from scheduling hundreds of near-empty tasks on two cores.
SHUFFLE_PARTITIONS = 4
LOCAL_IP_ENV = "SPARK_LOCAL_IP"  # read by the JVM when it starts (dbt-spark's too: settings.py)
LOOPBACK = "127.0.0.1"
DRIVER_MEMORY_ENV = "BACKTOSCHOOL_SPARK_DRIVER_MEMORY"


def _session_settings(spark_dir: Path) -> dict[str, str]:
    from splink.backends.spark import similarity_jar_location

    return {
        "spark.master": "local[2]",
        "spark.app.name": "backtoschool-linkage",
        "spark.driver.host": LOOPBACK,
        "spark.driver.bindAddress": LOOPBACK,
        # In local mode the driver's heap is all the memory Spark has: 2g ran out at
        # 100,000 children (145,675 list rows, 594 pairs); 4g took 100 s there.
        "spark.driver.memory": os.environ.get(DRIVER_MEMORY_ENV, "4g"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.warehouse.dir": str(spark_dir / "warehouse"),
        "spark.local.dir": str(spark_dir / "tmp"),
        "spark.sql.shuffle.partitions": str(SHUFFLE_PARTITIONS),
        # jaro_winkler, damerau_levenshtein, ... as Java UDFs: the jar ships in splink's wheel
        "spark.jars": similarity_jar_location(),
    }


@contextmanager
def local_spark_session(spark_dir: Path) -> Iterator:
    """A SparkSession on this machine whose files all go under spark_dir; stopped, and
    its JVM ended, on exit."""
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    if SparkContext._active_spark_context is not None:
        raise RuntimeError("a Spark session is already running in this process; its settings would be used")
    spark_dir = Path(spark_dir).resolve()
    for folder in ("tmp", "checkpoints"):
        (spark_dir / folder).mkdir(parents=True, exist_ok=True)
    # splink's intermediate tables go here; nothing reads them after the session
    checkpoints = Path(tempfile.mkdtemp(prefix="session-", dir=spark_dir / "checkpoints"))
    conf = SparkConf().setAll(list(_session_settings(spark_dir).items()))
    try:
        with _local_ip():
            spark = SparkSession.builder.config(conf=conf).getOrCreate()
        try:
            spark.sparkContext.setLogLevel("ERROR")  # splink's empty intermediate tables warn at every step
            spark.sparkContext.setCheckpointDir(str(checkpoints))
            yield spark
        finally:
            spark.stop()
    finally:
        _end_jvm()  # also when the session failed to start after its JVM did
        shutil.rmtree(checkpoints, ignore_errors=True)


@contextmanager
def _local_ip() -> Iterator[None]:
    """The JVM reads SPARK_LOCAL_IP when it starts: without it, Spark resolves the host
    name and may listen on a public interface whatever spark.driver.host says."""
    previous = os.environ.get(LOCAL_IP_ENV)
    os.environ[LOCAL_IP_ENV] = LOOPBACK
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(LOCAL_IP_ENV)
        else:
            os.environ[LOCAL_IP_ENV] = previous


def _end_jvm() -> None:
    """Stopping a session leaves pyspark's JVM running for the next one; end it. The JVM
    exits when its standard input closes."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    SparkContext._gateway = None
    SparkContext._jvm = None
    if gateway is None:
        return
    process = getattr(gateway, "proc", None)
    gateway.shutdown()
    if process is not None:
        process.stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def spark_linkage_api(spark_dir: Path) -> Iterator:
    """splink's Spark backend on a session of its own."""
    from splink.backends.spark import SparkAPI

    with local_spark_session(spark_dir) as spark:
        # splink's default of 100 partitions for its intermediate tables would mean
        # hundreds of near-empty tasks per query. Its default way of cutting their
        # lineage, Parquet in the checkpoint folder, beat caching them in memory
        # ("persist") on 1,727 rows (55 s against 78 s). Neither changes the pairs:
        # splink samples by hashing row keys, not by partition.
        yield SparkAPI(spark_session=spark, break_lineage_method="parquet",
                       num_partitions_on_repartition=SHUFFLE_PARTITIONS)

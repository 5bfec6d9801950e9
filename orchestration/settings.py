"""Run-time settings shared by every asset: where the landing folder is, where outputs
go, and which report dates to build. Read from environment variables when a run starts
(never at import), so the UI and the CLI run the same definitions."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from dagster import ConfigurableResource, EnvVar

from orchestration.child_key import KEY_FILE_ENV, hmac_pads, key_file, load_or_create_key
from orchestration.identity.spark_session import LOCAL_IP_ENV, LOOPBACK

WAREHOUSE_ENV = "BACKTOSCHOOL_WAREHOUSE"  # read by dbt_project/profiles.yml
# Read by the profile's spark output and the dbt project on Spark:
SPARK_DIR_ENV = "BACKTOSCHOOL_SPARK_DIR"
CHILD_KEY_PAD_ENVS = ("BACKTOSCHOOL_CHILD_KEY_IPAD", "BACKTOSCHOOL_CHILD_KEY_OPAD")
SPARK_SOURCES_ENV = "BACKTOSCHOOL_SPARK_SOURCES"  # macros/register_dagster_tables.sql
ENGINE_ENV = "BACKTOSCHOOL_ENGINE"
REPORT_DATES_ENV = "BACKTOSCHOOL_REPORT_DATES"  # read by dbt_project/macros/report_dates.sql
ENGINES = ("duckdb", "spark")  # the engine dbt builds the warehouse on (dbt target)
# "1" for a run that keeps nothing from earlier runs (backtoschool run --rebuild): dbt
# also builds its incremental models (staging, by file) from scratch.
FULL_REFRESH_ENV = "BACKTOSCHOOL_FULL_REFRESH"


def full_refresh_asked() -> bool:
    return os.environ.get(FULL_REFRESH_ENV) == "1"


def parse_report_dates(text: str) -> list[date]:
    """'2022-05-31,2022-07-27' → sorted distinct dates; a clear error for anything else."""
    dates = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            dates.add(date.fromisoformat(part))
        except ValueError:
            raise ValueError(f"report date {part!r} is not an ISO date (YYYY-MM-DD)") from None
    if not dates:
        raise ValueError("no report date given (BACKTOSCHOOL_REPORT_DATES or --report-date)")
    return sorted(dates)


class WarehouseSettings(ConfigurableResource):
    landing_dir: str
    out_dir: str
    report_dates: str  # comma-separated ISO dates
    engine: str = "duckdb"  # one of ENGINES

    @property
    def on_spark(self) -> bool:
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r} is not one of {', '.join(ENGINES)} ({ENGINE_ENV})")
        return self.engine == "spark"

    @property
    def landing_path(self) -> Path:
        return Path(self.landing_dir).expanduser().resolve()

    @property
    def out_path(self) -> Path:
        return Path(self.out_dir).expanduser().resolve()

    @property
    def warehouse_path(self) -> Path:
        return self.out_path / "warehouse.duckdb"

    @property
    def analytics_path(self) -> Path:
        return self.out_path / "analytics.duckdb"

    @property
    def bulletins_path(self) -> Path:
        return self.out_path / "bulletins"

    @property
    def spark_dir(self) -> Path:
        """Everything Spark writes (its warehouse, metastore, scratch): under the run's
        output folder, never in the work tree."""
        return self.out_path / "spark"

    @property
    def dbt_target_path(self) -> Path:
        return self.out_path / "dbt_target"

    def report_date_list(self) -> list[date]:
        return parse_report_dates(self.report_dates)

    def claim_output(self) -> None:
        """Refuse to write into an output folder built on the other engine (marks a new
        one): every run's first writers call this, whoever launched the run — the CLI,
        the UI, the schedule or the sensor."""
        from orchestration import output_engine

        self.out_path.mkdir(parents=True, exist_ok=True)
        engine = "spark" if self.on_spark else "duckdb"  # on_spark refuses an unknown engine
        refusal = output_engine.claim(self.out_path, engine)
        if refusal:
            raise ValueError(refusal)

    def prepare_dbt_environment(self) -> None:
        """dbt runs as a child process that reads these variables: an absolute warehouse
        path (never a silent new database beside profiles.yml) and the child key file.
        On Spark also: the folder for everything Spark writes, the child key's HMAC pads
        (spark__child_key; as secret as the key), the Dagster-written tables that exist
        now (registered by dbt's on-run-start hook), and a loopback address for Spark's
        driver. Called right before each dbt invocation, so the table list is current."""
        self.claim_output()
        os.environ[WAREHOUSE_ENV] = str(self.warehouse_path)
        # a partition run's dates come from its run config, not from the environment
        os.environ[REPORT_DATES_ENV] = ",".join(day.isoformat() for day in self.report_date_list())
        os.environ[KEY_FILE_ENV] = str(key_file())
        key = load_or_create_key()
        if self.on_spark:
            self.spark_dir.mkdir(parents=True, exist_ok=True)
            os.environ[SPARK_DIR_ENV] = str(self.spark_dir)
            for name, pad in zip(CHILD_KEY_PAD_ENVS, hmac_pads(key)):
                os.environ[name] = pad
            os.environ[SPARK_SOURCES_ENV] = " ".join(self.spark_dagster_tables())
            # Spark would otherwise resolve the host name and may bind a public address.
            os.environ[LOCAL_IP_ENV] = LOOPBACK

    def spark_dagster_tables(self) -> list[str]:
        """'<schema>.<name>' of the tables Dagster has written on Spark so far (a folder
        under OUT/spark/tables/ with a Parquet file; orchestration/spark_catalog.py)."""
        from orchestration.spark_catalog import DAGSTER_TABLES, spark_tables

        root = self.spark_dir / DAGSTER_TABLES
        return [table for table, folder in spark_tables(self).items() if folder.is_relative_to(root)]


def settings_from_env() -> WarehouseSettings:
    # DuckDB unless the environment says otherwise: an unset EnvVar would fail the run.
    os.environ.setdefault(ENGINE_ENV, "duckdb")
    return WarehouseSettings(
        landing_dir=EnvVar("BACKTOSCHOOL_LANDING"),
        out_dir=EnvVar("BACKTOSCHOOL_OUT"),
        report_dates=EnvVar(REPORT_DATES_ENV),
        engine=EnvVar(ENGINE_ENV),
    )

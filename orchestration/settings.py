"""Run-time settings shared by every asset: where the landing folder is, where outputs
go, and which report dates to build. Read from environment variables when a run starts
(never at import), so the UI and the CLI run the same definitions."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from dagster import ConfigurableResource, EnvVar

from orchestration.child_key import KEY_FILE_ENV, key_file, load_or_create_key

WAREHOUSE_ENV = "BACKTOSCHOOL_WAREHOUSE"  # read by dbt_project/profiles.yml
ENGINE_ENV = "BACKTOSCHOOL_ENGINE"
ENGINES = ("duckdb", "spark")  # the engine dbt builds the warehouse on (dbt target)


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

    def prepare_dbt_environment(self) -> None:
        """dbt runs as a child process that reads these variables: an absolute warehouse
        path (never a silent new database beside profiles.yml) and the child key file."""
        self.out_path.mkdir(parents=True, exist_ok=True)
        os.environ[WAREHOUSE_ENV] = str(self.warehouse_path)
        os.environ[KEY_FILE_ENV] = str(key_file())
        load_or_create_key()


def settings_from_env() -> WarehouseSettings:
    # DuckDB unless the environment says otherwise: an unset EnvVar would fail the run.
    os.environ.setdefault(ENGINE_ENV, "duckdb")
    return WarehouseSettings(
        landing_dir=EnvVar("BACKTOSCHOOL_LANDING"),
        out_dir=EnvVar("BACKTOSCHOOL_OUT"),
        report_dates=EnvVar("BACKTOSCHOOL_REPORT_DATES"),
        engine=EnvVar(ENGINE_ENV),
    )

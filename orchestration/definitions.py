"""The Dagster code location: assembles assets, checks, resources, the jobs (one per
run, one partitioned by report date) and the schedule. `dagster dev` and `backtoschool
run` load exactly this."""

from dagster import Definitions, colored_console_logger, in_process_executor

from orchestration.alerting.sensors import email_on_run_failure
from orchestration.follow_up.assets import worklists
from orchestration.identity.assets import record_linkage
from orchestration.jobs import warehouse_job, weekly_bulletin_job, weekly_bulletin_schedule
from orchestration.progress import progress_logger
from orchestration.places.assets import int_place_name_resolutions
from orchestration.quality.checks import build_quality_checks
from orchestration.raw.assets import load_manifest, raw_source_assets
from orchestration.raw.freshness import freshness_checks
from orchestration.raw.sensor import landing_folder_sensor
from orchestration.reporting.assets import analytics_copy, delivery_report, national_bulletins
from orchestration.reporting.data_docs import data_docs
from orchestration.reporting.protected_cells import bulletin_protected_cells
from orchestration.settings import settings_from_env
from orchestration.transformation.assets import dbt_resource, warehouse_dbt_assets

defs = Definitions(
    assets=[
        *raw_source_assets, load_manifest, *warehouse_dbt_assets,
        # the Python steps between the dbt stages
        int_place_name_resolutions, record_linkage, bulletin_protected_cells,
        analytics_copy, national_bulletins, delivery_report, data_docs, worklists,
    ],
    asset_checks=[*build_quality_checks(), *freshness_checks],
    jobs=[warehouse_job, weekly_bulletin_job],
    schedules=[weekly_bulletin_schedule],
    sensors=[landing_folder_sensor, email_on_run_failure],
    resources={"settings": settings_from_env(), "dbt": dbt_resource()},
    # DuckDB allows one writer: every step runs in one process, one after another.
    executor=in_process_executor,
    loggers={"console": colored_console_logger, "progress": progress_logger},
)

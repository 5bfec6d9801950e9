"""The jobs that run everything, the report-date partitions, and the weekly schedule.

- ``warehouse``: every asset for the report dates in the run's settings (the CLI, the
  sensor, and `dagster dev` with BACKTOSCHOOL_REPORT_DATES).
- ``weekly_bulletin``: the same assets, partitioned by report date — one partition per
  Sunday since the programme began (Asia/Bangkok). A partition's run builds the marts for
  that Sunday and the one before (for the changes) and publishes that Sunday's bulletins,
  so an engineer can rebuild any past week's bulletins from the UI (Jobs →
  weekly_bulletin → Partitions, or a backfill over a range).
- ``weekly_bulletin_schedule``: every Monday 06:00 Bangkok time, the partition of the
  Sunday just ended.

Why a partitioned job rather than partitioned assets: the marts are rebuilt as a whole
for the report dates of a run (BACKTOSCHOOL_REPORT_DATES, read by dbt), and they hold only those dates;
partitioning the dbt assets (dagster-dbt's partitioned @dbt_assets, the partition's
dates passed to dbt) would also mean incremental marts that keep every date — a
change to the dbt models and the raw assets' definitions outside the bulletins. The
partitioned config gives the UI one partition per report date and the run history per
partition now, and keeps `backtoschool run --report-date …` unchanged.
"""

from __future__ import annotations

from datetime import date, timedelta

from dagster import (
    AssetSelection,
    HookContext,
    PartitionedConfig,
    RunRequest,
    ScheduleEvaluationContext,
    TimeWindowPartitionsDefinition,
    define_asset_job,
    failure_hook,
    schedule,
    success_hook,
)

from orchestration.memory import after_step

BANGKOK = "Asia/Bangkok"
PARTITION_TAG = "dagster/partition"  # what marks a run as a partition's run (Dagster's tag)
FIRST_REPORT_SUNDAY = "2022-01-23"  # the first Sunday after the programme's launch (17 Jan 2022)


# Every step runs in the run's one process: what a large step freed is given back before
# the next one starts, or the run's peak is the sum of its steps' (orchestration/memory.py).
@success_hook(name="release_memory_after_step")
def release_memory_after_success(context: HookContext) -> None:
    after_step()


@failure_hook(name="release_memory_after_failed_step")
def release_memory_after_failure(context: HookContext) -> None:
    after_step()


RELEASE_MEMORY = {release_memory_after_success, release_memory_after_failure}

warehouse_job = define_asset_job(
    name="warehouse",
    selection=AssetSelection.all(),
    description="Load new deliveries, build the warehouse, check it and publish the bulletins.",
    hooks=RELEASE_MEMORY,
)

# One partition per Sunday, keyed by its date (2022-07-31). Dagster's window for a key
# runs to the next Sunday; only the key is used: the report date. end_offset=1 makes the
# Sunday just ended available from Monday on (the window is still open then).
report_date_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 * * 0",
    start=FIRST_REPORT_SUNDAY,
    fmt="%Y-%m-%d",
    timezone=BANGKOK,
    end_offset=1,
)


def report_dates_for(report_date: date) -> list[str]:
    """The report dates a run for ``report_date`` builds: the Sunday before it (the
    comparison) and itself."""
    return [(report_date - timedelta(days=7)).isoformat(), report_date.isoformat()]


def partition_run_config(partition_key: str) -> dict:
    """Run config of a report-date partition (pure: unit tested). A resource's run config
    is all or nothing in Dagster: the landing and output folders are given too, as the
    same environment variables the definitions read (resolved when the run starts)."""
    report_dates = ",".join(report_dates_for(date.fromisoformat(partition_key)))
    return {"resources": {"settings": {"config": {
        "landing_dir": {"env": "BACKTOSCHOOL_LANDING"},
        "out_dir": {"env": "BACKTOSCHOOL_OUT"},
        "report_dates": report_dates,
        "engine": {"env": "BACKTOSCHOOL_ENGINE"},
    }}}}


weekly_bulletin_job = define_asset_job(
    name="weekly_bulletin",
    selection=AssetSelection.all(),
    config=PartitionedConfig(partitions_def=report_date_partitions,
                             run_config_for_partition_key_fn=partition_run_config),
    description=(
        "One partition per report date (Sundays, Bangkok): load new deliveries, build the marts for that "
        "Sunday and the one before, check them and publish that Sunday's bulletins. Launch a partition to "
        "rebuild a past week's bulletins."
    ),
    hooks=RELEASE_MEMORY,
)


def weekly_report_dates(tick_date) -> list[str]:
    """The Sunday before the tick and the Sunday before that (for the changes)."""
    last_sunday = tick_date - timedelta(days=(tick_date.weekday() + 1) % 7 or 7)
    return report_dates_for(last_sunday)


@schedule(
    job=weekly_bulletin_job,
    cron_schedule="0 6 * * 1",
    execution_timezone=BANGKOK,
    description="Every Monday 06:00 Bangkok time: the partition of the Sunday just ended.",
)
def weekly_bulletin_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    tick_date = context.scheduled_execution_time.date()
    report_dates = weekly_report_dates(tick_date)
    # The partition as a tag with its run config spelt out (rather than partition_key=,
    # which needs the whole repository to evaluate): the same run, and the tick can be
    # evaluated — and tested — on its own.
    return RunRequest(
        run_key=f"weekly-{tick_date.isoformat()}",
        run_config=partition_run_config(report_dates[-1]),
        tags={PARTITION_TAG: report_dates[-1], "report_dates": ",".join(report_dates)},
    )

"""The job that runs everything, and the weekly schedule that publishes the bulletin."""

from __future__ import annotations

from datetime import timedelta

from dagster import AssetSelection, RunRequest, ScheduleEvaluationContext, define_asset_job, schedule

warehouse_job = define_asset_job(
    name="warehouse",
    selection=AssetSelection.all(),
    description="Load new deliveries, build the warehouse, check it and publish the bulletins.",
)


def weekly_report_dates(tick_date) -> list[str]:
    """The Sunday before the tick and the Sunday before that (for the changes)."""
    last_sunday = tick_date - timedelta(days=(tick_date.weekday() + 1) % 7 or 7)
    return [(last_sunday - timedelta(days=7)).isoformat(), last_sunday.isoformat()]


@schedule(
    job=warehouse_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="Asia/Bangkok",
    description="Every Monday 06:00 Bangkok time: figures as of the Sunday just ended.",
)
def weekly_bulletin_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    tick_date = context.scheduled_execution_time.date()
    report_dates = ",".join(weekly_report_dates(tick_date))
    return RunRequest(
        run_key=f"weekly-{tick_date.isoformat()}",
        run_config={"resources": {"settings": {"config": {"report_dates": report_dates}}}},
        tags={"report_dates": report_dates},
    )

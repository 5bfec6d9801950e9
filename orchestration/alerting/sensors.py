"""The run-failure sensor: a failed run launched by Dagster (the UI, the schedule, the
landing-folder sensor) is e-mailed (and logged). `backtoschool run` alerts on its own
failures itself — it runs without the daemon — and tags its runs so they are not
alerted twice."""

from dagster import DefaultSensorStatus, RunFailureSensorContext, SkipReason, run_failure_sensor

from orchestration.alerting.notify import send_alert


LAUNCHED_BY_TAG = "backtoschool/launched_by"
CLI_LAUNCH = "cli"


def failure_message(job_name: str, run_id: str, reason: str) -> tuple[str, str]:
    subject = f"run of {job_name} failed"
    body = (
        f"The {job_name} run {run_id} failed: {reason}\n\n"
        "Every published item (the analysts' copy, each report date's bulletins, the worklists) is whole: "
        "this run's where its publication step finished before the failure, else the previous run's; "
        "a failed blocking quality check publishes nothing.\n"
        "See the run in the Dagster UI, and the quality report next to the bulletins."
    )
    return subject, body


@run_failure_sensor(default_status=DefaultSensorStatus.RUNNING, description="E-mails (and logs) every failed run.")
def email_on_run_failure(context: RunFailureSensorContext):
    if context.dagster_run.tags.get(LAUNCHED_BY_TAG) == CLI_LAUNCH:
        return SkipReason("alerted by backtoschool run")
    reason = context.failure_event.message or "see the run's log"
    for step in context.get_step_failure_events():  # what actually went wrong, step by step
        error = step.step_failure_data.error
        while error is not None and error.cause is not None:  # the user's error, not Dagster's wrapper
            error = error.cause
        reason += f"\n- {step.step_key}: {error.message.strip() if error else 'failed'}"
    send_alert(*failure_message(context.dagster_run.job_name, context.dagster_run.run_id, reason))

"""Run the `warehouse` job in this process — the same definitions `dagster dev` shows —
and sum up what it did for the person at the terminal."""

from __future__ import annotations

import os
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from dagster import AssetCheckSeverity, AssetKey, DagsterInstance

from orchestration import output_engine
from orchestration.alerting.notify import send_alert
from orchestration.alerting.sensors import CLI_LAUNCH, LAUNCHED_BY_TAG, failure_message
from orchestration.build_ledger import Ledger
from orchestration.settings import ENGINE_ENV, ENGINES, FULL_REFRESH_ENV
from orchestration.warehouse import connect, query_dicts

PUBLICATION_KEYS = (AssetKey(["publication", "analytics_copy"]), AssetKey(["publication", "national_bulletins"]))
PROTECTED_CELLS_KEY = AssetKey(["marts", "bulletin_protected_cells"])


@dataclass
class RunOutcome:
    ok: bool
    reason: str | None
    summary_lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # failed warning-level checks


def run_warehouse(landing: Path, out: Path, report_dates: list[date], *, verbose: bool = False,
                  engine: str = "duckdb", rebuild: bool = False) -> RunOutcome:
    """Run on `engine` (settings.ENGINES). DuckDB unless told: the caller decides, not an
    environment left over from an earlier run in this process. ``rebuild``: keep no table
    from earlier runs (orchestration/build_ledger.py)."""
    landing, out = landing.resolve(), out.resolve()
    if engine not in ENGINES:
        return RunOutcome(False, f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    if not landing.is_dir():
        return RunOutcome(False, f"landing folder {landing} does not exist")
    out.mkdir(parents=True, exist_ok=True)
    refusal = output_engine.claim(out, engine)
    if refusal:
        return RunOutcome(False, refusal)
    if rebuild:
        Ledger(out / "warehouse.duckdb").clear()
    os.environ[FULL_REFRESH_ENV] = "1" if rebuild else "0"
    # The definitions read their settings from the environment when the run starts.
    os.environ[ENGINE_ENV] = engine
    os.environ["BACKTOSCHOOL_LANDING"] = str(landing)
    os.environ["BACKTOSCHOOL_OUT"] = str(out)
    os.environ["BACKTOSCHOOL_REPORT_DATES"] = ",".join(d.isoformat() for d in sorted(set(report_dates)))

    from orchestration.definitions import defs

    job = defs.resolve_job_def("warehouse")
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    log_path = out / "logs" / f"run-{datetime.now().strftime('%Y%m%dT%H%M%S')}.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log, _stdout_to(None if verbose else log):
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"progress": {"config": {"show_info": verbose}}}},
            raise_on_error=False,
            tags={LAUNCHED_BY_TAG: CLI_LAUNCH},
        )
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    blocking_failures = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR
    ]
    warnings = [
        f"{evaluation.asset_key.to_user_string()} · {evaluation.check_name}: "
        + str(evaluation.metadata.get("message").value if "message" in evaluation.metadata else "failed")
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN
    ]
    failed_steps = [event.step_key for event in result.get_step_failure_events()]
    published = all(key in materialized for key in PUBLICATION_KEYS)

    reason = None
    if blocking_failures:  # Dagster fails the check's step too: name the checks, not the step
        where = out / "quality" / "index.html" if all(
            f.check_name.startswith("gx_") for f in blocking_failures) else log_path
        reason = "; ".join(
            f"blocking quality check {f.check_name} on {f.asset_key.to_user_string()} failed"
            for f in blocking_failures
        ) + f"; nothing was published; see {where}"
    elif failed_steps:
        reason = f"step {failed_steps[0]} failed (see the log above and {out / 'logs'})"
    elif not published:
        reason = "the publication assets did not run"
    if reason:
        send_alert(*failure_message(job.name, result.run_id, reason))
    lines = _summary(out, report_dates, published) + _kept_lines(result) + _protection_lines(result) + [
        f"Warning: {warning}" for warning in warnings]
    return RunOutcome(ok=reason is None, reason=reason, summary_lines=lines, warnings=warnings)


def _kept_lines(result) -> list[str]:
    """How many tables the run kept because their inputs had not changed."""
    events = result.get_asset_materialization_events()
    kept = sum("kept" in event.step_materialization_data.materialization.metadata for event in events)
    return [f"Tables kept, inputs unchanged since built: {kept} of {len(events)} assets"] if kept else []


def _protection_lines(result) -> list[str]:
    """How much of the small-cell protection, the slowest step at national scale, the
    run took over from the previous one (orchestration/reporting/protected_cells.py)."""
    for event in result.get_asset_materialization_events():
        if event.asset_key == PROTECTED_CELLS_KEY:
            metadata = event.step_materialization_data.materialization.metadata
            reused, computed = (metadata[name].value for name in ("report_dates_reused", "report_dates_computed"))
            return [f"Protected cells: {computed} report date(s) computed, {reused} kept from the previous run"]
    return []


@contextmanager
def _stdout_to(stream):
    """dbt's raw log (which dagster-dbt prints to stdout) goes to the run's log file."""
    if stream is None:
        yield
        return
    with redirect_stdout(stream):
        yield


def _summary(out: Path, report_dates: list[date], published: bool) -> list[str]:
    warehouse = out / "warehouse.duckdb"
    lines: list[str] = []
    if not warehouse.exists():
        return lines
    with connect(warehouse, read_only=True) as connection:
        files = query_dicts(
            connection,
            "select load_status, reason_code, file_name, reason_detail from raw.load_manifest order by file_name",
        )
        status = {s: sum(1 for f in files if f["load_status"] == s) for s in ("loaded", "rejected", "duplicate_file")}
        lines.append(
            f"Files: {status['loaded']} loaded, {status['rejected']} rejected, "
            f"{status['duplicate_file']} skipped as duplicates"
        )
        lines += [f"  rejected {f['file_name']}: {f['reason_code']} — {f['reason_detail']}"
                  for f in files if f["load_status"] == "rejected"]
        try:
            (quarantined,) = connection.execute("select count(*) from intermediate.int_quarantined_rows").fetchall()[0]
            lines.append(f"Rows quarantined: {quarantined:,} (reasons in the quality report)")
            cohort = connection.execute(
                "select report_date, sum(children) from marts.status_summary group by 1 order by 1"
            ).fetchall()
            lines += [f"Cohort on {d.isoformat()}: {n:,} children" for d, n in cohort]
        except Exception:  # the marts are missing when the run stopped before dbt finished
            pass
    lines.append(f"Warehouse:       {warehouse}")
    logs = sorted((out / "logs").glob("run-*.log"))
    if logs:
        lines.append(f"Run log (dbt):   {logs[-1]}")
    if published:
        lines.append(f"Analysts' copy:  {out / 'analytics.duckdb'}")
        lines.append(f"Bulletins:       {out / 'bulletins' / 'index.html'}")
    if (out / "bulletins" / "deliveries.html").exists():
        lines.append(f"Delivery report: {out / 'bulletins' / 'deliveries.html'}")
    if (out / "quality" / "index.html").exists():
        lines.append(f"Quality report:  {out / 'quality' / 'index.html'}")
    if (out / "bulletins" / "docs" / "index.html").exists():
        lines.append(f"Data docs (dbt): {out / 'bulletins' / 'docs' / 'index.html'}")
    if (out / "worklists").exists():
        lines.append(f"Worklists:       {out / 'worklists'}  (restricted: they name children)")
    return lines

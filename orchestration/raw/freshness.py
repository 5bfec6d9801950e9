"""Freshness: a source that has sent nothing for too long shows a warning in the UI and
is alerted (log, and e-mail when SMTP is configured: orchestration.alerting.notify) —
once per stale delivery, not on every run.

Measured against the latest report date of the run (the date the figures are as of),
from the newest list or export date the source delivered and the warehouse loaded."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetChecksDefinition, asset_check

from orchestration.alerting.notify import send_alert_once
from orchestration.raw.assets import raw_asset_key
from orchestration.raw.contract import SOURCES, SourceSpec
from orchestration.raw.loader import MANIFEST_TABLE
from orchestration.settings import WarehouseSettings
from orchestration.warehouse import connect

ALERT_LEDGER = "logs/alerts-sent.json"  # which staleness of which source was alerted


def build_freshness_check(spec: SourceSpec) -> AssetChecksDefinition:
    @asset_check(
        asset=raw_asset_key(spec),
        name="freshness",
        description=f"Warns when {spec.source} has delivered nothing dated within {spec.freshness_days} days "
        "before the latest report date.",
    )
    def _freshness(context: AssetCheckExecutionContext, settings: WarehouseSettings) -> AssetCheckResult:
        as_of = settings.report_date_list()[-1]
        with connect(settings.warehouse_path, read_only=True) as connection:
            (latest,) = connection.execute(
                f"select max(file_date) from {MANIFEST_TABLE} where source = ? and load_status = 'loaded'"
                " and file_date <= ?",
                [spec.source, as_of],
            ).fetchall()[0]
        age = None if latest is None else (as_of - latest).days
        fresh = age is not None and age <= spec.freshness_days
        message = (
            f"no delivery from {spec.source} dated on or before {as_of}" if latest is None
            else f"latest {spec.source} delivery is dated {latest}, {age} days before the report date {as_of}"
        )
        if not fresh:
            context.log.warning(f"{message} (limit {spec.freshness_days} days)")
            send_alert_once(
                settings.out_path / ALERT_LEDGER, f"freshness/{spec.source}", str(latest),
                f"no recent delivery from {spec.source}",
                f"{message}; the limit is {spec.freshness_days} days.\n\n"
                "The bulletins still publish, with this source's figures as of its latest delivery.",
            )
        return AssetCheckResult(
            passed=fresh,
            severity=AssetCheckSeverity.WARN,
            metadata={"latest_delivery": str(latest), "days_old": age, "limit_days": spec.freshness_days,
                      "message": message},
        )

    return _freshness


freshness_checks = [build_freshness_check(spec) for spec in SOURCES]

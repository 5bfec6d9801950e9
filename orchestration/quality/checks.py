"""One Dagster asset check per Great Expectations suite. A blocking suite that fails
(severity ERROR) holds back the publication assets downstream; a warning suite shows
in the UI and the quality report but publishes anyway."""

import pyarrow
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.quality.report import record_result
from orchestration.quality.suites import Suite, SuiteResult, combine, load_suites, validate
from orchestration.settings import WarehouseSettings
from orchestration.warehouse import connect, query_frame


def build_suite_check(suite: Suite) -> AssetChecksDefinition:
    reads_other_asset = suite.reads_asset != suite.asset

    @asset_check(
        asset=AssetKey(list(suite.asset)),
        name=f"gx_{suite.name}",
        description=f"Great Expectations suite `{suite.name}`: {suite.description}",
        blocking=suite.blocking,
        additional_deps=[AssetKey(list(suite.reads_asset))] if reads_other_asset else None,
    )
    def _check(context: AssetCheckExecutionContext, settings: WarehouseSettings) -> AssetCheckResult:
        result = _validate_in_warehouse(suite, settings)
        record_result(settings, result)
        for outcome in result.failures:
            context.log.warning(f"{suite.name}: {outcome.summary}")
        return AssetCheckResult(
            passed=result.success,
            severity=AssetCheckSeverity.ERROR if suite.blocking else AssetCheckSeverity.WARN,
            metadata={
                "message": "; ".join(o.summary for o in result.failures) or "all expectations met",
                "rows_validated": result.rows,
                "expectations": len(result.outcomes),
                "failed": len(result.failures),
                "results": MetadataValue.md("\n".join(f"- {o.summary}" for o in result.outcomes)),
            },
        )

    return _check


def _validate_in_warehouse(suite: Suite, settings: WarehouseSettings) -> SuiteResult:
    rows = f"select {', '.join(suite.columns) or '*'} from {suite.relation}"
    with connect(settings.warehouse_path, read_only=True) as connection:
        if not suite.validate_by:
            return _validated(suite, connection, rows)
        parts = connection.execute(f"select distinct {suite.validate_by} from {suite.relation}").fetchall()
        return combine(suite, [
            _validated(suite, connection, f"{rows} where {suite.validate_by} = ?", [value]) if value is not None
            else _validated(suite, connection, f"{rows} where {suite.validate_by} is null")
            for (value,) in parts])


def _validated(suite: Suite, connection, sql: str, params: list | None = None) -> SuiteResult:
    frame = query_frame(connection, sql, params)
    result = validate(suite, frame)
    # The frame's strings live in Arrow's memory pool, which keeps freed memory for
    # reuse: given back, the Dagster process does not carry the largest mart's frame
    # (1.5 GB at a million children) into the steps after it.
    del frame
    pyarrow.default_memory_pool().release_unused()
    return result


def build_quality_checks() -> list[AssetChecksDefinition]:
    return [build_suite_check(suite) for suite in load_suites()]


def blocking_checked_assets() -> list[AssetKey]:
    """Assets with a blocking suite: publication depends on them directly, so that a
    failed blocking check stops it."""
    return list(dict.fromkeys(AssetKey(list(s.asset)) for s in load_suites() if s.blocking))

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

from orchestration.quality.memo import Memo, part_fingerprints, select_list, whole_table_fingerprint
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
                "rows_unchanged_since_validated": result.remembered,  # not read again (memo.py)
                "expectations": len(result.outcomes),
                "failed": len(result.failures),
                "results": MetadataValue.md("\n".join(f"- {o.summary}" for o in result.outcomes)),
            },
        )

    return _check


# A part of a suite validated part by part (Suite.validate_by) holds values of its column
# until it has this many rows: a GX validation costs about a second whatever its size,
# and a national report date's million rows take about 0.4 GB in pandas.
ROWS_PER_PART = 2_000_000


def _validate_in_warehouse(suite: Suite, settings: WarehouseSettings) -> SuiteResult:
    """The suite's result on its relation; parts validated before with the same rows are
    not validated again (orchestration.quality.memo)."""
    rows = f"select {select_list(suite)} from {suite.relation}"
    with connect(settings.warehouse_path, read_only=True) as connection:
        memo = Memo.open(settings.out_path, suite, connection)
        if not suite.validate_by:
            fingerprint = whole_table_fingerprint(suite, connection)
            result = memo.get(fingerprint) or _validated(suite, connection, rows)
            if result.success:
                memo.keep(fingerprint, result)
        else:
            result = combine(suite, _validated_by_parts(suite, connection, rows, memo))
    memo.save()
    return result


def _validated_by_parts(suite: Suite, connection, rows: str, memo: Memo) -> list[SuiteResult]:
    column = suite.validate_by
    values = part_fingerprints(suite, connection)
    if not values:  # an empty table: its columns are still checked
        return [_validated(suite, connection, *_part_rows(rows, column, [None]))]
    results: list[SuiteResult] = []
    pending: dict[object, tuple[int, str]] = {}  # value -> (rows, fingerprint), not known to the memo
    for value, count, fingerprint in values:
        known = memo.get(fingerprint)
        if known:
            results.append(known)
        else:
            pending[value] = (count, fingerprint)
    parts = _parts([(value, count) for value, (count, _) in pending.items() if value is not None])
    if None in pending:
        parts.append([None])
    for part in parts:
        result = _validated(suite, connection, *_part_rows(rows, column, part))
        results.append(result)
        if result.success:
            # Every expectation met with no unexpected row in the part: each of its values
            # meets them alone (validate_by allows only such expectations, suites.py).
            for value in part:
                count, fingerprint = pending[value]
                memo.keep(fingerprint, SuiteResult(suite, True, count, result.outcomes))
    return results


def _part_rows(rows: str, column: str, part: list) -> tuple[str, list | None]:
    """The query and parameters of a part's rows: some values of ``column``, or ([None])
    the rows where it is null."""
    if part == [None]:
        return f"{rows} where {column} is null", None
    return f"{rows} where {column} in ({', '.join('?' * len(part))})", part


def _parts(counts: list[tuple[object, int]]) -> list[list[object]]:
    """The values in order, in runs of at most ROWS_PER_PART rows (or one value)."""
    parts: list[list[object]] = []
    rows = ROWS_PER_PART
    for value, count in counts:
        if rows + count > ROWS_PER_PART:
            parts.append([])
            rows = 0
        parts[-1].append(value)
        rows += count
    return parts


def _validated(suite: Suite, connection, sql: str, params: list | None = None) -> SuiteResult:
    frame = query_frame(connection, sql, params)
    result = validate(suite, frame)
    # The frame's strings live in Arrow's memory pool, which keeps freed memory for
    # reuse: given back, the Dagster process does not carry the frame into the next part
    # or the steps after it.
    del frame
    pyarrow.default_memory_pool().release_unused()
    return result


def build_quality_checks() -> list[AssetChecksDefinition]:
    return [build_suite_check(suite) for suite in load_suites()]


def blocking_checked_assets() -> list[AssetKey]:
    """Assets with a blocking suite: publication depends on them directly, so that a
    failed blocking check stops it."""
    return list(dict.fromkeys(AssetKey(list(s.asset)) for s in load_suites() if s.blocking))

"""marts.bulletin_protected_cells, between the last two dbt stages: small-cell
protection of every figure the bulletins print below national level, computed from the
exact counts of the bulletin_*_counts marts (protection.py; the algorithm is
suppression.py). dbt reads the table as the source bulletin.bulletin_protected_cells,
where its tests are, and builds the published sub-national tables on it.

Protecting a national run's report dates takes minutes, and a weekly run adds one date
to dates whose counts have not changed: a date whose stored cells all carry the digest
of this run's inputs (protection.protect_bulletins_reusing) keeps its rows in the table,
and only the other dates are protected and written."""

from dataclasses import dataclass

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.reporting.protection import CELL_COLUMNS, INPUTS_DIGEST, protect_bulletins_reusing
from orchestration.settings import WarehouseSettings
from orchestration.transformation.python_steps import warehouse_tables
from orchestration.warehouse_tables import WarehouseTables

CELLS = "marts.bulletin_protected_cells"
COUNT_MARTS = ("bulletin_province_counts", "bulletin_district_counts", "bulletin_school_counts",
               "bulletin_province_transition_counts")
COLUMN_TYPES = {"report_date": "date", "page": "string", "table_name": "string", "row_key": "string",
                "column_key": "string", "children": "bigint", "suppression": "string", "display": "string",
                INPUTS_DIGEST: "string"}


@dataclass(frozen=True)
class StoredCells:
    """What the previous run left in the table."""

    digests: dict  # report_date -> the inputs_digest every stored cell of that date carries
    rows: dict  # report_date -> how many cells it has
    why_not: str | None = None  # why nothing can be reused


def stored_cells(tables: WarehouseTables) -> StoredCells:
    """A date with a cell of another digest, or of none, is left out of the digests: it
    is protected again."""
    try:
        if not tables.exists(CELLS):
            return StoredCells({}, {}, "no previous table")
        previous = tables.read(CELLS, ["report_date", INPUTS_DIGEST])
    except Exception as error:  # a cache must never fail the run (an older table has no digests)
        return StoredCells({}, {}, f"previous table unreadable: {type(error).__name__}: {error}")
    by_date = previous.groupby(pd.to_datetime(previous["report_date"]).dt.date)[INPUTS_DIGEST]
    whole = (by_date.nunique() == 1) & (by_date.count() == by_date.size())
    return StoredCells(by_date.first()[whole].to_dict(), by_date.size().to_dict())


@asset(
    key=AssetKey(["marts", "bulletin_protected_cells"]),
    group_name="marts",
    deps=[AssetKey(["marts", name]) for name in COUNT_MARTS],
    kinds={"python", "duckdb"},
    description="Every sub-national figure the bulletins print, with its count when it may be printed and why not otherwise.",
)
def bulletin_protected_cells(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
    tables = warehouse_tables(settings)
    inputs = [tables.read(f"marts.{name}") for name in COUNT_MARTS]
    stored = stored_cells(tables)
    records, reuse = protect_bulletins_reusing(*inputs, stored.digests)
    context.log.info(f"bulletin_protected_cells: {reuse.summary()}" + (f"; {stored.why_not}" if stored.why_not else ""))
    cells = _frame(records)
    del records  # the records of a national run's dates take a few times the frame's memory
    try:
        rows = tables.replace(CELLS, cells, COLUMN_TYPES, keep=("report_date", [day.isoformat() for day in reuse.reused]))
        kept = sum(stored.rows[day] for day in reuse.reused)
        if rows != len(cells) + kept:
            raise ValueError(f"{rows:,} cells in the table, not {len(cells):,} computed and {kept:,} kept")
    except Exception as error:  # a cache must never fail the run: protect every date again
        context.log.warning(f"bulletin_protected_cells: the previous cells could not be kept"
                            f" ({type(error).__name__}: {error}); every report date is protected again")
        records, reuse = protect_bulletins_reusing(*inputs, {})
        rows = tables.replace(CELLS, _frame(records), COLUMN_TYPES)
    return MaterializeResult(metadata={
        "dagster/row_count": rows,
        "report_dates_reused": len(reuse.reused),
        "report_dates_computed": len(reuse.computed),
    })


def _frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=list(CELL_COLUMNS))

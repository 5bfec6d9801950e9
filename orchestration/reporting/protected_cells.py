"""marts.bulletin_protected_cells, between the last two dbt stages: small-cell
protection of every figure the bulletins print below national level, computed from the
exact counts of the bulletin_*_counts marts (protection.py; the algorithm is
suppression.py). dbt reads the table as the source bulletin.bulletin_protected_cells,
where its tests are, and builds the published sub-national tables on it.

Protecting a national run's report dates takes minutes, and a weekly run adds one date
to dates whose counts have not changed: the table the previous run wrote is read first,
and a date whose cells carry the digest of this run's inputs keeps them
(protection.protect_bulletins_reusing)."""

from collections.abc import Callable

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


def _records(frame: pd.DataFrame) -> list[dict]:
    frame = frame.copy()
    frame["report_date"] = pd.to_datetime(frame["report_date"]).dt.date
    return frame.to_dict("records")


def _no_cells(dates: list) -> list[dict]:
    return []


def previous_cells(tables: WarehouseTables) -> tuple[dict, Callable[[list], list[dict]], str | None]:
    """What the previous run left: (report_date -> an inputs_digest of its cells, a reader
    of the stored cells of some dates in their stored order, why nothing can be reused).
    One digest per date is enough here: protect_bulletins_reusing keeps a date only when
    every cell it reads back carries that date's digest."""
    try:
        if not tables.exists(CELLS):
            return {}, _no_cells, "no previous table"
        previous = tables.read(CELLS)
    except Exception as error:  # a cache must never fail the run
        return {}, _no_cells, f"previous table unreadable: {type(error).__name__}: {error}"
    if not set(CELL_COLUMNS) <= set(previous.columns):
        return {}, _no_cells, f"the previous table has no {INPUTS_DIGEST}"
    previous["report_date"] = pd.to_datetime(previous["report_date"]).dt.date
    first = previous.dropna(subset=[INPUTS_DIGEST]).drop_duplicates("report_date")
    digests = dict(zip(first["report_date"], first[INPUTS_DIGEST]))

    def stored_cells(dates: list) -> list[dict]:
        return previous.loc[previous["report_date"].isin(set(dates)), list(CELL_COLUMNS)].to_dict("records")

    return digests, stored_cells, None


@asset(
    key=AssetKey(["marts", "bulletin_protected_cells"]),
    group_name="marts",
    deps=[AssetKey(["marts", name]) for name in COUNT_MARTS],
    kinds={"python", "duckdb"},
    description="Every sub-national figure the bulletins print, with its count when it may be printed and why not otherwise.",
)
def bulletin_protected_cells(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
    tables = warehouse_tables(settings)
    provinces, districts, schools, transitions = (_records(tables.read(f"marts.{name}")) for name in COUNT_MARTS)
    digests, stored_cells, why_not = previous_cells(tables)
    records, reuse = protect_bulletins_reusing(provinces, districts, schools, transitions, digests, stored_cells)
    context.log.info(f"bulletin_protected_cells: {reuse.summary()}" + (f"; {why_not}" if why_not else ""))
    cells = pd.DataFrame(records, columns=list(CELL_COLUMNS))
    tables.replace(CELLS, cells, COLUMN_TYPES)
    return MaterializeResult(metadata={
        "dagster/row_count": len(cells),
        "report_dates_reused": len(reuse.reused),
        "report_dates_computed": len(reuse.computed),
    })

"""marts.bulletin_protected_cells, between the last two dbt stages: small-cell
protection of every figure the bulletins print below national level, computed from the
exact counts of the bulletin_*_counts marts (protection.py; the algorithm is
suppression.py). dbt reads the table as the source bulletin.bulletin_protected_cells,
where its tests are, and builds the published sub-national tables on it."""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.reporting.protection import COLUMNS, protect_bulletins
from orchestration.settings import WarehouseSettings
from orchestration.transformation.python_steps import warehouse_tables

COUNT_MARTS = ("bulletin_province_counts", "bulletin_district_counts", "bulletin_school_counts",
               "bulletin_province_transition_counts")
COLUMN_TYPES = {"report_date": "date", "page": "string", "table_name": "string", "row_key": "string",
                "column_key": "string", "children": "bigint", "suppression": "string", "display": "string"}


def _records(frame: pd.DataFrame) -> list[dict]:
    frame = frame.copy()
    frame["report_date"] = pd.to_datetime(frame["report_date"]).dt.date
    return frame.to_dict("records")


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
    cells = pd.DataFrame(protect_bulletins(provinces, districts, schools, transitions), columns=list(COLUMNS))
    tables.replace("marts.bulletin_protected_cells", cells, COLUMN_TYPES)
    return MaterializeResult(metadata={"dagster/row_count": len(cells)})

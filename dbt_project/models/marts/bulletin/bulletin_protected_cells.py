"""Small-cell protection of every figure the bulletins print below national level: one
row per cell of the national table of provinces and of each provincial bulletin's
tables (districts, schools, written summary), with the count when it may be printed,
or why not ('small': 1–4, printed "<5"; 'complementary': hidden so that no small count
can be worked out from the totals, printed "x"; 'withheld': the table is not printed).

The rule and the algorithm: orchestration/reporting/suppression.py (Python, because
complementary suppression is an iterative search; see there). This model only feeds it
the exact counts of the bulletin_*_counts marts."""

import pandas as pd
import pyarrow as pa

from orchestration.reporting.protection import COLUMNS, protect_bulletins


def _records(frame: pd.DataFrame) -> list[dict]:
    frame = frame.copy()
    frame["report_date"] = pd.to_datetime(frame["report_date"]).dt.date
    return frame.to_dict("records")


def model(dbt, session):
    dbt.config(materialized="table")
    provinces = _records(dbt.ref("bulletin_province_counts").df())
    districts = _records(dbt.ref("bulletin_district_counts").df())
    schools = _records(dbt.ref("bulletin_school_counts").df())
    transitions = _records(dbt.ref("bulletin_province_transition_counts").df())
    cells = pd.DataFrame(protect_bulletins(provinces, districts, schools, transitions), columns=list(COLUMNS))
    # explicit types, so that a run with no children still gives typed columns
    cells["report_date"] = cells["report_date"].astype(pd.ArrowDtype(pa.date32()))
    return cells.astype({
        "page": "string", "table_name": "string", "row_key": "string", "column_key": "string",
        "children": "Int64", "suppression": "string", "display": "string",
    })

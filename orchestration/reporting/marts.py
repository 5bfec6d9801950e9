"""Read the bulletin marts for one report date into plain Python values.

Every figure a bulletin prints is a row of a `marts.bulletin_*` table (built by dbt);
this module only fetches them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from orchestration.warehouse import query_dicts


@dataclass
class BulletinData:
    report_date: date
    previous_report_date: date | None
    status_rows: list[dict]  # per status: children, share_pct, previous_*, change, labels
    stage_rows: list[dict]  # per status: children per stage, total, share
    stages: list[dict]  # stage labels in column order
    stage_totals: dict[str, int]
    agency_rows: list[dict]  # per agency with children > 0
    cohort: int
    cohort_as_of: date | None
    tracking_summary: dict | None
    data_notes: list[dict]


def report_dates(connection: duckdb.DuckDBPyConnection) -> list[date]:
    return [row[0] for row in connection.execute(
        "select report_date from marts.dim_report_dates order by report_date"
    ).fetchall()]


def read_bulletin_data(connection: duckdb.DuckDBPyConnection, report_date: date) -> BulletinData:
    status_rows = query_dicts(
        connection,
        """
        select t.*, s.status_label_th
        from marts.bulletin_status_table as t
        inner join marts.dim_status as s using (status_code)
        where t.report_date = ?
        order by t.status_code
        """,
        [report_date],
    )
    stages = query_dicts(
        connection, "select * from marts.dim_education_stage order by stage_order"
    )
    stage_cells = query_dicts(
        connection,
        "select status_code, education_stage, children from marts.bulletin_stage_table where report_date = ?",
        [report_date],
    )
    by_status: dict[int, dict[str, int]] = {}
    for cell in stage_cells:
        by_status.setdefault(cell["status_code"], {})[cell["education_stage"]] = cell["children"]
    stage_rows = [
        {
            "status_code": row["status_code"],
            "status_label_th": row["status_label_th"],
            "by_stage": by_status.get(row["status_code"], {}),
            "children": row["children"],
            "share_pct": row["share_pct"],
        }
        for row in status_rows
    ]
    stage_totals = {
        stage["education_stage"]: sum(row["by_stage"].get(stage["education_stage"], 0) for row in stage_rows)
        for stage in stages
    }
    agency_rows = query_dicts(
        connection,
        """
        select c.source_agency, c.children, c.cohort_as_of, a.agency_short_th, a.agency_name_th
        from marts.bulletin_cohort_by_agency as c
        inner join marts.dim_agency as a using (source_agency)
        where c.report_date = ? and c.children > 0
        order by c.children desc, a.agency_priority
        """,
        [report_date],
    )
    summaries = query_dicts(
        connection, "select * from marts.bulletin_tracking_summary where report_date = ?", [report_date]
    )
    notes = query_dicts(
        connection,
        """
        select n.*, a.agency_short_th
        from marts.bulletin_data_notes as n
        left join marts.dim_agency as a on a.source_agency = n.source
        where n.report_date = ?
        order by n.source_order
        """,
        [report_date],
    )
    return BulletinData(
        report_date=report_date,
        previous_report_date=status_rows[0]["previous_report_date"] if status_rows else None,
        status_rows=status_rows,
        stage_rows=stage_rows,
        stages=stages,
        stage_totals=stage_totals,
        agency_rows=agency_rows,
        cohort=sum(row["children"] for row in status_rows),
        cohort_as_of=agency_rows[0]["cohort_as_of"] if agency_rows else None,
        tracking_summary=summaries[0] if summaries else None,
        data_notes=notes,
    )

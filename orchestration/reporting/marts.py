"""Read the bulletin marts for one report date into plain Python values.

Every figure a bulletin prints is a row of a `marts.bulletin_*` table (built by dbt);
this module only fetches them and groups rows into the shape the templates lay out.
Below national level it reads only the protected marts (bulletin_protected_cells and
the marts built on it), so a hidden figure never reaches a template."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import duckdb

from orchestration.warehouse import query_dicts

NATIONAL = "national"

# Every mart this module reads, by what a report date's bulletins take from it: the rows
# of that date, the trend up to it, or the whole table (input_digests relies on this list
# being complete; a test checks it against the queries below).
MARTS_BY_REPORT_DATE = (
    "bulletin_agency_table", "bulletin_area_status_table", "bulletin_area_summary", "bulletin_cohort_by_agency",
    "bulletin_data_notes", "bulletin_district_table", "bulletin_headline", "bulletin_protected_cells",
    "bulletin_province_ranking", "bulletin_school_table", "bulletin_stage_table", "bulletin_status_table",
    "bulletin_tracking_summary", "dim_report_dates",
)
TREND_MART = "bulletin_status_trend"  # read up to the report date (trend_date <= report_date)
WHOLE_MARTS = ("dim_agency", "dim_education_stage", "dim_status")


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
    headline: dict | None = None
    statuses: list[dict] = field(default_factory=list)  # dim_status rows, in order
    agency_table: list[dict] = field(default_factory=list)  # per agency: by_status, totals, found share
    provinces: list[dict] = field(default_factory=list)  # ranking rows with protected cells by status
    unknown_province: dict | None = None
    provinces_withheld: bool = False
    trend: list[dict] = field(default_factory=list)  # per trend date: {trend_date, is_report_date, by_status}
    provinces_without_children: list[dict] = field(default_factory=list)


@dataclass
class AreaBulletinData:
    """One provincial bulletin: only published (protected) figures."""

    report_date: date
    previous_report_date: date | None
    province_code: str
    province_th: str
    province_en: str
    statuses: list[dict]
    status_rows: list[dict]  # per status and 'total': children/display, share, previous, change
    ranking: dict | None  # the province's row of the national table (rank, share found)
    summary: dict | None  # the ★ figures as published
    district_rows: list[dict]  # per district: label, cells by column key
    district_total: dict | None
    district_withheld: bool
    school_rows: list[dict]
    school_total: dict | None
    school_withheld: bool
    data_notes: list[dict]
    cohort_as_of: date | None


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
    statuses = query_dicts(connection, "select * from marts.dim_status order by status_code")
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
    headlines = query_dicts(connection, "select * from marts.bulletin_headline where report_date = ?", [report_date])
    provinces, unknown, withheld, without = _read_province_table(connection, report_date)
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
        data_notes=read_data_notes(connection, report_date),
        headline=headlines[0] if headlines else None,
        statuses=statuses,
        agency_table=_read_agency_table(connection, report_date),
        provinces=provinces,
        unknown_province=unknown,
        provinces_withheld=withheld,
        trend=_read_trend(connection, report_date),
        provinces_without_children=without,
    )


def read_data_notes(connection: duckdb.DuckDBPyConnection, report_date: date) -> list[dict]:
    return query_dicts(
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


def _read_agency_table(connection: duckdb.DuckDBPyConnection, report_date: date) -> list[dict]:
    rows = query_dicts(
        connection,
        """
        select t.*, a.agency_short_th, a.agency_name_th
        from marts.bulletin_agency_table as t
        inner join marts.dim_agency as a using (source_agency)
        where t.report_date = ? and t.agency_children > 0
        order by t.agency_priority, t.status_code
        """,
        [report_date],
    )
    agencies: dict[str, dict] = {}
    for row in rows:
        agency = agencies.setdefault(row["source_agency"], {
            "source_agency": row["source_agency"], "agency_short_th": row["agency_short_th"],
            "agency_name_th": row["agency_name_th"], "children": row["agency_children"],
            "found_children": row["agency_found_children"], "found_pct": row["agency_found_pct"], "by_status": {},
        })
        agency["by_status"][row["status_code"]] = row["children"]
    return list(agencies.values())


def _read_trend(connection: duckdb.DuckDBPyConnection, report_date: date) -> list[dict]:
    rows = query_dicts(
        connection,
        "select * from marts.bulletin_status_trend where trend_date <= ? order by trend_date, status_code",
        [report_date],
    )
    points: dict[date, dict] = {}
    for row in rows:
        point = points.setdefault(row["trend_date"], {
            "trend_date": row["trend_date"], "is_report_date": row["is_report_date"], "by_status": {}})
        point["by_status"][row["status_code"]] = row["children"]
    return list(points.values())


def _cells(rows: list[dict]) -> dict[str, dict]:
    """column_key -> {children, display} of one protected row."""
    return {row["column_key"]: {"children": row["children"], "display": row["display"]} for row in rows}


def _read_province_table(connection: duckdb.DuckDBPyConnection, report_date: date):
    ranking = query_dicts(
        connection, "select * from marts.bulletin_province_ranking where report_date = ?", [report_date]
    )
    cells = query_dicts(
        connection,
        """
        select row_key, column_key, children, display
        from marts.bulletin_protected_cells
        where report_date = ? and page = 'national' and table_name = 'province'
        """,
        [report_date],
    )
    by_row: dict[str, list] = defaultdict(list)
    for cell in cells:
        by_row[cell["row_key"]].append(cell)
    provinces, unknown, without = [], None, []
    for row in ranking:
        row = {**row, "cells": _cells(by_row[row["province_key"]])}
        if row["province_key"] == "unknown":
            unknown = row if row["children"] != 0 else None
        elif row["children"] == 0:
            without.append(row)
        else:
            provinces.append(row)
    provinces.sort(key=lambda r: (r["found_rank"] is None, r["found_rank"] or 0, r["province_key"]))
    without.sort(key=lambda r: r["province_key"])
    withheld = any(row["is_withheld"] for row in ranking)
    totals = _cells(by_row.get("total", []))
    if unknown is not None:
        unknown["totals"] = totals
    for row in provinces:
        row["totals"] = totals
    return provinces, unknown, withheld, without


def read_area_bulletins(connection: duckdb.DuckDBPyConnection, report_date: date) -> list[AreaBulletinData]:
    """Every provincial bulletin of the report date (provinces with children)."""
    statuses = query_dicts(connection, "select * from marts.dim_status order by status_code")
    ranking = {row["province_key"]: row for row in query_dicts(
        connection, "select * from marts.bulletin_province_ranking where report_date = ?", [report_date])}
    status_rows = defaultdict(list)
    for row in query_dicts(
        connection,
        "select * from marts.bulletin_area_status_table where report_date = ? order by province_code, row_key",
        [report_date],
    ):
        status_rows[row["province_code"]].append(row)
    summaries = {row["province_code"]: row for row in query_dicts(
        connection, "select * from marts.bulletin_area_summary where report_date = ?", [report_date])}
    districts = _area_table(connection, "bulletin_district_table", report_date, label="district_th")
    schools = _area_table(connection, "bulletin_school_table", report_date, label="school_name")
    notes = read_data_notes(connection, report_date)
    cohort_as_of = connection.execute(
        "select max(cohort_as_of) from marts.bulletin_cohort_by_agency where report_date = ?", [report_date]
    ).fetchall()[0][0]
    previous = connection.execute(
        "select previous_report_date from marts.dim_report_dates where report_date = ?", [report_date]
    ).fetchall()[0][0]
    bulletins = []
    for province in sorted(districts):
        rank = ranking.get(province, {})
        rows = status_rows.get(province, [])
        district_rows, district_total, district_withheld = districts[province]
        school_rows, school_total, school_withheld = schools.get(province, ([], None, False))
        bulletins.append(AreaBulletinData(
            report_date=report_date,
            previous_report_date=previous,
            province_code=province,
            province_th=rank.get("province_th") or province,
            province_en=rank.get("province_en") or province,
            statuses=statuses,
            status_rows=rows,
            ranking=rank or None,
            summary=summaries.get(province),
            district_rows=district_rows,
            district_total=district_total,
            district_withheld=district_withheld,
            school_rows=school_rows,
            school_total=school_total,
            school_withheld=school_withheld,
            data_notes=notes,
            cohort_as_of=cohort_as_of,
        ))
    return bulletins


def _area_table(connection, mart: str, report_date: date, *, label: str):
    """A protected table of the provincial bulletins (one row per area × column), grouped
    by province and row for the template."""
    rows = query_dicts(
        connection,
        f"select * from marts.{mart} where report_date = ? order by province_code, row_group, row_key, column_key",
        [report_date],
    )
    return _group_rows(rows, label=lambda r: r[label])


def _group_rows(cells: list[dict], label) -> dict[str, tuple[list[dict], dict | None, bool]]:
    """province -> (rows with their cells, the totals row, whether the table is withheld)."""
    grouped: dict[str, dict[str, dict]] = defaultdict(dict)
    withheld: dict[str, bool] = defaultdict(bool)
    for cell in cells:
        rows = grouped[cell["province_code"]]
        row = rows.setdefault(cell["row_key"], {
            "row_key": cell["row_key"], "row_group": cell["row_group"], "label": label(cell),
            "schools": cell.get("schools"), "cells": {},
        })
        row["cells"][cell["column_key"]] = {"children": cell["children"], "display": cell["display"]}
        if cell["suppression"] == "withheld":
            withheld[cell["province_code"]] = True
    result = {}
    for province, rows in grouped.items():
        ordered = sorted(rows.values(), key=lambda r: (r["row_group"], r["row_key"]))
        total = next((r for r in ordered if r["row_key"] == "total"), None)
        result[province] = ([r for r in ordered if r["row_key"] != "total"], total, withheld[province])
    return result


def input_digests(connection: duckdb.DuckDBPyConnection, dates: list[date]) -> dict[date, str]:
    """For each report date, a sha256 of every mart row its bulletins are read from (one
    query per mart): two equal digests mean the reading functions above return equal data."""
    parts: dict[date, list[str]] = {day: [] for day in dates}
    for mart in MARTS_BY_REPORT_DATE:
        by_date = _row_digests(connection, mart, "report_date")
        for day in dates:
            parts[day].append(f"{mart} {by_date.get(day)}")
    trend = sorted(_row_digests(connection, TREND_MART, "trend_date").items())
    for day in dates:
        parts[day].append(f"{TREND_MART} {','.join(digest for trend_date, digest in trend if trend_date <= day)}")
    for mart in WHOLE_MARTS:
        whole = _row_digests(connection, mart, None).get(None)
        for day in dates:
            parts[day].append(f"{mart} {whole}")
    return {day: hashlib.sha256("\n".join([day.isoformat(), *parts[day]]).encode("utf-8")).hexdigest()
            for day in dates}


def _row_digests(connection: duckdb.DuckDBPyConnection, mart: str, key: str | None) -> dict:
    """key value (None: the whole table) -> sha256 of the sorted sha256s of the rows as JSON
    (every column, strings escaped, so no two different sets of rows give the same text).
    Aggregating the rows' hashes rather than their JSON keeps 64 bytes a row in memory: the
    JSON of a national run's protected cells and school table took 1.7 GB."""
    key_sql = key or "null"
    rows = connection.execute(
        f"""
        select key, sha256(string_agg(row_hash, chr(10) order by row_hash))
        from (select {key_sql} as key, sha256(to_json(t)::varchar) as row_hash from marts.{mart} as t)
        group by key
        """
    ).fetchall()
    return dict(rows)

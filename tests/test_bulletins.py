"""The bulletins of a weekly run, end to end: generated national deliveries (a school name
with markup planted in them) through the partitioned job `weekly_bulletin` for Sunday
31 Jul 2022 (the real Dagster + dbt + DuckDB flow), then every printed number checked
against the warehouse — national figures exact, figures below national level as the
protected marts say and never a count of 1–4 — every hidden figure checked against an
attacker working from the printed tables alone, the written summaries against the
transitions, the PDFs, the index, the partitions and the schedule."""

from __future__ import annotations

import markupsafe
import json
import shutil
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from dagster import build_schedule_context, validate_run_config

from orchestration.definitions import defs
from orchestration.jobs import partition_run_config, report_date_partitions, weekly_bulletin_schedule
from orchestration.reporting import suppression
from orchestration.reporting.thai import thai_date
from tests.e2e_support import (
    PLANTED_SCHOOL_NAME,
    PrintedTable,
    WeeklyRun,
    hidden_figure_ranges,
    keyed_rows,
    pdf_fonts_and_pages,
    pdf_link_targets,
    personal_data_found,
    read_bulletin,
    run_partition,
    weekly_run,
)

STATUSES = [1, 2, 3, 4, 5]
COLUMNS = [str(s) for s in STATUSES]


@pytest.fixture(scope="module")
def weekly(tmp_path_factory) -> WeeklyRun:
    return weekly_run(tmp_path_factory)


# -- what the figures must be, computed here from the core marts --------------------------------


def fmt(n: int) -> str:
    return f"{n:,}"


def half_up(numerator: int, denominator: int) -> str:
    return str((Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def largest_remainder(counts: dict[int, int]) -> dict[int, str]:
    """Shares in hundredths adding up to 100.00 (docs/business-rules.md §6), written anew."""
    total = sum(counts.values())
    floors = {k: v * 10_000 // total for k, v in counts.items()}
    remainders = sorted(counts, key=lambda k: (-(counts[k] * 10_000 - floors[k] * total), k))
    for k in remainders[: 10_000 - sum(floors.values())]:
        floors[k] += 1
    return {k: f"{v // 100}.{v % 100:02d}" for k, v in floors.items()}


def change(n: int) -> str:
    return "-" if n == 0 else (f"▲ {n:,}" if n > 0 else f"▼ {-n:,}")


def exact_status(run: WeeklyRun, day: date) -> dict[int, int]:
    counts = dict(run.query("select status_code, sum(children) from marts.status_summary where report_date = ?"
                            " group by 1", [day]))
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def exact_by_province(run: WeeklyRun, day: date) -> dict[tuple[str, str], int]:
    rows = run.query(
        "select coalesce(province_code, 'unknown'), status_code, sum(children) from marts.status_summary"
        " where report_date = ? group by all", [day])
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for province, status, n in rows:
        counts[(province, str(status))] += int(n)
        counts[(province, "total")] += int(n)
    return counts


def exact_by_district(run: WeeklyRun, day: date) -> dict[tuple[str, str, str], int]:
    rows = run.query(
        "select province_code, coalesce(district_code, 'unknown'), status_code, count(*)"
        " from marts.fct_child_status where report_date = ? and province_code is not null group by all", [day])
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for province, district, status, n in rows:
        counts[(province, district, str(status))] += n
        counts[(province, district, "total")] += n
    return counts


def exact_by_school(run: WeeklyRun, day: date) -> dict[tuple[str, str | None, str], int]:
    """Children per province, school code in their details on the day, status."""
    rows = run.query(
        """
        select f.province_code, d.school_code, f.status_code, count(*)
        from marts.fct_child_status f
        join intermediate.int_cohort_children c using (child_key)
        join intermediate.int_child_details_history d
          on d.child_id = c.child_id and d.valid_from <= f.report_date
         and (d.valid_to is null or d.valid_to > f.report_date)
        where f.report_date = ? and f.province_code is not null
        group by all
        """, [day])
    counts: dict[tuple, int] = defaultdict(int)
    for province, school, status, n in rows:
        counts[(province, school, str(status))] += n
        counts[(province, school, "total")] += n
    return counts


def moves(run: WeeklyRun, province: str | None = None) -> dict[str, int]:
    """The ★ figures from status_transitions, by their definition (3/4 -> 1/2)."""
    where = "" if province is None else f" and province_code = '{province}'"
    rows = run.query(f"select from_status_code, to_status_code, sum(children) from marts.status_transitions"
                     f" where to_report_date = ?{where} group by all", [run.report_date])
    m = {(f, t): int(n) for f, t, n in rows}
    found = {f: m.get((f, 1), 0) + m.get((f, 2), 0) for f in (3, 4)}
    return {
        "found_from_not_found": found[3], "found_from_being_tracked": found[4], "found_total": found[3] + found[4],
        "found_and_returned": m.get((3, 1), 0) + m.get((4, 1), 0),
        "found_not_returned": m.get((3, 2), 0) + m.get((4, 2), 0),
        "new_to_cohort": sum(n for (f, _), n in m.items() if f is None),
    }


def shown(text: str) -> bool:
    return text not in ("<5", "x")


def number(text: str) -> int:
    return int(text.replace(",", ""))


def printed_or_symbol(text: str, value: int, where: str) -> None:
    """A protected figure is its exact value, or a symbol that tells the truth about it."""
    if text == "<5":
        assert value <= 4, f"{where}: '<5' for {value}"
    elif text == "x":
        assert value >= 5, f"{where}: 'x' for {value}"
    else:
        assert text == fmt(value), f"{where}: printed {text}, is {value}"
        assert not suppression.is_small(value), f"{where}: a count of {value} is printed"


def national(run: WeeklyRun, day: date | None = None) -> Path:
    return run.bulletins / (day or run.report_date).isoformat() / "national.html"


def provincial_pages(run: WeeklyRun, day: date | None = None) -> dict[str, Path]:
    folder = run.bulletins / (day or run.report_date).isoformat() / "provinces"
    return {path.stem: path for path in sorted(folder.glob("*.html"))}


# -- the run -------------------------------------------------------------------------------------


def test_the_partition_builds_its_sunday_and_the_one_before(weekly):
    dates = [d for (d,) in weekly.query("select report_date from marts.dim_report_dates order by 1")]
    assert dates == [weekly.previous_date, weekly.report_date]
    bulletin = read_bulletin(national(weekly))
    assert bulletin.tables["status-table"][0][1:3] == [f"ข้อมูล ณ วันที่ {thai_date(weekly.previous_date)}",
                                                      f"ข้อมูล ณ วันที่ {thai_date(weekly.report_date)}"]
    with_children = {p for (p,) in weekly.query(
        "select distinct province_code from marts.fct_child_status where report_date = ? and province_code is not null",
        [weekly.report_date])}
    assert set(provincial_pages(weekly)) == with_children
    assert len(with_children) > 60


# -- the national bulletin ------------------------------------------------------------------------


def test_the_national_tables_print_the_exact_figures(weekly):
    d, p = weekly.report_date, weekly.previous_date
    now, before = exact_status(weekly, d), exact_status(weekly, p)
    shares_now, shares_before = largest_remainder(now), largest_remainder(before)
    labels = dict(weekly.query("select status_code, status_label_th from marts.dim_status"))
    bulletin = read_bulletin(national(weekly))
    assert bulletin.tables["status-table"][2:] == [
        *[[f"{s}. {labels[s]}", fmt(before[s]), shares_before[s], fmt(now[s]), shares_now[s], change(now[s] - before[s])]
          for s in STATUSES],
        ["รวม", fmt(sum(before.values())), "100", fmt(sum(now.values())), "100", ""],
    ]
    by_stage = dict(((s, stage), int(n)) for s, stage, n in weekly.query(
        "select status_code, education_stage, sum(children) from marts.status_summary where report_date = ?"
        " group by all", [d]))
    stages = [stage for (stage,) in weekly.query("select education_stage from marts.dim_education_stage order by stage_order")]
    assert bulletin.tables["stage-table"][2:] == [
        *[[f"{s}. {labels[s]}", *[fmt(by_stage.get((s, stage), 0)) for stage in stages], fmt(now[s]), shares_now[s]]
          for s in STATUSES],
        ["รวม", *[fmt(sum(by_stage.get((s, stage), 0) for s in STATUSES)) for stage in stages],
         fmt(sum(now.values())), "100"],
    ]
    agencies = weekly.query("select source_agency, agency_short_th, agency_name_th from marts.dim_agency"
                            " order by agency_priority")
    by_agency = dict(((a, s), int(n)) for a, s, n in weekly.query(
        "select source_agency, status_code, sum(children) from marts.status_summary where report_date = ?"
        " group by all", [d]))
    rows = keyed_rows(national(weekly), "agency-table", "data-agency")
    expected = {}
    for agency, short, name in agencies:
        counts = [by_agency.get((agency, s), 0) for s in STATUSES]
        if sum(counts):
            expected[agency] = [f"{short} {name}", *map(fmt, counts), fmt(sum(counts)),
                                half_up(counts[0] + counts[1], sum(counts))]
    assert rows == expected
    assert bulletin.tables["agency-table"][-1] == ["รวม", *[fmt(now[s]) for s in STATUSES], fmt(sum(now.values())),
                                                   str(Decimal(shares_now[1]) + Decimal(shares_now[2]))]


def test_the_headline_figures(weekly):
    d, p = weekly.report_date, weekly.previous_date
    now, before = exact_status(weekly, d), exact_status(weekly, p)
    shares = largest_remainder(now)
    texts = read_bulletin(national(weekly)).texts
    found, found_before = now[1] + now[2], before[1] + before[2]
    assert texts["cohort-total"] == f"{fmt(sum(now.values()))} คน"
    assert texts["headline-found"] == f"{fmt(found)} คน"
    assert texts["headline-found-detail"] == (
        f"ร้อยละ {Decimal(shares[1]) + Decimal(shares[2])} · {change(found - found_before)} คน")
    assert texts["headline-to-find"] == f"{fmt(now[3] + now[4])} คน"
    assert texts["headline-to-find-detail"] == f"{change(now[3] + now[4] - before[3] - before[4])} คน จาก {thai_date(p)}"
    assert texts["headline-new"] == f"{fmt(moves(weekly)['new_to_cohort'])} คน"


def test_the_written_summary_follows_the_transitions(weekly):
    m = moves(weekly)
    text = read_bulletin(national(weekly)).texts["tracking-summary"]
    if m["found_total"] == 0:
        expected = "★ไม่มีเด็กที่ติดตามพบตัวเพิ่มขึ้นจากรอบรายงานก่อนหน้า"
    else:
        expected = (
            f"★ติดตามค้นหาเด็กได้เพิ่มขึ้น จากกลุ่มติดตามไม่พบตัว จำนวน {fmt(m['found_from_not_found'])} คน "
            f"กลุ่มกำลังติดตาม จำนวน {fmt(m['found_from_being_tracked'])} คน "
            f"รวมจำนวนเด็กที่ติดตามพบตัว เพิ่มขึ้น {fmt(m['found_total'])} คน "
            f"นำกลับเข้าระบบได้จำนวน {fmt(m['found_and_returned'])} คน "
            f"ยังไม่เข้าระบบ จำนวน {fmt(m['found_not_returned'])} คน"
        )
    if m["new_to_cohort"]:
        expected += f" และมีเด็กเข้าสู่บัญชีรายชื่อเพิ่มขึ้น {fmt(m['new_to_cohort'])} คน"
    assert text == expected


def test_the_trend_chart_prints_the_weekly_figures(weekly):
    texts = read_bulletin(national(weekly)).texts
    now = exact_status(weekly, weekly.report_date)
    points = weekly.query("select trend_date, status_code, children, is_report_date from marts.bulletin_status_trend"
                          " where trend_date <= ? order by 1", [weekly.report_date])
    sundays = sorted({d for d, *_ in points})
    first_listed = weekly.query("select min(first_listed_on) from intermediate.int_cohort_children")[0][0]
    assert all(d.weekday() == 6 for d in sundays)  # both report dates are Sundays too
    assert sundays[0] == first_listed + timedelta(days=6 - first_listed.weekday())  # the week of the first list
    assert sundays[-1] == weekly.report_date
    assert [(b - a).days for a, b in zip(sundays, sundays[1:])] == [7] * (len(sundays) - 1)
    for s in STATUSES:
        series = [n for d, status, n, _ in points if status == s]
        assert texts[f"trend-last-{s}"] == fmt(now[s])
        assert texts[f"trend-range-{s}"] == f"ต่ำสุด {fmt(min(series))} · สูงสุด {fmt(max(series))}"
    for day in (weekly.previous_date, weekly.report_date):  # the chart's report dates are the tables' figures
        assert {s: n for d, s, n, _ in points if d == day} == exact_status(weekly, day)


def test_the_data_footnote_counts_the_deliveries_of_the_report_date(weekly):
    files = weekly.query("select load_status, rows_quarantined from marts.fct_file_loads"
                         " where coalesce(file_date, ?) <= ? and source in"
                         " ('obec_dmc', 'eef', 'ops', 'ovec', 'msdhs', 'tracking')", [weekly.report_date] * 2)
    loaded = sum(1 for status, _ in files if status == "loaded")
    rejected = sum(1 for status, _ in files if status == "rejected")
    duplicate = sum(1 for status, _ in files if status == "duplicate_file")
    quarantined = sum(int(n or 0) for _, n in files)
    texts = read_bulletin(national(weekly)).texts
    assert texts["deliveries"] == (
        f"แฟ้มข้อมูลที่ได้รับ (ลงวันที่ไม่เกินวันที่รายงาน) {loaded + rejected + duplicate} แฟ้ม "
        f"(นำเข้า {loaded} · ไม่ผ่านการตรวจสอบ {rejected} · ซ้ำ {duplicate}) · แถวข้อมูลที่กันไว้ตรวจสอบ {fmt(quarantined)} แถว")
    latest_export = weekly.query("select max(file_date) from raw.load_manifest where source = 'tracking'"
                                 " and load_status = 'loaded' and file_date <= ?", [weekly.report_date])[0][0]
    assert texts["data-as-of"].endswith(f"ข้อมูลการติดตามจากแอปพลิเคชัน “ตามน้องกลับมาเรียน” ณ {thai_date(latest_export)}")
    for page in provincial_pages(weekly).values():
        provincial = read_bulletin(page).texts
        assert provincial["deliveries"] == texts["deliveries"] and provincial["data-as-of"] == texts["data-as-of"]


def test_the_table_of_provinces_prints_protected_figures_and_ranks_what_it_prints(weekly):
    exact = exact_by_province(weekly, weekly.report_date)
    names = dict(weekly.query("select province_code, province_th from marts.dim_province"))
    rows = keyed_rows(national(weekly), "province-table", "data-province")
    listed = {p for (p, _) in exact if exact[(p, "total")] > 0}
    assert set(rows) == listed
    shares = {}
    for province, cells in rows.items():
        rank, name, *counts, share = cells
        assert name == names.get(province, "ไม่ทราบจังหวัด")
        for column, text in zip([*COLUMNS, "total"], counts):
            printed_or_symbol(text, exact[(province, column)], f"national {province}/{column}")
        if all(text not in ("<5", "x") for text in (counts[0], counts[1], counts[5])):
            assert share == half_up(exact[(province, "1")] + exact[(province, "2")], exact[(province, "total")])
            if province != "unknown":
                shares[province] = Decimal(share)
        else:
            assert share == "-"
    for province, cells in rows.items():  # competition ranking over the printed shares only
        expected = 1 + sum(1 for other in shares.values() if other > shares[province]) if province in shares else "-"
        assert cells[0] == str(expected)
    without = read_bulletin(national(weekly)).texts.get("provinces-without-children", "")
    for code, name in names.items():
        assert (name in without) == (exact.get((code, "total"), 0) == 0)


# -- the provincial bulletins ---------------------------------------------------------------------


def test_every_provincial_bulletin_prints_the_protected_figures(weekly):
    d, p = weekly.report_date, weekly.previous_date
    provinces_now = keyed_rows(national(weekly, d), "province-table", "data-province")
    provinces_before = keyed_rows(national(weekly, p), "province-table", "data-province")
    districts = exact_by_district(weekly, d)
    schools = exact_by_school(weekly, d)
    district_names = dict(weekly.query("select district_code, district_th from marts.dim_district"))
    school_names = dict(weekly.query("select school_code, school_name from marts.bulletin_dim_school"))
    for province, page in provincial_pages(weekly).items():
        now = dict(zip([*COLUMNS, "total"], provinces_now[province][2:8]))
        before = dict(zip([*COLUMNS, "total"], provinces_before[province][2:8])) if province in provinces_before else None
        # the status table: the province's row of the national tables, on both dates
        status_rows = keyed_rows(page, "area-status-table", "data-status")
        total_row = read_bulletin(page).tables["area-status-table"][-1]
        for column, (_, prev, prev_share, cur, cur_share, moved) in [
            *[(c, status_rows[c]) for c in COLUMNS], ("total", total_row)
        ]:
            assert cur == now[column] and prev == before[column], (province, column)
            for text, share, total in ((cur, cur_share, now["total"]), (prev, prev_share, before["total"])):
                expected = "-" if not (shown(text) and shown(total)) else (
                    "100" if column == "total" else half_up(number(text), number(total)))
                assert share == expected, (province, column)
            assert moved == (change(number(cur) - number(prev)) if shown(cur) and shown(prev) else "-")
        assert read_bulletin(page).texts["province-total"] == f"{now['total']} คน"
        # districts: every one of the province, then unknown, then the province's row
        rows = keyed_rows(page, "district-table", "data-row")
        expected_rows = {code for code in district_names if code[:2] == province}  # DOPA codes start with the province's
        expected_rows |= {k for (prov, k, _) in districts if prov == province}
        assert set(rows) == expected_rows | {"total"}
        for key, cells in rows.items():
            if key == "total":
                assert cells[1:] == [now[c] for c in [*COLUMNS, "total"]]
                continue
            assert cells[0] == (district_names[key] if key != "unknown" else "ไม่ทราบอำเภอ")
            for column, text in zip([*COLUMNS, "total"], cells[1:]):
                printed_or_symbol(text, districts.get((province, key, column), 0), f"{province}/{key}/{column}")
        # schools: 5 or more of the province's children named, the rest together
        rows = keyed_rows(page, "school-table", "data-row")
        sizes = {code: n for (prov, code, column), n in schools.items() if prov == province and column == "total"}
        named = {code for code, n in sizes.items() if code is not None and n >= 5}
        small = {code for code, n in sizes.items() if code is not None and n < 5}
        assert set(rows) == named | ({"other"} if small else set()) | ({"none"} if None in sizes else set()) | {"total"}
        for key, cells in rows.items():
            if key == "total":
                assert cells[1:] == [now[c] for c in [*COLUMNS, "total"]]
                continue
            if key == "other":
                assert cells[0] == "สถานศึกษาอื่น (แห่งละไม่ถึง 5 คน)"  # not how many: that bounds the row
                values = {c: sum(schools.get((province, s, c), 0) for s in small) for c in [*COLUMNS, "total"]}
            elif key == "none":
                assert cells[0] == "ไม่ระบุรหัสสถานศึกษาในบัญชีรายชื่อ"
                values = {c: schools.get((province, None, c), 0) for c in [*COLUMNS, "total"]}
            else:
                assert cells[0] == f"{' '.join(school_names[key].split())} ({key})"
                values = {c: schools.get((province, key, c), 0) for c in [*COLUMNS, "total"]}
            for column, text in zip([*COLUMNS, "total"], cells[1:]):
                printed_or_symbol(text, values[column], f"{province}/school {key}/{column}")


def test_no_count_of_1_to_4_is_printed_below_national_level(weekly):
    small = {"1", "2", "3", "4"}
    for _, cells in keyed_rows(national(weekly), "province-table", "data-province").items():
        assert not small & set(cells[2:8])
    for page in provincial_pages(weekly).values():
        for table, key in (("district-table", "data-row"), ("school-table", "data-row")):
            for row, cells in keyed_rows(page, table, key).items():
                assert not small & set(cells[1:]), (page.name, table, row)
        for row, cells in keyed_rows(page, "area-status-table", "data-status").items():
            assert not small & {cells[1], cells[3]}, (page.name, row)
        summary = read_bulletin(page).texts.get("tracking-summary", "")
        assert not small & set(summary.replace("คน", " ").split()), (page.name, summary)


def _printed_page(page: Path, province: str, label: str) -> list[PrintedTable]:
    """The provincial page's two tables as a reader has them, the province's row named as
    the national table's (the same figures)."""
    tables = []
    for table_id in ("district-table", "school-table"):
        rows = keyed_rows(page, table_id, "data-row")
        if not rows:
            continue
        keys = [k for k in rows if k != "total"]
        text = {(k, c): t for k, cells in rows.items() for c, t in zip([*COLUMNS, "total"], cells[1:])}
        names = {("total", c): f"national:{province}:{c}" for c in [*COLUMNS, "total"]}
        tables.append(PrintedTable(keys, COLUMNS, text, names=names, label=f"{label}/{table_id}"))
    return tables


def _assert_unrecoverable(tables, values, three_values, best_tables) -> None:
    small = lambda name: suppression.is_small(values[name])  # noqa: E731
    ranges = hidden_figure_ranges(tables, only=small)
    achievable = None
    for name, (low, high) in ranges.items():
        assert low <= values[name] <= high, name
        wanted = 2 if three_values(name) else 1
        if high - low < wanted:  # as much as the figures printed exactly allow?
            achievable = achievable or hidden_figure_ranges(best_tables(), only=small)
            possible = achievable[name][1] - achievable[name][0]
            assert high - low >= min(wanted, possible), f"{name} = {values[name]} narrowed to {low}–{high}"


def test_no_hidden_figure_can_be_worked_out_from_what_is_printed(weekly):
    """An attacker with the national table of provinces and a provincial bulletin: every
    hidden count of 1–4 keeps three possible values on each page (two where figures
    printed exactly leave no more), and read together, the provincial ones still do
    and the national ones cannot be worked out. Checked on the planted province and
    the two provinces with the most hidden figures (tests/test_suppression.py checks
    every page of synthetic dates)."""
    d = weekly.report_date
    rows = keyed_rows(national(weekly), "province-table", "data-province")
    footer = read_bulletin(national(weekly)).tables["province-table"][-1]
    text = {(p, c): t for p, cells in rows.items() for c, t in zip([*COLUMNS, "total"], cells[2:8])}
    text.update({("total", c): t for c, t in zip([*COLUMNS, "total"], footer[2:8])})
    names = {key: f"national:{key[0]}:{key[1]}" for key in text}
    national_table = PrintedTable(list(rows), COLUMNS, text, names=names, label="national")
    values: dict[str, int] = defaultdict(int)  # a figure status_summary has no row for is 0
    values.update({f"national:{p}:{c}": n for (p, c), n in exact_by_province(weekly, d).items()})
    totals = exact_status(weekly, d)
    values.update({f"national:total:{c}": totals[int(c)] for c in COLUMNS})
    values["national:total:total"] = sum(totals.values())

    def hide_all(table: PrintedTable, keep_totals_row: bool) -> PrintedTable:
        hidden = {k: (t if keep_totals_row and k[0] == "total" else ("<5" if values[table.name(*k)] <= 4 else "x"))
                  for k, t in table.text.items()}
        return PrintedTable(table.rows, table.columns, hidden, names=table.names, label=table.label)

    _assert_unrecoverable([national_table], values, lambda n: True, lambda: [hide_all(national_table, True)])

    districts, schools = exact_by_district(weekly, d), exact_by_school(weekly, d)
    pages = provincial_pages(weekly)
    hidden_count = {p: page.read_text(encoding="utf-8").count('class="num hidden"') for p, page in pages.items()}
    chosen = {weekly.planted.province_code, *sorted(hidden_count, key=lambda p: -hidden_count[p])[:2]}
    for province in sorted(chosen):
        tables = _printed_page(pages[province], province, province)
        for table in tables:
            for (row, column) in table.text:
                if row == "total":
                    continue
                if table.label.endswith("district-table"):
                    values[table.name(row, column)] = districts.get((province, row, column), 0)
                else:
                    code = None if row == "none" else row
                    if row == "other":
                        sizes = {s: n for (p, s, c), n in schools.items() if p == province and c == "total"}
                        values[table.name(row, column)] = sum(
                            schools.get((province, s, column), 0) for s, n in sizes.items() if s and n < 5)
                    else:
                        values[table.name(row, column)] = schools.get((province, code, column), 0)
        _assert_unrecoverable(tables, values, lambda n: True, lambda: [hide_all(t, True) for t in tables])
        _assert_unrecoverable([national_table, *tables], values, lambda n: not n.startswith("national:"),
                              lambda: [hide_all(national_table, True), *[hide_all(t, True) for t in tables]])


def test_the_provincial_summaries_follow_the_transitions(weekly):
    pages = provincial_pages(weekly)
    checked = 0
    for province, page in pages.items():
        text = read_bulletin(page).texts.get("tracking-summary")
        m = moves(weekly, province)
        if text == "★ไม่มีเด็กที่ติดตามพบตัวเพิ่มขึ้นจากรอบรายงานก่อนหน้า":
            assert m["found_total"] == 0
            continue
        words = text.replace("★", "").split()
        numbers = [words[i + 1] for i, word in enumerate(words) if word in ("จำนวน", "เพิ่มขึ้น", "นำกลับเข้าระบบได้จำนวน")]
        keys = ["found_from_not_found", "found_from_being_tracked", "found_total", "found_and_returned",
                "found_not_returned"]
        assert len(numbers) == 5, text
        for key, shown in zip(keys, numbers):
            printed_or_symbol(shown, m[key], f"{province} ★ {key}")
        checked += 1
    assert checked > 0


# -- free text, privacy, PDFs, the index ------------------------------------------------------------


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def test_school_names_typed_into_a_delivery_are_printed_as_text(weekly):
    page = provincial_pages(weekly)[weekly.planted.province_code]
    source = page.read_text(encoding="utf-8")
    assert str(markupsafe.escape(PLANTED_SCHOOL_NAME)) in source  # &lt;script&gt;…, as Jinja escapes
    assert PLANTED_SCHOOL_NAME not in source
    row = keyed_rows(page, "school-table", "data-row")[weekly.planted.code]
    assert row[0] == f"{' '.join(PLANTED_SCHOOL_NAME.split())} ({weekly.planted.code})"  # shown as typed
    pages = [weekly.bulletins / "index.html",
             *[p for day in (weekly.report_date, weekly.previous_date) for p in (weekly.bulletins / day.isoformat()).rglob("*.html")]]
    for path in pages:
        markup = _Markup()
        markup.feed(path.read_text(encoding="utf-8"))
        assert not markup.tags & {"script", "img", "iframe", "object", "embed"}, path
        assert markup.handlers == [], path


def test_no_personal_data_is_published(weekly, tmp_path):
    """The shared privacy scan (identifiers, full names, birth dates) over the bulletins
    that carry free text from the lists (school names): the national ones, the index and
    ten provincial ones with the planted province among them. (test_national_flow scans
    every page of its run; the marts the bulletins read have no personal column.)"""
    view = tmp_path / "out"
    (view / "bulletins").mkdir(parents=True)
    (view / "warehouse.duckdb").symlink_to(weekly.warehouse)
    shutil.copy2(weekly.bulletins / "index.html", view / "bulletins" / "index.html")
    pages = provincial_pages(weekly)
    sample = [weekly.planted.province_code, *[p for p in sorted(pages) if p != weekly.planted.province_code][::8]][:10]
    for day in (weekly.report_date, weekly.previous_date):
        folder = view / "bulletins" / day.isoformat()
        (folder / "provinces").mkdir(parents=True)
        shutil.copy2(national(weekly, day), folder / "national.html")
        for province in sample:
            if (source := weekly.bulletins / day.isoformat() / "provinces" / f"{province}.html").exists():
                shutil.copy2(source, folder / "provinces" / source.name)
    scoped = WeeklyRun(weekly.landing, view)
    assert len(list(view.rglob("*.html"))) >= 20
    assert personal_data_found(scoped) == []


def test_pdfs_embed_only_the_shipped_fonts(weekly):
    d, p = weekly.report_date, weekly.previous_date
    pdfs = [national(weekly, d).with_suffix(".pdf"), national(weekly, p).with_suffix(".pdf"),
            *[page.with_suffix(".pdf") for page in provincial_pages(weekly, d).values()]]
    for pdf in pdfs:
        fonts, pages = pdf_fonts_and_pages(pdf)
        assert pages >= 1, pdf
        assert fonts and all(f.startswith(("Sarabun-Latin", "Sarabun-Thai", "Bulletin-Symbols")) for f in fonts), (pdf, fonts)
    # the date a weekly run publishes gets every PDF; its comparison date, the national one
    assert not list((weekly.bulletins / p.isoformat() / "provinces").glob("*.pdf"))


def test_pdf_links_are_relative_so_they_work_where_the_bulletins_are_published(weekly):
    # WeasyPrint resolves links against the page's release folder, which is gone once
    # the date is published: the national PDF must link each province's page as the
    # HTML does, by its place in the date's folder
    for day in (weekly.report_date, weekly.previous_date):
        links = pdf_link_targets(national(weekly, day).with_suffix(".pdf"))
        assert links and sorted(links) == sorted(f"provinces/{code}.html" for code in provincial_pages(weekly, day)), day


def test_the_index_lists_every_bulletin_by_date_and_province(weekly):
    index = weekly.bulletins / "index.html"
    rows = keyed_rows(index, "bulletin-index", "data-date")
    assert set(rows) == {weekly.report_date.isoformat(), weekly.previous_date.isoformat()}
    source = index.read_text(encoding="utf-8")
    for day in (weekly.report_date, weekly.previous_date):
        assert f'href="{day.isoformat()}/national.html"' in source
        assert f'href="{day.isoformat()}/national.pdf"' in source
    provinces = keyed_rows(index, f"provinces-{weekly.report_date.isoformat()}", "data-province")
    pages = provincial_pages(weekly)
    assert len(provinces) == 77
    for code, cells in provinces.items():
        if code in pages:
            assert cells[2:] == ["HTML", "PDF"]
            assert f'href="{weekly.report_date.isoformat()}/provinces/{code}.html"' in source
            assert f'href="{weekly.report_date.isoformat()}/provinces/{code}.pdf"' in source
        else:
            assert cells[2:] == ["ไม่มีเด็กในบัญชีรายชื่อ"]
    manifest = json.loads((weekly.bulletins / weekly.report_date.isoformat() / "manifest.json").read_text())
    assert {p["province_code"] for p in manifest["provinces"]} == set(pages)


# -- partitions and the schedule -------------------------------------------------------------------


def test_one_partition_per_sunday_from_the_programme_start():
    keys = report_date_partitions.get_partition_keys(current_time=datetime(2022, 8, 1, 6))
    assert keys[0] == "2022-01-23" and keys[-1] == "2022-07-31"
    assert all(date.fromisoformat(k).weekday() == 6 for k in keys)
    assert len(keys) == 28


def test_a_partition_builds_its_sunday_and_the_one_before_with_a_valid_run_config():
    config = partition_run_config("2022-07-31")
    assert config["resources"]["settings"]["config"]["report_dates"] == "2022-07-24,2022-07-31"
    job = defs.resolve_job_def("weekly_bulletin")
    assert job.partitions_def == report_date_partitions
    assert validate_run_config(job, config)


def test_the_schedule_runs_the_partition_of_the_sunday_just_ended():
    context = build_schedule_context(scheduled_execution_time=datetime(2022, 8, 1, 6, 0),
                                     repository_def=defs.get_repository_def())
    request = weekly_bulletin_schedule.evaluate_tick(context).run_requests[0]
    assert request.tags["dagster/partition"] == "2022-07-31"
    assert request.run_config == partition_run_config("2022-07-31")
    assert validate_run_config(defs.resolve_job_def("weekly_bulletin"), request.run_config)
    assert weekly_bulletin_schedule.job_name == "weekly_bulletin"


@pytest.mark.slow
def test_rebuilding_a_past_week_replaces_its_bulletins_only(weekly, tmp_path):
    """From the UI, an engineer launches the partition of an earlier Sunday: its bulletins
    are rebuilt with their comparison; the later week's stay as they were; running the
    later week again leaves the earlier one (its comparison date) alone."""
    out = tmp_path / "out"
    shutil.copytree(weekly.out, out)
    later = out / "bulletins" / weekly.report_date.isoformat()
    before = {p.relative_to(later): p.read_bytes() for p in later.rglob("*") if p.is_file()}
    assert len(read_bulletin(out / "bulletins" / "2022-07-24" / "national.html").tables["status-table"][1]) == 2

    assert run_partition(weekly.landing, out, "2022-07-24").success
    rebuilt = read_bulletin(out / "bulletins" / "2022-07-24" / "national.html")
    assert rebuilt.tables["status-table"][0][1:3] == ["ข้อมูล ณ วันที่ 17 ก.ค. 2565", "ข้อมูล ณ วันที่ 24 ก.ค. 2565"]
    assert {p.relative_to(later): p.read_bytes() for p in later.rglob("*") if p.is_file()} == before
    assert list((out / "bulletins" / "2022-07-24" / "provinces").glob("*.pdf"))

    assert run_partition(weekly.landing, out, weekly.report_date.isoformat()).success
    kept = read_bulletin(out / "bulletins" / "2022-07-24" / "national.html")
    assert kept.tables["status-table"][0][1:3] == rebuilt.tables["status-table"][0][1:3]
    assert {p.relative_to(later): p.read_bytes() for p in later.rglob("*") if p.is_file()} == before


def test_the_partitioned_job_runs_in_one_process_like_the_other():
    assert defs.resolve_job_def("weekly_bulletin").executor_def.name == "in_process"


def test_every_bulletin_template_escapes_what_deliveries_typed():
    """Autoescape is on for every template, so a school name is text whatever it holds."""
    from orchestration.reporting.marts import AreaBulletinData
    from orchestration.reporting.templates import environment, render

    for name in ("national_bulletin.html.j2", "provincial_bulletin.html.j2", "index.html.j2"):
        assert environment().select_template([name]).environment.autoescape(name)
    cells = {c: {"children": 5, "display": None} for c in [*COLUMNS, "total"]}
    status_rows = [{"row_key": key, "children": 5, "display": None, "share_pct": None, "previous_children": None,
                    "previous_display": None, "previous_share_pct": None, "change": None}
                   for key in [*COLUMNS, "total"]]
    data = AreaBulletinData(
        report_date=date(2022, 7, 31), previous_report_date=None, province_code="30", province_th="นครราชสีมา",
        province_en="Nakhon Ratchasima",
        statuses=[{"status_code": s, "status_label_th": f"สถานะ {s}"} for s in STATUSES],
        status_rows=status_rows, ranking=None, summary=None, district_rows=[], district_total=None,
        district_withheld=False, school_withheld=False, data_notes=[], cohort_as_of=None,
        school_rows=[{"row_key": "1309999901", "row_group": 1, "label": PLANTED_SCHOOL_NAME, "schools": 1,
                      "cells": cells}],
        school_total={"cells": cells},
    )
    from orchestration.reporting import charts

    page = render("provincial_bulletin.html.j2", data=data, summary_text=None,
                  district_bars=charts.stacked_bars([], STATUSES), assets="assets")
    assert PLANTED_SCHOOL_NAME not in page and "<script" not in page and "<img" not in page
    assert str(markupsafe.escape(PLANTED_SCHOOL_NAME)) in page

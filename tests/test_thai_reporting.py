"""Thai presentation: B.E. dates, numbers, changes, and the written summary (★)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from orchestration.reporting import thai
from orchestration.reporting.bulletin import tracking_summary_text
from orchestration.reporting.templates import cell, figure, render, status_cells


@pytest.mark.parametrize(
    ("day", "short", "long"),
    [
        (date(2022, 7, 27), "27 ก.ค. 2565", "27 กรกฎาคม 2565"),
        (date(2022, 1, 17), "17 ม.ค. 2565", "17 มกราคม 2565"),
        (date(2022, 10, 1), "1 ต.ค. 2565", "1 ตุลาคม 2565"),
        (date(2022, 11, 30), "30 พ.ย. 2565", "30 พฤศจิกายน 2565"),
        (date(2021, 12, 31), "31 ธ.ค. 2564", "31 ธันวาคม 2564"),
    ],
)
def test_buddhist_era_dates(day, short, long):
    assert thai.thai_date(day) == short
    assert thai.thai_date_long(day) == long


def test_numbers_percentages_and_changes():
    assert thai.number(28134) == "28,134"
    assert thai.number(None) == "-"
    assert thai.percent(Decimal("0.80")) == "0.80"
    assert thai.percent(Decimal("100.00")) == "100.00"
    assert thai.change(66) == "▲ 66"
    assert thai.change(-1047) == "▼ 1,047"
    assert thai.change(0) == "-"
    assert thai.change(None) == "-"


SEED_003 = {"previous_report_date": date(2022, 5, 31), "found_from_not_found": 47, "found_from_being_tracked": 42,
            "found_total": 89, "found_and_returned": 66, "found_not_returned": 23, "new_to_cohort": 0}


def test_written_summary_in_the_words_of_seed_003():
    assert tracking_summary_text(SEED_003) == (
        "ติดตามค้นหาเด็กได้เพิ่มขึ้น จากกลุ่มติดตามไม่พบตัว จำนวน 47 คน กลุ่มกำลังติดตาม จำนวน 42 คน "
        "รวมจำนวนเด็กที่ติดตามพบตัว เพิ่มขึ้น 89 คน นำกลับเข้าระบบได้จำนวน 66 คน ยังไม่เข้าระบบ จำนวน 23 คน"
    )


def test_written_summary_when_nobody_was_found_and_children_joined():
    summary = SEED_003 | {"found_from_not_found": 0, "found_from_being_tracked": 0, "found_total": 0,
                          "found_and_returned": 0, "found_not_returned": 0, "new_to_cohort": 1250}
    assert tracking_summary_text(summary) == (
        "ไม่มีเด็กที่ติดตามพบตัวเพิ่มขึ้นจากรอบรายงานก่อนหน้า และมีเด็กเข้าสู่บัญชีรายชื่อเพิ่มขึ้น 1,250 คน"
    )


def test_no_summary_without_a_previous_report_date():
    assert tracking_summary_text(SEED_003 | {"previous_report_date": None}) is None
    assert tracking_summary_text(None) is None


def test_templates_escape_what_deliveries_typed():
    html = render("index.html.j2", entries=[{"report_date": date(2022, 7, 27), "href": '"><script>alert(1)</script>'}],
                  assets="assets", quality_href=None, deliveries_href=None)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_protected_figure_is_printed_as_its_count_or_its_symbol():
    assert cell(None) == '<td class="num">-</td>'
    assert cell({"children": 20053, "display": None}) == '<td class="num">20,053</td>'
    assert cell({"children": None, "display": None}) == '<td class="num">-</td>'
    assert cell({"children": 3, "display": "<5"}) == '<td class="num hidden">&lt;5</td>'
    assert cell({"children": 12, "display": "x"}) == '<td class="num hidden">x</td>'
    assert [figure(None), figure({"children": 20053, "display": None}), figure({"children": 3, "display": "<5"})] \
        == ["-", "20,053", "&lt;5"]


def test_a_row_prints_one_cell_per_status_in_the_statuses_order():
    statuses = [{"status_code": 2}, {"status_code": 1}, {"status_code": 3}]
    cells = {"1": {"children": 1200, "display": None}, "2": {"children": 4, "display": "<5"}, "total": None}
    assert status_cells(cells, statuses) == (
        '<td class="num hidden">&lt;5</td><td class="num">1,200</td><td class="num">-</td>')

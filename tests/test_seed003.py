"""The published tables of seed 003 (OBEC, 2022), reproduced by the real flow.

A delivery set shaped like the one behind seed 003 — cohort 28,134 listed on 17 Jan 2022
(DMC 13,181 + EEF 14,953), tracking events up to and past 27 Jul 2022, with the
contract's quirks — goes through Dagster + dbt + DuckDB, and the marts and the bulletin
must show exactly the published figures."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.generator import generate
from orchestration.runner import run_warehouse
from tests.e2e_support import FinishedRun, assert_children_match_truth, read_bulletin

MAY_31, JUL_27 = date(2022, 5, 31), date(2022, 7, 27)

PUBLISHED_STATUS = {
    MAY_31: {1: 20_053, 2: 7_355, 3: 428, 4: 226, 5: 72},
    JUL_27: {1: 20_119, 2: 7_378, 3: 381, 4: 184, 5: 72},
}
PUBLISHED_STAGE_JUL_27 = {  # status: (compulsory, post-compulsory)
    1: (17_514, 2_605), 2: (6_737, 641), 3: (354, 27), 4: (104, 80), 5: (64, 8),
}
PUBLISHED_AGENCIES = {"obec_dmc": 13_181, "eef": 14_953}

# The tables as printed in seed 003 (report dates written in full here).
PUBLISHED_STATUS_TABLE = [
    ["1. ติดตามพบตัว (กลับเข้าระบบการศึกษา)", "20,053", "71.28", "20,119", "71.51", "▲ 66"],
    ["2. ติดตามพบตัว (ไม่กลับเข้าระบบการศึกษา)", "7,355", "26.14", "7,378", "26.23", "▲ 23"],
    ["3. ติดตามไม่พบตัว", "428", "1.52", "381", "1.35", "▼ 47"],
    ["4. กำลังติดตาม", "226", "0.80", "184", "0.65", "▼ 42"],
    ["5. เสียชีวิต", "72", "0.26", "72", "0.26", "-"],
    ["รวม", "28,134", "100", "28,134", "100", ""],
]
PUBLISHED_STAGE_TABLE = [
    ["1. ติดตามพบตัว (กลับเข้าระบบการศึกษา)", "17,514", "2,605", "20,119", "71.51"],
    ["2. ติดตามพบตัว (ไม่กลับเข้าระบบการศึกษา)", "6,737", "641", "7,378", "26.23"],
    ["3. ติดตามไม่พบตัว", "354", "27", "381", "1.35"],
    ["4. กำลังติดตาม", "104", "80", "184", "0.65"],
    ["5. เสียชีวิต", "64", "8", "72", "0.26"],
    ["รวม", "24,773", "3,361", "28,134", "100"],
]
PUBLISHED_SUMMARY = (
    "★ติดตามค้นหาเด็กได้เพิ่มขึ้น จากกลุ่มติดตามไม่พบตัว จำนวน 47 คน กลุ่มกำลังติดตาม จำนวน 42 คน "
    "รวมจำนวนเด็กที่ติดตามพบตัว เพิ่มขึ้น 89 คน นำกลับเข้าระบบได้จำนวน 66 คน ยังไม่เข้าระบบ จำนวน 23 คน"
)


@pytest.fixture(scope="module")
def seed003(tmp_path_factory) -> FinishedRun:
    root = tmp_path_factory.mktemp("seed003")
    generate(root / "landing", scenario="seed003", seed=3)
    outcome = run_warehouse(root / "landing", root / "out", [MAY_31, JUL_27])
    assert outcome.ok, outcome.reason
    return FinishedRun(root / "landing", root / "out")


def test_status_summary_reproduces_the_published_status_table(seed003):
    rows = seed003.query(
        "select report_date, status_code, sum(children) from marts.status_summary group by 1, 2 order by 1, 2"
    )
    found = {}
    for report_date, status, children in rows:
        found.setdefault(report_date, {})[status] = children
    assert found == PUBLISHED_STATUS


def test_status_summary_reproduces_the_published_table_by_stage(seed003):
    rows = seed003.query(
        "select status_code, education_stage, sum(children) from marts.status_summary"
        " where report_date = ? group by 1, 2",
        [JUL_27],
    )
    by_status = {}
    for status, stage, children in rows:
        by_status.setdefault(status, [0, 0])[0 if stage == "compulsory" else 1] = children
    assert {status: tuple(pair) for status, pair in by_status.items()} == PUBLISHED_STAGE_JUL_27


def test_the_cohort_splits_by_agency_as_published(seed003):
    for report_date in (MAY_31, JUL_27):
        rows = seed003.query(
            "select source_agency, sum(children) from marts.status_summary where report_date = ? group by 1",
            [report_date],
        )
        assert dict(rows) == PUBLISHED_AGENCIES


def test_transitions_between_the_two_report_dates(seed003):
    rows = seed003.query(
        "select from_status_code, to_status_code, sum(children) from marts.status_transitions"
        " where from_status_code <> to_status_code group by 1, 2"
    )
    moves = {(f, t): n for f, t, n in rows}
    assert moves[(3, 1)] + moves[(3, 2)] == 47
    assert moves[(4, 1)] + moves[(4, 2)] == 42
    assert moves[(3, 1)] + moves[(4, 1)] == 66
    assert moves[(3, 2)] + moves[(4, 2)] == 23
    assert set(moves) == {(3, 1), (3, 2), (4, 1), (4, 2)}


def test_every_child_has_the_status_the_generator_knows(seed003):
    assert_children_match_truth(seed003, [MAY_31, JUL_27])


def test_the_bulletin_prints_the_published_tables(seed003):
    bulletin = read_bulletin(seed003.out / "bulletins" / JUL_27.isoformat() / "national.html")
    status_table = bulletin.tables["status-table"]
    assert status_table[0][1:3] == ["ข้อมูล ณ วันที่ 31 พ.ค. 2565", "ข้อมูล ณ วันที่ 27 ก.ค. 2565"]
    assert status_table[2:] == PUBLISHED_STATUS_TABLE
    assert bulletin.tables["stage-table"][0][1:2] == ["ระดับการศึกษา"]
    assert bulletin.tables["stage-table"][1] == ["ภาคบังคับ", "พ้นภาคบังคับ"]
    assert bulletin.tables["stage-table"][2:] == PUBLISHED_STAGE_TABLE
    assert bulletin.texts["cohort-total"] == "28,134 คน"
    assert bulletin.texts["cohort-by-agency"] == "กสศ. 14,953 คน DMC 13,181 คน"
    assert bulletin.texts["tracking-summary"] == PUBLISHED_SUMMARY
    page = (seed003.out / "bulletins" / JUL_27.isoformat() / "national.html").read_text(encoding="utf-8")
    assert "ข้อมูล ณ วันที่ 27 กรกฎาคม 2565" in page
    assert "(ข้อมูล ณ 17 ม.ค. 2565)" in page


def test_the_first_bulletin_has_no_comparison(seed003):
    bulletin = read_bulletin(seed003.out / "bulletins" / MAY_31.isoformat() / "national.html")
    assert bulletin.tables["status-table"][1] == ["รวม (คน)", "ร้อยละ"]
    assert bulletin.tables["status-table"][2] == ["1. ติดตามพบตัว (กลับเข้าระบบการศึกษา)", "20,053", "71.28"]
    assert "tracking-summary" not in bulletin.texts

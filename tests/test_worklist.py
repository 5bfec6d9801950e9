"""The follow-up worklist (issue 5): hand-picked children on a given report date, each
escalated as the rule says, exported per district for the field teams — and kept out of
the analysts' copy and the bulletins."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from orchestration.runner import run_warehouse
from tests.e2e_support import FinishedRun, personal_data_found
from tests.test_bad_deliveries import cid, dmc, dmc_row, jsonl

REPORT_DATE = date(2022, 4, 10)


def event(event_id, child, recorded_at, status, reason=None):
    return {"event_id": event_id, "citizen_id": child, "recorded_at": recorded_at, "status": status,
            "tracker_org": "moi", "placement": "nfe" if status == 1 else None, "reason_code": reason,
            "assistance": ["none"], "note": ""}


@pytest.fixture(scope="module")
def worklist(tmp_path_factory) -> FinishedRun:
    root = tmp_path_factory.mktemp("worklist")
    landing = root / "landing"
    files = {
        # listed 99 days before the report date: the province's committee
        "obec_dmc/DMC_DROPOUT_25650101.csv": dmc([dmc_row(cid(201), first="กมล"), dmc_row(cid(202), first="ขวัญ")]),
        # 54 days before: the district's partner agencies
        "obec_dmc/DMC_DROPOUT_25650215.csv": dmc([dmc_row(cid(203), first="คณิน", district="เมืองมหาสารคาม",
                                                          subdistrict="ตลาด")]),
        # 21 days before: still the school's
        "obec_dmc/DMC_DROPOUT_25650320.csv": dmc([dmc_row(cid(204), first="งามตา")]),
        "tracking/tracking_2022-04-10.jsonl": jsonl([
            event("W1", cid(201), "2022-03-01T10:00:00+07:00", 3),  # not found: on the list
            event("W2", cid(202), "2022-02-01T10:00:00+07:00", 1),  # back in school: not on the list
        ]),
    }
    for name, content in files.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_bytes(content)
    run = FinishedRun(landing, root / "out")
    outcome = run_warehouse(landing, run.out, [date(2022, 3, 31), REPORT_DATE])
    assert outcome.ok, outcome.reason
    return run


def test_each_child_not_yet_found_is_escalated_by_the_rule(worklist):
    rows = {child: rest for child, *rest in worklist.query(
        "select child_id, report_date, status_code, days_since_listing, days_since_latest_event, escalation_level"
        " from worklist.worklist_children")}
    assert rows == {
        cid(201): [REPORT_DATE, 3, 99, 40, "province_committee"],
        cid(203): [REPORT_DATE, 4, 54, None, "district_partners"],
        cid(204): [REPORT_DATE, 4, 21, None, "school"],
    }


def test_worklists_are_exported_per_district_for_the_field_teams(worklist):
    folder = worklist.out / "worklists" / "44"
    assert sorted(p.name for p in folder.iterdir()) == [
        "worklist-44-4401.csv", "worklist-44-4401.xlsx", "worklist-44-4406.csv", "worklist-44-4406.xlsx"]
    sheet = CalamineWorkbook.from_path(folder / "worklist-44-4406.xlsx").get_sheet_by_index(0).to_python()
    assert sheet[0][0].startswith("รายชื่อเด็กที่ยังติดตามไม่พบ ข้อมูล ณ วันที่ 10 เม.ย. 2565")
    assert sheet[2][:5] == ["ผู้รับผิดชอบติดตาม", "สถานะ", "วันนับจากขึ้นบัญชี", "วันนับจากบันทึกล่าสุด", "เลขประจำตัว"]
    listed = {row[4]: row[0] for row in sheet[3:]}
    assert listed == {cid(201): "คณะกรรมการขับเคลื่อนระดับจังหวัด", cid(204): "สถานศึกษาที่เด็กออก"}
    with (folder / "worklist-44-4401.csv").open(encoding="utf-8-sig") as handle:
        [header, row] = list(csv.reader(handle))
    assert row[0] == "หน่วยงานภาคีระดับอำเภอ (MOU)" and row[4] == cid(203)


def test_the_worklist_names_children_only_where_it_should(worklist):
    assert personal_data_found(worklist) == []  # the analysts' copy and every published page
    tables = {t for (t,) in worklist.query("select table_schema from information_schema.tables",
                                           database=worklist.out / "analytics.duckdb")}
    assert tables == {"marts"}
    assert not (worklist.out / "bulletins" / "worklists").exists()


def test_names_from_the_deliveries_are_written_as_text_in_the_xlsx(tmp_path):
    """A name or school name that looks like a formula or a link stays the delivered text
    (a field team's spreadsheet must not run what a delivery wrote)."""
    from orchestration.follow_up.worklists import COLUMNS, _xlsx

    child = {name: "x" for name, _ in COLUMNS} | {
        "report_date": REPORT_DATE, "days_since_listing": 99, "first_name": '=HYPERLINK("http://x.invalid","a")',
        "last_name": "=1+1", "school_name": "http://x.invalid/school"}
    path = tmp_path / "worklist.xlsx"
    path.write_bytes(_xlsx([child]))
    [row] = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[3:]
    names = [name for name, _ in COLUMNS]
    assert row[names.index("first_name")] == '=HYPERLINK("http://x.invalid","a")'
    assert row[names.index("last_name")] == "=1+1"
    assert row[names.index("school_name")] == "http://x.invalid/school"
    assert row[names.index("days_since_listing")] == 99


def test_worker_processes_write_the_same_worklists(worklist, tmp_path, monkeypatch):
    """A national list is shared out by province between worker processes, each reading
    its own rows; the files are those one process writes."""
    import shutil

    import duckdb

    from orchestration.follow_up import worklists

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(worklist.out / "warehouse.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as connection:  # the same children again in a second province
        connection.execute("insert into worklist.worklist_children select * replace ('40' as province_code,"
                           " '4001' as district_code) from worklist.worklist_children")
        connection.execute("insert into worklist.worklist_children select * replace (null as province_code,"
                           " '' as district_code) from worklist.worklist_children where province_code = '44'")
        connection.execute("insert into worklist.worklist_children select * replace ('' as province_code,"
                           " null as district_code) from worklist.worklist_children where province_code = '40'")
    monkeypatch.setattr(worklists, "PARALLEL_FROM_CHILDREN", 0)
    written = {}
    for workers in ("1", "2"):
        monkeypatch.setenv(worklists.WORKERS_ENV, workers)
        exported = worklists.export_worklists(warehouse, tmp_path / workers / "worklists")
        files = sorted((tmp_path / workers / "worklists").rglob("*.*"))
        written[workers] = (
            [(w.province_code, w.district_code, w.children, w.xlsx.name) for w in exported],
            [(f.name, CalamineWorkbook.from_path(f).get_sheet_by_index(0).to_python() if f.suffix == ".xlsx"
              else f.read_bytes()) for f in files],
        )
    assert [row[:3] for row in written["2"][0]] == [
        ("40", "4001", 3), ("44", "4401", 1), ("44", "4406", 2), ("unknown", "unknown", 6)]
    assert written["2"] == written["1"]


def test_provinces_are_shared_out_by_children():
    from orchestration.follow_up.worklists import _shares

    provinces = [("10", 50), ("20", 30), ("30", 25), ("40", 5)]
    assert _shares(provinces, 2) == [["10", "40"], ["20", "30"]]
    assert _shares(provinces, 1) == [["10", "20", "30", "40"]]
    assert _shares(provinces[:1], 2) == [["10"]]
    assert _shares([], 2) == []

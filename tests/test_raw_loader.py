"""File-level handling in the raw loader (docs/business-rules.md §1): each contract
format read right, each kind of bad file rejected with its reason and a one-line
message naming what is wrong, rows never lost, re-runs changing nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from orchestration.raw import readers
from orchestration.raw.contract import EEF, OBEC_DMC, OPS, SOURCES, TRACKING
from orchestration.raw.loader import ensure_raw_tables, load_source
from orchestration.raw.storage import DuckDBRawStore

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "contract_samples"
DMC_HEADER = ",".join(f'"{name}"' for name, _ in OBEC_DMC.columns)
DMC_ROW = '"1181590830161","นาย","ภัคชนน","ถมปัด","ช","10/04/2548","ม.4","1010720001","โรงเรียนบ้านโนนแดง","มหาสารคาม","บรบือ","โนนแดง","ฐานะยากจน","04/03/2564"'
OPS_HEADER = "|".join(name for name, _ in OPS.columns)
OPS_ROW = "2849340722476|ธนภณ|ทรัพย์สาร|ชาย|12 เม.ย. 2551|ป.6|กศน.อำเภอคอนสวรรค์|ชัยภูมิ|คอนสวรรค์|ย้ายถิ่นที่อยู่"
EVENT = '{"event_id": "EV1", "citizen_id": "1181590830161", "recorded_at": "2022-03-04T09:24:00+07:00", "status": 4, "tracker_org": "moph", "placement": null, "reason_code": null, "assistance": ["counselling"], "note": ""}'


def _load(tmp_path: Path, spec, files: dict[str, bytes]):
    folder = tmp_path / "landing" / spec.source
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as connection:
        ensure_raw_tables(connection, SOURCES)
        result = load_source(DuckDBRawStore(connection), spec, tmp_path / "landing")
        rows = connection.execute(f"select count(*) from raw.{spec.table}").fetchall()[0][0]
    return result, rows


def _dmc(*lines: str, bom: bool = True, end: str = "\r\n") -> bytes:
    return (("\ufeff" if bom else "") + end.join(lines) + end).encode("utf-8")


def test_every_sample_format_loads_with_row_numbers_a_person_sees(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLES, landing)
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as connection:
        ensure_raw_tables(connection, SOURCES)
        loaded = {spec.source: load_source(DuckDBRawStore(connection), spec, landing).rows_loaded for spec in SOURCES}
        eef_first = connection.execute(
            "select _row_number, citizen_id, age_years from raw.eef__out_of_school_children order by _row_number limit 1"
        ).fetchall()
        numeric_id = connection.execute(
            "select citizen_id from raw.eef__out_of_school_children where _row_number = 6"
        ).fetchall()
        excel_date = connection.execute(
            "select birth_date from raw.msdhs__disabled_children where _row_number = 2"
        ).fetchall()
        ops_thai = connection.execute("select birth_date from raw.ops__students where _row_number = 3").fetchall()
    assert loaded == {"obec_dmc": 13, "eef": 13, "ops": 10, "ovec": 8, "msdhs": 6, "tracking": 48}
    assert eef_first == [(4, "1751163726518", "14")]  # header on row 3, data from row 4
    assert numeric_id == [("5395486205790",)]  # an Excel number cell, read without '.0'
    assert excel_date == [("2012-11-06",)]  # an Excel date cell, read as ISO C.E.
    assert ops_thai == [("๓ ธ.ค. ๒๕๔๗",)]  # Windows-874 decoded


def test_the_same_bytes_under_another_name_load_once(tmp_path):
    content = _dmc(DMC_HEADER, DMC_ROW)
    result, rows = _load(tmp_path, OBEC_DMC, {"DMC_DROPOUT_25650117.csv": content, "DMC_DROPOUT_25650118.csv": content})
    assert [o.status for o in result.outcomes] == ["loaded", "duplicate_file"]
    assert "same bytes as obec_dmc/DMC_DROPOUT_25650117.csv" in result.outcomes[1].message
    assert rows == 1


def test_a_rerun_changes_nothing_and_new_files_alone_are_read(tmp_path):
    _load(tmp_path, OBEC_DMC, {"DMC_DROPOUT_25650117.csv": _dmc(DMC_HEADER, DMC_ROW)})
    again, rows = _load(tmp_path, OBEC_DMC, {})
    assert again.outcomes == [] and rows == 1
    later, rows = _load(tmp_path, OBEC_DMC, {"DMC_DROPOUT_25650301.csv": _dmc(DMC_HEADER, DMC_ROW.replace("ม.4", "ม.5"))})
    assert [(o.file_name, o.status) for o in later.outcomes] == [("obec_dmc/DMC_DROPOUT_25650301.csv", "loaded")]
    assert rows == 2


@pytest.mark.parametrize(
    ("spec", "name", "content", "reason", "says"),
    [
        (OBEC_DMC, "DMC_DROPOUT_final(2).csv", _dmc(DMC_HEADER, DMC_ROW), "unknown_file_name", "is not DMC_DROPOUT_<B.E. yyyymmdd>.csv"),
        (OBEC_DMC, "DMC_DROPOUT_25651399.csv", _dmc(DMC_HEADER, DMC_ROW), "unknown_file_name", "valid date"),
        (OBEC_DMC, "DMC_DROPOUT_25650117.csv", b"", "no_rows", "empty"),
        (OBEC_DMC, "DMC_DROPOUT_25650117.csv", _dmc(DMC_HEADER), "no_rows", "no data rows"),
        (OBEC_DMC, "DMC_DROPOUT_25650117.csv", _dmc(DMC_HEADER.replace("วันเกิด", "วันเดือนปีเกิด"), DMC_ROW),
         "missing_columns", "'วันเกิด'"),
        (OBEC_DMC, "DMC_DROPOUT_25650117.csv", (DMC_HEADER + "\r\n" + DMC_ROW).encode("cp874"),
         "wrong_encoding", "not valid UTF-8"),
        (OBEC_DMC, "DMC_DROPOUT_25650117.csv", _dmc(DMC_HEADER, DMC_ROW, DMC_ROW)[:-40], "truncated_file", "line 3"),
        (OBEC_DMC, "DMC_DROPOUT_25650117.csv", _dmc(DMC_HEADER, DMC_ROW, DMC_ROW)[:-5], "truncated_file", "line 3"),
        (OPS, "OPS_25650117.csv", (OPS_HEADER + "\r\n" + OPS_ROW + "\r\n").encode("utf-8"),
         "wrong_encoding", "Windows-874"),
        (TRACKING, "tracking_2022-05-31.jsonl", (EVENT + "\n" + EVENT[:50]).encode(), "truncated_file", "line 2"),
        (TRACKING, "tracking_2022-05-31.jsonl", ("not json\n" + EVENT + "\n").encode(), "unreadable_file", "line 1"),
        (EEF, "EEF_OOSC_2022-01-17.xlsx", b"PK\x03\x04 not really a workbook", "unreadable_file", "xlsx"),
    ],
)
def test_bad_files_are_rejected_with_a_reason_naming_the_problem(tmp_path, spec, name, content, reason, says):
    result, rows = _load(tmp_path, spec, {name: content})
    [outcome] = result.outcomes
    assert (outcome.status, outcome.reason_code) == ("rejected", reason)
    assert says in outcome.message and name in outcome.message
    assert "\n" not in outcome.message
    assert rows == 0
    assert (tmp_path / "landing" / spec.source / name).exists()  # the file is kept


@pytest.mark.parametrize(
    "lines",
    [
        [EVENT, EVENT, EVENT[:50]],  # the last line cut: said without reading line by line
        [EVENT, EVENT, "[1]"],  # the last line whole but not an object
        [EVENT, "not json", EVENT[:50]],  # an earlier broken line comes first
        [EVENT, "", EVENT[:50]],  # a blank line is no row
        [EVENT, "[1]", EVENT[:50]],
        [EVENT, "[1]", EVENT[:-1] + ', "x": 1,}'],  # DuckDB takes the trailing comma Python refuses
        [EVENT, EVENT, "   "],  # a blank last line is no row: the file loads
        [EVENT, EVENT[:50], EVENT],  # no cut at the end: a broken line inside
    ],
)
def test_a_jsonl_file_is_judged_as_the_line_by_line_reader_judges_it(tmp_path, lines):
    path = tmp_path / "tracking_2022-05-31.jsonl"
    content = "\n".join(lines).encode()
    path.write_bytes(content)

    def outcome(read):
        try:
            return ("loaded", read().table.num_rows)
        except readers.FileRejected as rejection:
            return (rejection.reason_code, rejection.detail)

    line_by_line = outcome(lambda: readers._jsonl_line_by_line(TRACKING, content.decode(), False))
    assert outcome(lambda: readers.read_file(TRACKING, path, content)) == line_by_line
    assert line_by_line[0] != "truncated_file" or f"line {len(lines)}" in line_by_line[1]


def test_a_cut_last_line_is_found_without_reading_line_by_line(tmp_path, monkeypatch):
    path = tmp_path / "tracking_2022-05-31.jsonl"
    content = "\n".join([EVENT] * 1000 + [EVENT[:50]]).encode()
    path.write_bytes(content)
    monkeypatch.setattr(readers, "_jsonl_line_by_line", lambda *args: pytest.fail("read line by line"))
    with pytest.raises(readers.FileRejected) as rejected:
        readers.read_file(TRACKING, path, content)
    assert rejected.value.reason_code == "truncated_file" and "line 1001" in rejected.value.detail


def test_header_spaces_and_an_extra_column_are_tolerated_and_noted(tmp_path):
    header = DMC_HEADER.replace('"ชั้น"', '" ชั้น "') + ',"หมายเหตุ"'
    result, rows = _load(tmp_path, OBEC_DMC, {"DMC_DROPOUT_25650117.csv": _dmc(header, DMC_ROW + ',"โทรหาแล้ว"')})
    assert [o.status for o in result.outcomes] == ["loaded"] and rows == 1
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as connection:
        assert connection.execute("select extra_columns from raw.load_manifest").fetchall() == [("หมายเหตุ",)]
        assert connection.execute("select grade, _row_problem from raw.obec_dmc__dropouts").fetchall() == [("ม.4", None)]


def test_a_row_with_the_wrong_field_count_is_kept_for_quarantine(tmp_path):
    content = (OPS_HEADER + "\r\n" + OPS_ROW + "|เกิน\r\n" + OPS_ROW + "\r\n").encode("cp874")
    result, rows = _load(tmp_path, OPS, {"OPS_25650117.csv": content})
    assert [o.status for o in result.outcomes] == ["loaded"] and rows == 2
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as connection:
        problems = connection.execute("select _row_number, _row_problem from raw.ops__students order by 1").fetchall()
    assert problems == [(2, "expected 10 fields, found 11"), (3, None)]


def test_xlsx_blank_trailing_rows_are_not_data(tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("รายชื่อ")
    sheet.write_row(0, 0, ["รายชื่อเด็กนอกระบบการศึกษา"])
    sheet.write_row(2, 0, [name for name, _ in EEF.columns])
    sheet.write_row(3, 0, [1, "1181590830161", "นาย ภัคชนน ถมปัด", "ชาย", 16, "ม.4", "มหาสารคาม", "บรบือ", "โนนแดง", ""])
    sheet.write_row(6, 0, ["", "", ""])
    workbook.close()
    result, rows = _load(tmp_path, EEF, {"EEF_OOSC_2022-01-17.xlsx": path.read_bytes()})
    assert [(o.status, o.data_rows) for o in result.outcomes] == [("loaded", 1)] and rows == 1


def test_the_warehouse_folder_is_created_when_a_run_starts_in_a_new_output_folder(tmp_path):
    from orchestration.warehouse import connect

    with connect(tmp_path / "new" / "output" / "warehouse.duckdb") as connection:
        ensure_raw_tables(connection, SOURCES)
    assert (tmp_path / "new" / "output" / "warehouse.duckdb").exists()


@pytest.mark.parametrize(
    "lines",
    [
        [EVENT, EVENT.replace('"EV1"', '"EV2"').replace(', "note": ""', ""), EVENT.replace("4,", '"4",')],
        [EVENT, "", EVENT.replace('"EV1"', '"EV2"')],  # a blank line: DuckDB's reader is not used
        [EVENT.replace('["counselling"]', '["counselling", "ทุน", 2.5]')],
    ],
)
def test_both_jsonl_readers_give_the_same_rows(tmp_path, lines):
    """DuckDB reads clean exports fast; the line-by-line reader reads the rest: the same text either way."""
    path = tmp_path / "tracking_2022-05-31.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    content = path.read_bytes()
    fast = readers._jsonl_through_duckdb(TRACKING, path, content)
    slow = readers._jsonl_line_by_line(TRACKING, content.decode("utf-8"), False).table
    assert (fast is None) == ("" in lines)
    if fast is not None:
        assert fast.to_pylist() == slow.to_pylist()
    rows = slow.to_pylist()
    assert [row["_row_number"] for row in rows] == [i for i, line in enumerate(lines, start=1) if line]
    if len(lines) == 3 and lines[1]:
        assert (rows[1]["note"], rows[1]["_row_problem"]) == (None, "missing keys note")
        assert rows[2]["status"] == "4" and rows[0]["status"] == "4"

"""The synthetic-data generator: formats per the extract contract, determinism, and truth.

The strongest check is ``read_landing``: an independent reading of the written bytes by
docs/business-rules.md (its own ID, date, place and grade parsing), whose cohort, details,
statuses and quarantine must equal the generator's ``_truth/``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from rich.console import Console

from orchestration.generator import (
    expected_child_status,
    expected_status_summary,
    expected_transitions,
    generate,
)
from orchestration.generator.progress import RichProgress
from orchestration.raw.contract import SOURCES_BY_NAME
from orchestration.reference import code_list

LIST_SOURCES = ("obec_dmc", "eef", "ops", "ovec", "msdhs")
A, B = date(2022, 5, 31), date(2022, 7, 27)


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national")
    generate(out, children=1500, seed=3)
    return out


@pytest.fixture(scope="module")
def seed003(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed003")
    generate(out, scenario="seed003")
    return out


def read_truth(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "_truth" / name, dtype=str, keep_default_na=False)


def files_with(out: Path, source: str, status: str = "loaded") -> list[Path]:
    files = read_truth(out, "files.csv")
    names = files[(files.source == source) & (files.expected_status == status)].file_name
    return [out / source / name for name in sorted(names)]


def truth_dates(out: Path) -> list[date]:
    return [date.fromisoformat(d) for d in read_truth(out, "truth_dates.csv").report_date]


# --- determinism --------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_give_identical_bytes_and_another_seed_does_not(tmp_path):
    generate(tmp_path / "a", children=400, seed=11)
    generate(tmp_path / "b", children=400, seed=11)
    generate(tmp_path / "c", children=400, seed=12)
    first, again, other = _tree(tmp_path / "a"), _tree(tmp_path / "b"), _tree(tmp_path / "c")
    assert first == again
    assert any(path.endswith(".xlsx") for path in first)
    shared = set(first) & set(other)
    assert any(first[path] != other[path] for path in shared)


def test_progress_reports_each_step_without_changing_a_byte(tmp_path):
    log = io.StringIO()
    # Not a terminal (as when piped to a log): one line per finished step, no redraws.
    with RichProgress(Console(file=log, width=100)) as progress:
        generate(tmp_path / "shown", children=400, seed=11, progress=progress)
    generate(tmp_path / "quiet", children=400, seed=11)
    assert _tree(tmp_path / "shown") == _tree(tmp_path / "quiet")
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("✓ world: 400 children")
    assert sum(line.startswith("✓ list ") for line in lines) == 10  # the national schedule's lists
    assert any(re.match(r"✓ tracking: [\d,]+ events in \d+ exports: [\d,]+ lines", line) for line in lines)
    assert lines[-2:][0].startswith("✓ truth: rules") and lines[-1].startswith("✓ truth: files")
    assert len(lines) == 14


def test_refuses_to_mix_with_an_earlier_run(tmp_path):
    generate(tmp_path, children=20, seed=1)
    with pytest.raises(FileExistsError):
        generate(tmp_path, children=20, seed=1)


# --- formats ------------------------------------------------------------------------


def contract_header(source: str) -> list[str]:
    return [delivered for delivered, _ in SOURCES_BY_NAME[source].columns]


def test_dmc_files_are_bom_crlf_and_fully_quoted(national):
    for path in files_with(national, "obec_dmc"):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n")
        lines = data[3:].decode("utf-8").split("\r\n")[:-1]
        rows = list(csv.reader(lines))
        assert [h.strip() for h in rows[0][:14]] == contract_header("obec_dmc")
        for line, row in zip(lines, rows):
            assert line == ",".join('"' + field.replace('"', '""') + '"' for field in row)
        body = rows[1:]
        assert {row[4] for row in body} == {"ช", "ญ"}
        assert all(re.fullmatch(r"\d{10}", row[7]) for row in body)
        assert any(re.fullmatch(r"\d{2}/\d{2}/25\d\d", row[5]) for row in body)


def test_ops_files_are_cp874_pipes_without_quotes(national):
    for path in files_with(national, "ops"):
        data = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        text = data.decode("cp874")
        assert text.endswith("\r\n") and '"' not in text
        lines = text.split("\r\n")[:-1]
        assert [h.strip() for h in lines[0].split("|")[:10]] == contract_header("ops")
        dates = [line.split("|")[4] for line in lines[1:]]
        assert any(re.fullmatch(r"[๐-๙]{1,2} \S+ [๐-๙]{4}", d) for d in dates)
        assert any(re.fullmatch(r"\d{1,2} \S+ 25\d\d", d) for d in dates)
        schools = [line.split("|")[6] for line in lines[1:]]
        assert any(s.startswith("กศน.อำเภอ") for s in schools) and any(s.startswith("โรงเรียน") for s in schools)


def test_ovec_files_are_plain_utf8_lf_with_iso_dates(national):
    (path,) = files_with(national, "ovec")
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    rows = [{k.strip(): v for k, v in row.items()} for row in rows]
    assert list(rows[0]) == contract_header("ovec")
    good = [r for r in rows if re.fullmatch(r"\d{13}|G\d{12}", r["CITIZEN_ID"])]
    assert {r["GENDER"] for r in good} == {"M", "F"}
    assert {(r["PROGRAM"], r["YEAR"]) for r in good} <= {("ปวช.", "1"), ("ปวช.", "2"), ("ปวช.", "3"), ("ปวส.", "1"), ("ปวส.", "2"), ("ปวท.", "1"), ("ปวท.", "2"), ("ปวท.", "3")}
    assert all(re.fullmatch(r"\d{10}", r["COLLEGE_CODE"]) and re.fullmatch(r"\d{2}", r["PROVINCE_CODE"]) for r in rows)
    assert sum(bool(re.fullmatch(r"20\d\d-\d\d-\d\d", r["BIRTH_DATE"])) for r in rows) > 0.9 * len(rows)
    assert {r["REASON_CODE"] for r in rows} <= {row["reason_code"] for row in code_list("reasons")}


def test_eef_workbook_has_title_blank_row_and_header_on_row_3(national):
    for path in files_with(national, "eef"):
        book = CalamineWorkbook.from_path(str(path))
        assert book.sheet_names == ["รายชื่อ"]
        rows = book.get_sheet_by_name("รายชื่อ").to_python()
        list_date = date.fromisoformat(path.stem[-10:])
        title = rows[0][0]
        assert title.startswith("รายชื่อเด็กนอกระบบการศึกษา ข้อมูล ณ วันที่ ")
        assert title.endswith(f"{list_date.day} {code_list('thai_months')[list_date.month - 1]['month_name_th']} {list_date.year + 543}")
        assert all(cell == "" for cell in rows[1])
        assert [str(h).strip() for h in rows[2][:10]] == contract_header("eef")
        data = rows[3:]
        assert [row[0] for row in data][:3] == [1.0, 2.0, 3.0]
        ids = [row[1] for row in data]
        assert any(isinstance(i, float) and 10**12 <= i < 10**13 for i in ids)
        assert any(isinstance(i, str) and "-" in i for i in ids)
        grades = {row[5] for row in data}
        assert "ไม่เคยเข้าเรียน" in grades and "" in grades and any(str(g).startswith(("ปวช.", "ปวส.")) for g in grades)
        assert {row[3] for row in data} <= {"ชาย", "หญิง"}


def test_msdhs_workbook_mixes_excel_dates_and_thai_text_dates(national):
    (path,) = files_with(national, "msdhs")
    assert re.fullmatch(r"MSDHS_disabled_25\d\d-\d\d-\d\d\.xlsx", path.name)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Sheet1"]
    rows = book.get_sheet_by_name("Sheet1").to_python()
    assert [str(h).strip() for h in rows[0][:6]] == contract_header("msdhs")
    births = [row[2] for row in rows[1:]]
    assert any(isinstance(b, date) for b in births)
    assert any(isinstance(b, str) and re.fullmatch(r"\d{1,2} \S+ 25\d\d", b) for b in births)
    types = {row["disability_type_th"] for row in code_list("disability_types")}
    assert {row[3] for row in rows[1:]} <= types


def test_tracking_exports_are_jsonl_in_the_contract_shape(national):
    keys = ["event_id", "citizen_id", "recorded_at", "status", "tracker_org", "placement", "reason_code", "assistance", "note"]
    seen: dict[str, dict] = {}
    for path in files_with(national, "tracking"):
        data = path.read_bytes()
        assert data.endswith(b"\n") and b"\r" not in data
        export_day = date.fromisoformat(path.stem[-10:])
        ids = []
        for line in data.decode("utf-8").splitlines():
            event = json.loads(line)
            assert list(event) == keys
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+07:00", event["recorded_at"])
            assert datetime.fromisoformat(event["recorded_at"]).date() <= export_day
            assert event["status"] in (1, 2, 3, 4, 5)
            assert (event["placement"] is not None) == (event["status"] == 1)
            if event["status"] == 2:
                assert re.fullmatch(r"R\d\d", event["reason_code"])
            assert seen.setdefault(event["event_id"], event) == event  # copies are identical
            ids.append(event["event_id"])
        assert len(ids) == len(set(ids)) and ids == sorted(ids)
    texts = [e["citizen_id"] for e in seen.values()]
    assert any("-" in t for t in texts) and any(" " in t.strip() for t in texts) and any(t != t.strip() for t in texts)
    assert any(t.startswith("G") for t in texts)
    assert any("<script>" in e["note"] or "<b>" in e["note"] or "<p>" in e["note"] for e in seen.values())
    # Most events sit in several overlapping exports.
    copies = Counter()
    for path in files_with(national, "tracking"):
        copies.update(json.loads(line)["event_id"] for line in path.read_text(encoding="utf-8").splitlines())
    assert sum(n > 1 for n in copies.values()) > 0.6 * len(copies)


def test_rejected_files_are_really_bad(national):
    files = read_truth(national, "files.csv")
    reasons = dict(zip(files.file_name, files.reason_code))
    originals = {p.read_bytes(): p.name for s in LIST_SOURCES + ("tracking",) for p in files_with(national, s)}
    for row in files[files.expected_status != "loaded"].itertuples():
        path = national / row.source / row.file_name
        data = path.read_bytes()
        spec = SOURCES_BY_NAME[row.source]
        if row.reason_code == "duplicate_file":
            assert data in originals and originals[data] < row.file_name
        elif row.reason_code == "unknown_file_name":
            assert spec.file_date(row.file_name) is None
        elif row.reason_code == "wrong_encoding":
            assert spec.encoding == "cp874" and data.decode("utf-8")
        elif row.reason_code == "no_rows":
            assert int(row.data_rows) == 0 and (data == b"" or len(read_rows(path, row.source)[1]) == 0)
        elif row.reason_code == "truncated_file":
            assert not data.endswith(b"\n")
            lines = data.decode("utf-8").split("\n")
            with pytest.raises(json.JSONDecodeError):
                json.loads(lines[-1])
            assert all(json.loads(line) for line in lines[:-1])
        else:
            pytest.fail(f"unexpected reason {row.reason_code}")
    assert {"duplicate_file", "unknown_file_name", "wrong_encoding", "no_rows", "truncated_file"} <= set(reasons.values())


def test_files_csv_counts_the_rows_in_each_file(national, seed003):
    for out in (national, seed003):
        for row in read_truth(out, "files.csv").itertuples():
            path = out / row.source / row.file_name
            if row.source == "tracking":
                count = path.read_bytes().count(b"\n") + (0 if path.read_bytes().endswith(b"\n") else 1)
            elif path.stat().st_size == 0:
                count = 0
            else:
                encoding = "utf-8" if row.reason_code == "wrong_encoding" else None
                count = len(read_rows(path, row.source, encoding)[1])
            assert count == int(row.data_rows), row.file_name


# --- identifiers --------------------------------------------------------------------


def check_digit_ok(cid: str) -> bool:
    return (11 - sum(int(d) * (13 - i) for i, d in enumerate(cid[:12])) % 11) % 10 == int(cid[12])


def test_check_digits_are_valid_except_the_intended_wrong_ones(national, seed003):
    for out in (national, seed003):
        children = read_truth(out, "children.csv")
        citizens = children[children.id_type == "citizen"]
        assert all(re.fullmatch(r"[1-8]\d{12}", c) for c in citizens.child_id)
        flags = citizens.has_valid_check_digit == "true"
        assert [check_digit_ok(c) for c in citizens.child_id] == list(flags)
        wrong = (~flags).sum() / len(children)
        gcodes = children[children.id_type == "gcode"]
        assert all(re.fullmatch(r"G\d{12}", c) for c in gcodes.child_id) and (gcodes.has_valid_check_digit == "").all()
        assert 0.004 < wrong < 0.02 and 0.015 < len(gcodes) / len(children) < 0.05
        quirks = read_truth(out, "quirks.csv")
        assert (quirks.quirk == "bad_check_digit").any()
    # Every 13-digit ID in every list row (junk rows too) has a valid check digit, unless it
    # is one of the children flagged above.
    children = read_truth(national, "children.csv")
    flagged = set(children[children.has_valid_check_digit == "false"].child_id)
    for source in LIST_SOURCES:
        for path in files_with(national, source):
            for _, row in read_rows(path, source)[1]:
                cid = normalise_id(row["citizen_id"])
                if re.fullmatch(r"\d{13}", cid):
                    assert check_digit_ok(cid) or cid in flagged, (path.name, cid)


# --- seed 003 -----------------------------------------------------------------------


def test_seed003_reproduces_the_published_tables(seed003):
    status = expected_child_status(seed003 / "_truth", [A, B])
    on = {day: status[status.report_date == day] for day in (A, B)}
    assert on[A].status_code.value_counts().sort_index().tolist() == [20_053, 7_355, 428, 226, 72]
    assert on[B].status_code.value_counts().sort_index().tolist() == [20_119, 7_378, 381, 184, 72]
    table = on[B].groupby(["education_stage", "status_code"]).size()
    assert table["compulsory"].tolist() == [17_514, 6_737, 354, 104, 64]
    assert table["post_compulsory"].tolist() == [2_605, 641, 27, 80, 8]
    assert table["compulsory"].sum() == 24_773 and table["post_compulsory"].sum() == 3_361
    for day in truth_dates(seed003):
        assert expected_child_status(seed003 / "_truth", [day]).source_agency.value_counts().to_dict() == {"eef": 14_953, "obec_dmc": 13_181}
    moves = on[A][["child_id", "status_code"]].merge(on[B][["child_id", "status_code"]], on="child_id", suffixes=("_a", "_b"))
    moved = moves[moves.status_code_a != moves.status_code_b]
    pairs = Counter(zip(moved.status_code_a, moved.status_code_b))
    assert pairs == {(3, 1): 35, (3, 2): 12, (4, 1): 31, (4, 2): 11}
    assert sum(n for (a, _), n in pairs.items() if a == 3) == 47 and sum(n for (a, _), n in pairs.items() if a == 4) == 42
    assert sum(n for (_, b), n in pairs.items() if b == 1) == 66 and sum(n for (_, b), n in pairs.items() if b == 2) == 23
    transitions = expected_transitions(seed003 / "_truth", [A, B])
    assert transitions.children.sum() == 28_134
    assert transitions[transitions.from_status_code != transitions.to_status_code].children.sum() == 89


def test_seed003_lists_and_quirks(seed003):
    files = read_truth(seed003, "files.csv")
    loaded = files[files.expected_status == "loaded"]
    assert set(loaded[loaded.source != "tracking"].file_name) == {"DMC_DROPOUT_25650117.csv", "EEF_OOSC_2022-01-17.xlsx"}
    assert set(files.reason_code) >= {"duplicate_file", "no_rows", "truncated_file"}
    children = read_truth(seed003, "children.csv")
    assert len(children) == 28_134 and set(children.first_listed_on) == {"2022-01-17"}
    dmc_ids = {normalise_id(r["citizen_id"]) for _, rows in [read_rows(seed003 / "obec_dmc" / "DMC_DROPOUT_25650117.csv", "obec_dmc")] for _, r in rows}
    eef_ids = {normalise_id(r["citizen_id"]) for _, r in read_rows(seed003 / "eef" / "EEF_OOSC_2022-01-17.xlsx", "eef")[1]}
    assert len(dmc_ids & eef_ids & set(children.child_id)) > 1_000
    assert set(read_truth(seed003, "quarantine.csv").reason_code) >= {"duplicate_in_file", "missing_id", "malformed_id", "event_unknown_child"}
    assert {"id_dashes", "id_excel_number", "province_misspelt", "header_whitespace", "extra_column"} <= set(read_truth(seed003, "quirks.csv").quirk)
    events = sum(1 for _ in read_events(seed003))
    assert events > 70_000


# --- truth files agree with each other ----------------------------------------------


def test_expected_child_status_matches_status_counts(national, seed003):
    for out in (national, seed003):
        counts = read_truth(out, "status_counts.csv")
        counts["report_date"] = counts.report_date.map(date.fromisoformat)
        counts["status_code"] = counts.status_code.astype(int)
        counts["children"] = counts.children.astype(int)
        summary = expected_status_summary(out / "_truth", truth_dates(out))
        assert summary.to_dict("records") == counts.to_dict("records")
        cohort = read_truth(out, "cohort_by_agency.csv")
        by_date = counts.groupby("report_date").children.sum()
        assert {date.fromisoformat(d): n for d, n in cohort.assign(children=cohort.children.astype(int)).groupby("report_date").children.sum().items()} == by_date.to_dict()


def test_transitions_file_matches_reader(national):
    written = read_truth(national, "transitions.csv")
    computed = expected_transitions(national / "_truth", truth_dates(national))
    assert len(written) == len(computed)
    assert written.children.astype(int).sum() == computed.children.sum()
    newcomers = written[written.from_status_code == ""].children.astype(int).sum()
    assert newcomers == computed[computed.from_status_code.isna()].children.sum() > 0


def test_expected_child_status_works_for_any_date(national):
    detail = expected_child_status(national / "_truth", [date(2022, 3, 5), "2022-06-13"])
    assert set(detail.report_date) == {date(2022, 3, 5), date(2022, 6, 13)}
    assert list(detail.columns) == [
        "child_id", "report_date", "status_code", "education_stage", "source_agency", "province_code", "province_spelling", "district_code",
    ]
    assert detail.status_code.between(1, 5).all() and detail.education_stage.isin(["compulsory", "post_compulsory"]).all()
    assert set(detail.province_spelling) <= {"exact", "misspelt", "unspecified"}
    assert (detail[detail.province_spelling != "exact"].province_code.notna()).all()


# --- every quirk of the contract is there -------------------------------------------


def test_national_run_holds_every_quirk_and_reason(national):
    quirks = set(read_truth(national, "quirks.csv").quirk)
    assert quirks >= {
        "id_dashes", "id_spaces", "id_whitespace", "id_apostrophe", "id_excel_number", "bad_check_digit",
        "thai_digits", "era_ce_in_be_field", "era_be_in_ce_field", "province_alias", "province_prefix",
        "province_misspelt", "province_unspecified", "district_prefix", "subdistrict_prefix", "header_whitespace", "extra_column",
        "html_fragment", "name_spacing",
    }
    quarantine = read_truth(national, "quarantine.csv")
    assert set(quarantine.reason_code) >= {
        "missing_id", "malformed_id", "impossible_date", "age_out_of_range", "unparseable_date",
        "unknown_grade", "duplicate_in_file", "event_unknown_child", "event_before_listing",
    }
    files = read_truth(national, "files.csv")
    assert set(files.reason_code) >= {"duplicate_file", "no_rows", "truncated_file", "wrong_encoding", "unknown_file_name"}
    details = read_truth(national, "child_details.csv")
    assert {"misspelt", "unspecified"} <= set(details.province_spelling)
    assert details.child_id.duplicated().any()  # details change on later lists
    children = read_truth(national, "children.csv")
    assert children.first_listed_on.nunique() > 1
    shares = children.source_agency.value_counts(normalize=True)
    assert shares["obec_dmc"] > shares["eef"] > shares["ops"] > shares["msdhs"] and shares["ovec"] > shares["msdhs"]


# --- an independent reading of the landing folder -----------------------------------

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_MONTHS = {row["month_abbr_th"]: int(row["month_number"]) for row in code_list("thai_months")}
_BAD = "bad"


def normalise_id(cell) -> str:
    if isinstance(cell, float):
        return str(int(cell))
    text = str(cell).strip()
    return re.sub(r"[\s\-.]", "", text[1:] if text.startswith("'") else text).upper()


def parse_date(cell, era: str):
    """A date, None for an empty cell, or _BAD."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = str(cell).translate(_THAI_DIGITS).strip()
    if not text:
        return None
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        day, month, year, era = int(m[1]), int(m[2]), int(m[3]), "BE"
    elif (m := re.fullmatch(r"(\d{1,2})\s+(\S+)\s+(\d{4})", text)) and m[2] in _MONTHS:
        day, month, year, era = int(m[1]), _MONTHS[m[2]], int(m[3]), "BE"
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        day, month, year, era = int(m[3]), int(m[2]), int(m[1]), "CE"
    else:
        return _BAD
    if era == "BE" and not 1900 <= year <= 2100:
        year -= 543
    elif era == "CE" and 2400 <= year <= 2700:
        year -= 543
    try:
        return date(year, month, day)
    except ValueError:
        return _BAD


def read_rows(path: Path, source: str, encoding: str | None = None) -> tuple[list[str], list[tuple[int, dict]]]:
    """(header, [(row number, {raw column: cell})]) with header cells trimmed."""
    spec = SOURCES_BY_NAME[source]
    if spec.file_format == "xlsx":
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(spec.sheet_name).to_python()
        head = [str(h).strip() for h in grid[spec.header_row - 1]]
        body = list(enumerate(grid[spec.header_row :], start=spec.header_row + 1))
    else:
        text = path.read_bytes().decode(encoding or spec.encoding)
        quoting = csv.QUOTE_MINIMAL if source != "ops" else csv.QUOTE_NONE
        grid = list(csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter, quoting=quoting))
        head = [h.strip() for h in grid[0]]
        body = list(enumerate(grid[1:], start=2))
    raw = dict(spec.columns)
    index = {raw[h]: i for i, h in enumerate(head) if h in raw}
    assert len(index) == len(raw), f"{path.name}: missing columns"
    rows = [(n, {col: row[i] for col, i in index.items()}) for n, row in body if any(str(c).strip() for c in row)]
    return head, rows


def _place_tables():
    geo = code_list("geography")
    provinces = {r["province_th"]: r["province_code"] for r in geo}
    provinces.update({r["province_alias"]: r["province_code"] for r in code_list("province_aliases")})
    districts = {(r["province_code"], r["district_th"]): r["district_code"] for r in geo}
    return provinces, districts, {r["province_code"] for r in geo}


def match_place(row: dict, source: str, tables):
    provinces, districts, codes = tables
    if source == "ovec":
        code = row["province_code"].strip()
        return (code if code in codes else None), None
    text = str(row["province"]).strip()
    for prefix in ("จังหวัด", "จ."):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    province = provinces.get(text.replace(" ", ""))
    district_text = str(row["district"]).strip()
    for prefix in ("อำเภอ", "อ.", "เขต"):
        if district_text.startswith(prefix):
            district_text = district_text[len(prefix) :]
            break
    district = districts.get((province, district_text.replace(" ", ""))) if province else None
    return province, district


def row_outcome(row: dict, source: str, list_date: date, grades: dict[str, str]):
    """(quarantine reason or None, normalised ID, stage)."""
    child_id = normalise_id(row["citizen_id"])
    named = any(str(row.get(cell) or "").strip() for cell in ("first_name", "last_name", "full_name"))
    if not re.fullmatch(r"\d{13}|G\d{12}", child_id or ""):
        if not named:  # no usable ID and no name: nothing says which child
            return ("missing_id" if not child_id else "malformed_id"), None, None
        child_id = None  # named without an ID: a child found by record linkage
    birth = parse_date(row["birth_date"], "CE" if source == "ovec" else "BE") if "birth_date" in row else None
    if birth is _BAD or (birth is None and source == "msdhs"):
        return "unparseable_date", child_id, None
    if birth and birth > list_date:
        return "impossible_date", child_id, None
    if source == "eef":
        age = int(row["age_years"]) if row["age_years"] != "" else None
    else:
        age = list_date.year - birth.year - ((list_date.month, list_date.day) < (birth.month, birth.day)) if birth else None
    grade = {"ovec": f"{row.get('program', '')}{row.get('program_year', '')}", "msdhs": ""}.get(source, str(row.get("grade", "")))
    if isinstance(row.get("program_year"), str) and source == "ovec":
        grade = f"{row['program']}{row['program_year']}"
    grade = grade.replace(" ", "")
    stage = grades.get(grade, None) if grade else ""
    if stage is None:
        return "unknown_grade", child_id, None
    if (age is not None and not 3 <= age <= 25) or (not stage and age is None):
        return "age_out_of_range", child_id, None
    return None, child_id, stage or ("compulsory" if age < 16 else "post_compulsory")


def read_events(out: Path):
    for path in files_with(out, "tracking"):
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            yield path.name, line_number, json.loads(line)


def read_landing(out: Path):
    """Cohort, details, statuses and quarantine by the rules, from the bytes alone."""
    grades = {r["grade_text"].replace(" ", ""): r["education_stage"] for r in code_list("grades")}
    priority = {r["source_agency"]: int(r["agency_priority"]) for r in code_list("agencies")}
    tables = _place_tables()
    quarantine, used = [], []
    for source in LIST_SOURCES:
        for path in files_with(out, source):
            list_date = SOURCES_BY_NAME[source].file_date(path.name)
            seen = set()
            for number, row in read_rows(path, source)[1]:
                reason, child_id, stage = row_outcome(row, source, list_date, grades)
                same_row = child_id or "no id|" + "|".join(str(row.get(c) or "") for c in ("first_name", "last_name", "full_name", "birth_date", "age_years"))
                if reason is None and same_row in seen:
                    reason = "duplicate_in_file"
                if reason:
                    quarantine.append((source, path.name, number, reason))
                    continue
                seen.add(same_row)
                # this reader links nothing: a named row without an ID is a child of its own
                child_id = child_id or f"row:{source}/{path.name}:{number}"
                province, district = match_place(row, source, tables)
                used.append((child_id, list_date, priority[source], number, source, stage, province, district))
    used.sort()
    first = {}
    for child_id, list_date, _, _, source, *_ in used:
        first.setdefault(child_id, (list_date, source))
    events = {}
    for name, number, event in read_events(out):
        events[event["event_id"]] = (name, number, event)  # later exports come later
    by_child = defaultdict(list)
    for name, number, event in events.values():
        child_id = normalise_id(event["citizen_id"])
        at = datetime.fromisoformat(event["recorded_at"])
        if child_id not in first:
            quarantine.append(("tracking", name, number, "event_unknown_child"))
        elif at.date() < first[child_id][0]:
            quarantine.append(("tracking", name, number, "event_before_listing"))
        else:
            by_child[child_id].append((at, event["event_id"], event["status"]))
    return used, first, by_child, sorted(quarantine)


def status_on(events: list, day: date, to_local) -> int:
    dated = sorted((to_local(at), event_id, status) for at, event_id, status in events if to_local(at).date() <= day)
    if any(status == 5 for _, _, status in dated):
        return 5
    return dated[-1][2] if dated else 4


def reading_on(used, first, by_child, day: date, to_local=lambda at: at) -> pd.DataFrame:
    details = {}
    for child_id, list_date, _, _, _, stage, province, district in used:
        if list_date <= day and (child_id not in details or details[child_id][0] < list_date):
            details[child_id] = (list_date, stage, province, district)
    rows = [
        (cid, status_on(by_child.get(cid, []), day, to_local), details[cid][1], first[cid][1], details[cid][2], details[cid][3])
        for cid in sorted(details)
    ]
    return pd.DataFrame(rows, columns=["child_id", "status_code", "education_stage", "source_agency", "province_code", "district_code"])


@pytest.mark.parametrize("scenario", ["national", "seed003"])
def test_independent_reading_of_the_files_matches_the_truth(scenario, request):
    out = request.getfixturevalue(scenario)
    used, first, by_child, quarantine = read_landing(out)
    truth_quarantine = read_truth(out, "quarantine.csv")
    assert quarantine == [(r.source, r.file_name, int(r.row_number), r.reason_code) for r in truth_quarantine.itertuples()]
    children = read_truth(out, "children.csv")
    assert {cid: (date.fromisoformat(d), a) for cid, d, a in zip(children.child_id, children.first_listed_on, children.source_agency)} == first
    dates = truth_dates(out)
    truth = expected_child_status(out / "_truth", dates)
    # the reader here matches exact spellings only
    exact = truth.province_spelling == "exact"
    truth["province_code"] = truth.province_code.where(exact, None)
    truth["district_code"] = truth.district_code.where(exact, None)
    for day in dates:
        expected = truth[truth.report_date == day].drop(columns=["report_date", "province_spelling"]).reset_index(drop=True)
        got = reading_on(used, first, by_child, day)[expected.columns]
        pd.testing.assert_frame_equal(got.astype(object).where(got.notna(), None), expected.astype(object).where(expected.notna(), None))


def test_bangkok_time_matters_and_death_is_final(national):
    """Reading the events in UTC instead of Thailand time changes some statuses."""
    used, first, by_child, _ = read_landing(national)
    dates = truth_dates(national)
    utc = lambda at: at.astimezone(timezone.utc)  # noqa: E731
    changed = sum(
        (reading_on(used, first, by_child, day).status_code != reading_on(used, first, by_child, day, utc).status_code).sum()
        for day in dates
    )
    assert changed > 0
    after_death = [
        cid for cid, events in by_child.items() if any(s == 5 for _, _, s in events) and sorted(events)[-1][2] != 5
    ]
    assert after_death
    status = read_truth(national, "child_status.csv")
    for cid in after_death:
        assert status[status.child_id == cid].status_code.iloc[-1] == "5"
    same_minute = Counter((cid, at) for cid, events in by_child.items() for at, _, _ in events)
    assert max(same_minute.values()) >= 2

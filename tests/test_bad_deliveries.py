"""A corpus of bad deliveries — every item of the contract's "What real deliveries get
wrong", and each kind of file the loader must reject — run through the real flow.

For each: the file is rejected with the right reason, or its bad row is quarantined with
the right reason, or the row is repaired or flagged and used; rows reconcile per file;
the other agencies' data still load; and loading the same corpus again changes nothing.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from orchestration.raw.contract import EEF, MSDHS, OBEC_DMC, OPS, OVEC
from orchestration.runner import run_warehouse
from tests.e2e_support import FinishedRun, personal_data_found

FEB_28, MAR_31 = date(2022, 2, 28), date(2022, 3, 31)


def cid(n: int, *, valid: bool = True) -> str:
    """A citizen ID with a right (or deliberately wrong) check digit."""
    first = f"1{n:011d}"
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first)) % 11) % 10
    return first + str(check if valid else (check + 1) % 10)


# --- writers in each source's format ------------------------------------------------------


def dmc(rows, *, header=None, encoding="utf-8-sig") -> bytes:
    header = header or [name for name, _ in OBEC_DMC.columns]
    lines = [",".join(f'"{cell}"' for cell in line) for line in [header, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def dmc_row(child, *, birth="10/04/2553", grade="ป.6", province="มหาสารคาม", district="บรบือ",
            subdistrict="โนนแดง", school="โรงเรียนบ้านโนนแดง", first="สมชาย", last="ใจดี"):
    return [child, "ด.ช.", first, last, "ช", birth, grade, "1044060001", school, province, district,
            subdistrict, "ฐานะยากจน", "04/03/2564"]


def ops(rows, *, encoding="cp874") -> bytes:
    lines = ["|".join(name for name, _ in OPS.columns), *("|".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def ops_row(child, *, birth="12 พ.ค. 2551", grade="ประถม"):
    return [child, "มานี", "มีนา", "หญิง", birth, grade, "กศน.อำเภอบรบือ", "มหาสารคาม", "บรบือ", "ย้ายถิ่นที่อยู่"]


def ovec(rows) -> bytes:
    lines = [",".join(name for name, _ in OVEC.columns), *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def ovec_row(child):
    return [child, "นาย", "สมศักดิ์", "รักงาน", "M", "2004-06-16", "ปวช.", "2", "1344000001", "วิทยาลัยการอาชีพบรบือ", "44", "2021-08-24", "R02"]


def xlsx(sheet: str, rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    worksheet = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                worksheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def eef(rows, *, header=None) -> bytes:
    header = header or [name for name, _ in EEF.columns]
    return xlsx("รายชื่อ", [["รายชื่อเด็กนอกระบบการศึกษา ข้อมูล ณ วันที่ 17 มกราคม 2565"], [], header, *rows])


def eef_row(n, child, *, age=12, grade="ป.5", province="ขอนแก่น"):
    return [n, child, "ด.ญ.สมศรี ใจงาม", "หญิง", age, grade, province, "เมืองขอนแก่น", "ในเมือง", "ฐานะยากจน"]


def msdhs(rows) -> bytes:
    return xlsx("Sheet1", [[name for name, _ in MSDHS.columns], *rows])


def event(event_id, child, recorded_at, status=4, note=""):
    return {"event_id": event_id, "citizen_id": child, "recorded_at": recorded_at, "status": status,
            "tracker_org": "school", "placement": "original_school" if status == 1 else None, "reason_code": None,
            "assistance": ["none"], "note": note}


def jsonl(events) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events).encode("utf-8")


# --- the corpus -----------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"
BASELINE = {  # one good delivery per source, so that "the other agencies still load" is visible
    "obec_dmc/DMC_DROPOUT_25650117.csv": dmc([dmc_row(cid(1)), dmc_row(cid(2))]),
    "eef/EEF_OOSC_2022-01-17.xlsx": eef([eef_row(1, cid(3)), eef_row(2, int(cid(4)))]),  # a numeric ID cell
    "ops/OPS_25650117.csv": ops([ops_row(cid(5)), ops_row(cid(6))]),
    "ovec/ovec_dropout_2022-01-17.csv": ovec([ovec_row(cid(7))]),
    "msdhs/MSDHS_disabled_2565-01-17.xlsx": msdhs([[cid(8), "ด.ช.ซุกรี นามขำ", "15 ส.ค. 2555", "ออทิสติก", "หนองคาย", "สระใคร"]]),
}
CORPUS = {
    # file-level
    "obec_dmc/DMC_DROPOUT_25650118.csv": BASELINE["obec_dmc/DMC_DROPOUT_25650117.csv"],  # same bytes again
    "obec_dmc/DMC_DROPOUT_final(2).csv": dmc([dmc_row(cid(90))]),  # unknown name pattern
    "ops/OPS_25650230.csv": ops([ops_row(cid(91))]),  # 30 February
    "ops/OPS_25650201.csv": ops([ops_row(cid(92))], encoding="utf-8"),  # wrong encoding
    "obec_dmc/DMC_DROPOUT_25650201.csv": dmc([dmc_row(cid(93))], encoding="cp874"),  # wrong encoding
    "eef/EEF_OOSC_2022-02-01.xlsx": eef([eef_row(1, cid(94))],
                                        header=[n if n != "เลขบัตรประชาชน" else "เลขประจำตัว" for n, _ in EEF.columns]),
    "ovec/ovec_dropout_2022-02-01.csv": b"",  # empty
    "msdhs/MSDHS_disabled_2565-02-01.xlsx": msdhs([]),  # header only
    "tracking/tracking_2022-03-15.jsonl": jsonl([event("EV90", cid(1), "2022-03-10T09:00:00+07:00")])[:-30],
    "eef/EEF_OOSC_2022-02-02.xlsx": b"PK\x03\x04 this is not a workbook",
    "obec_dmc/DMC_DROPOUT_25650202.csv": dmc([dmc_row(cid(95)), dmc_row(cid(96))])[:-12],  # truncated
    "obec_dmc/DMC_DROPOUT_25650210.csv": dmc([dmc_row(cid(97))], header=dmc_row(cid(98))),  # no header row
    "ovec/ovec_dropout_2022-02-02.csv": "\ufeff".encode() + ovec([ovec_row(cid(33))]),  # a BOM: accepted
    "OBEC/DMC_DROPOUT_25650301.csv": dmc([dmc_row(cid(89))]),  # not a source folder
    "DMC_DROPOUT_25650302.csv": dmc([dmc_row(cid(88))]),  # at the landing root
    # row-level, one file each
    "obec_dmc/DMC_DROPOUT_25650203.csv": dmc([dmc_row(cid(10, valid=False))]),  # wrong check digit
    "obec_dmc/DMC_DROPOUT_25650204.csv": dmc([  # ID spellings
        dmc_row("-".join([cid(11)[0], cid(11)[1:5], cid(11)[5:10], cid(11)[10:12], cid(11)[12]])),
        dmc_row(" ".join([cid(12)[0], cid(12)[1:5], cid(12)[5:10], cid(12)[10:12], cid(12)[12]])),
        dmc_row("'" + cid(13)),
        dmc_row(f"  {cid(14)}  "),
    ]),
    "obec_dmc/DMC_DROPOUT_25650205.csv": dmc([dmc_row(cid(15)), dmc_row("-".join([cid(15)[:1], cid(15)[1:]]), grade="ป.5")]),
    "obec_dmc/DMC_DROPOUT_25650206.csv": dmc([dmc_row(cid(16)), dmc_row(cid(16))]),  # whole row repeated
    "obec_dmc/DMC_DROPOUT_25650207.csv": dmc([dmc_row(cid(17), birth="05/11/2009")]),  # C.E. in a B.E. field
    "obec_dmc/DMC_DROPOUT_25650208.csv": dmc([dmc_row(cid(18), birth="05/11/1850")]),  # neither era
    "ops/OPS_25650203.csv": ops([ops_row(cid(19), birth="๑๒ พ.ค. ๒๕๕๑")]),  # Thai digits
    "obec_dmc/DMC_DROPOUT_25650209.csv": dmc([dmc_row(cid(20), birth="10/04/2566")]),  # born after the list date
    "eef/EEF_OOSC_2022-02-03.xlsx": eef([eef_row(1, cid(21), age=40)]),  # a "child" aged 40
    "obec_dmc/DMC_DROPOUT_25650211.csv": dmc([dmc_row(cid(22), province="เชียงใหม", district="อ.สันทราย",
                                                      subdistrict="ต.หนองหาร")]),  # misspelt province
    "obec_dmc/DMC_DROPOUT_25650212.csv": dmc([dmc_row(cid(23), province="กทม.", district="เขตพระนคร",
                                                      subdistrict="แขวงวัดราชบพิธ")]),  # abbreviated
    "obec_dmc/DMC_DROPOUT_25650213.csv": dmc([dmc_row(cid(24))],
                                             header=[f" {n} " for n, _ in OBEC_DMC.columns]),  # stray spaces
    "obec_dmc/DMC_DROPOUT_25650214.csv": dmc([dmc_row(cid(25)) + ["โทรหาแล้ว"]],
                                             header=[n for n, _ in OBEC_DMC.columns] + ["หมายเหตุ"]),  # extra column
    "obec_dmc/DMC_DROPOUT_25650215.csv": dmc([dmc_row(cid(26), school=f"โรงเรียน{SCRIPT}")]),  # script in text
    "obec_dmc/DMC_DROPOUT_25650216.csv": dmc([dmc_row(cid(27), birth="31/02/2553")]),  # not a date
    # no usable ID and no name: nothing says who the child is
    "obec_dmc/DMC_DROPOUT_25650217.csv": dmc([dmc_row("", first="", last=""), dmc_row("12345", first="", last="")]),
    # no ID, but a name, a birth date and a place: a child, found by record linkage
    "obec_dmc/DMC_DROPOUT_25650221.csv": dmc([dmc_row("", first="วิภาวรรณ", last="ศรีสุข", birth="02/02/2552")]),
    "obec_dmc/DMC_DROPOUT_25650218.csv": dmc([dmc_row(cid(28), grade="ป.7")]),  # unknown grade
    "ops/OPS_25650204.csv": ops([ops_row(cid(29)) + ["เกิน"], ops_row(cid(30))]),  # a field too many
    "obec_dmc/DMC_DROPOUT_25650219.csv": dmc([dmc_row(cid(31), province="ไม่ระบุ")]),  # province unknown
    "obec_dmc/DMC_DROPOUT_25650220.csv": dmc([dmc_row(cid(32))]),  # listed 20 Feb; an event predates it
    # a later list: child 2 again, now in ม.4 in another province — newer details from 1 Mar
    "obec_dmc/DMC_DROPOUT_25650301.csv": dmc([dmc_row(cid(2), grade="ม.4", province="ขอนแก่น",
                                                      district="เมืองขอนแก่น", subdistrict="ในเมือง")]),
    "tracking/tracking_2022-03-01.jsonl": jsonl([
        event("EV1", cid(1), "2022-02-10T09:00:00+07:00", 1),
        event("EV2", cid(3), "2022-02-11T09:00:00+07:00", 3, note=f"<b>พบแล้ว</b> {SCRIPT}"),
        event("EV3", cid(99), "2022-02-12T09:00:00+07:00", 2),  # nobody lists this ID
        event("EV4", cid(32), "2022-02-01T09:00:00+07:00", 2),  # before its listing on 20 Feb
        event("EV5", cid(5), "2022-02-13T09:00:00+07:00", 7),  # no such status
        event("EV6", cid(7), "2022-02-28T23:59:00+07:00", 1),  # late on the report date: counts
    ]),
}

EXPECTED_FILES = {  # file -> (load status, reason)
    "obec_dmc/DMC_DROPOUT_25650118.csv": ("duplicate_file", "duplicate_file"),
    "obec_dmc/DMC_DROPOUT_final(2).csv": ("rejected", "unknown_file_name"),
    "ops/OPS_25650230.csv": ("rejected", "unknown_file_name"),
    "ops/OPS_25650201.csv": ("rejected", "wrong_encoding"),
    "obec_dmc/DMC_DROPOUT_25650201.csv": ("rejected", "wrong_encoding"),
    "eef/EEF_OOSC_2022-02-01.xlsx": ("rejected", "missing_columns"),
    "ovec/ovec_dropout_2022-02-01.csv": ("rejected", "no_rows"),
    "msdhs/MSDHS_disabled_2565-02-01.xlsx": ("rejected", "no_rows"),
    "tracking/tracking_2022-03-15.jsonl": ("rejected", "truncated_file"),
    "eef/EEF_OOSC_2022-02-02.xlsx": ("rejected", "unreadable_file"),
    "obec_dmc/DMC_DROPOUT_25650202.csv": ("rejected", "truncated_file"),
    "obec_dmc/DMC_DROPOUT_25650210.csv": ("rejected", "missing_columns"),
    "OBEC/DMC_DROPOUT_25650301.csv": ("rejected", "unknown_source"),
    "DMC_DROPOUT_25650302.csv": ("rejected", "unknown_source"),
}
EXPECTED_QUARANTINE = {  # (file, row) -> reason
    ("obec_dmc/DMC_DROPOUT_25650205.csv", 3): "duplicate_in_file",
    ("obec_dmc/DMC_DROPOUT_25650206.csv", 3): "duplicate_in_file",
    ("obec_dmc/DMC_DROPOUT_25650208.csv", 2): "unresolvable_era",
    ("obec_dmc/DMC_DROPOUT_25650209.csv", 2): "impossible_date",
    ("eef/EEF_OOSC_2022-02-03.xlsx", 4): "age_out_of_range",
    ("obec_dmc/DMC_DROPOUT_25650216.csv", 2): "unparseable_date",
    ("obec_dmc/DMC_DROPOUT_25650217.csv", 2): "missing_id",
    ("obec_dmc/DMC_DROPOUT_25650217.csv", 3): "malformed_id",
    ("obec_dmc/DMC_DROPOUT_25650218.csv", 2): "unknown_grade",
    ("ops/OPS_25650204.csv", 2): "malformed_row",
    ("tracking/tracking_2022-03-01.jsonl", 3): "event_unknown_child",
    ("tracking/tracking_2022-03-01.jsonl", 4): "event_before_listing",
    ("tracking/tracking_2022-03-01.jsonl", 5): "unknown_status",
}
EXPECTED_FLAGS = {  # (file, row) -> flags on a used row
    ("obec_dmc/DMC_DROPOUT_25650203.csv", 2): {"invalid_check_digit"},
    ("obec_dmc/DMC_DROPOUT_25650207.csv", 2): {"birth_year_era_repaired"},
    ("obec_dmc/DMC_DROPOUT_25650211.csv", 2): {"province_fuzzy_matched"},
    ("obec_dmc/DMC_DROPOUT_25650219.csv", 2): {"province_unmatched"},
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> FinishedRun:
    root = tmp_path_factory.mktemp("corpus")
    for name, content in {**BASELINE, **CORPUS}.items():
        path = root / "landing" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    run = FinishedRun(root / "landing", root / "out")
    outcome = run_warehouse(run.landing, run.out, [FEB_28, MAR_31])
    assert outcome.ok, outcome.reason
    return run


def test_the_corpus_covers_at_least_twenty_bad_deliveries():
    assert len(CORPUS) >= 20
    assert len(EXPECTED_FILES) + len(EXPECTED_QUARANTINE) + len(EXPECTED_FLAGS) >= 20


def test_every_file_has_its_outcome_with_a_one_line_reason(corpus):
    manifest = {name: (status, reason, detail) for name, status, reason, detail in corpus.query(
        "select file_name, load_status, reason_code, reason_detail from raw.load_manifest")}
    assert set(manifest) == set(BASELINE) | set(CORPUS)
    for name, (status, reason, detail) in manifest.items():
        assert (status, reason) == EXPECTED_FILES.get(name, ("loaded", None)), name
        if status != "loaded":
            assert detail and "\n" not in detail, name


def test_every_bad_row_is_quarantined_with_its_reason_and_nothing_else_is(corpus):
    quarantined = {(f, r): reason for f, r, reason in corpus.query(
        "select file_name, row_number, reason_code from intermediate.int_quarantined_rows")}
    assert quarantined == EXPECTED_QUARANTINE


def test_quarantined_rows_keep_their_original_values(corpus):
    [(values,)] = corpus.query(
        "select original_values from intermediate.int_quarantined_rows where file_name = ? and row_number = 2",
        ["obec_dmc/DMC_DROPOUT_25650216.csv"])
    assert json.loads(values)["birth_date"] == "31/02/2553"


def test_repaired_and_flagged_rows_are_used_and_say_so(corpus):
    flags = {}
    for file_name, row, flag in corpus.query("select file_name, row_number, flag_code from intermediate.int_list_row_flags"):
        flags.setdefault((file_name, row), set()).add(flag)
    for key, expected in EXPECTED_FLAGS.items():
        assert flags.get(key) == expected, key
    [(born,)] = corpus.query("select birth_date from intermediate.int_child_listings where child_id = ?", [cid(17)])
    assert born == date(2009, 11, 5)
    [(born,)] = corpus.query("select birth_date from intermediate.int_child_listings where child_id = ?", [cid(19)])
    assert born == date(2008, 5, 12)  # ๑๒ พ.ค. ๒๕๕๑


def test_places_are_matched_through_misspellings_abbreviations_and_prefixes(corpus):
    places = dict((child, (p, d, s)) for child, p, d, s in corpus.query(
        "select child_id, province_code, district_code, subdistrict_code from intermediate.int_child_listings"))
    assert places[cid(22)][0] == "50"  # เชียงใหม → เชียงใหม่
    assert places[cid(23)] == ("10", "1001", "100103")  # กทม. / เขตพระนคร / แขวงวัดราชบพิธ
    assert places[cid(31)] == (None, None, None)  # ไม่ระบุ: kept, unknown


def test_a_child_listed_without_an_id_is_counted(corpus):
    rows = corpus.query(
        "select identity_key, link_rule from intermediate.int_child_listings_resolved where file_name = ?",
        ["obec_dmc/DMC_DROPOUT_25650221.csv"])
    assert rows == [("row:obec_dmc/DMC_DROPOUT_25650221.csv:2", "own_row")]
    assert corpus.query("select count(*) from intermediate.int_cohort_children where child_id = ?", [rows[0][0]]) == [(1,)]


def test_ids_spelt_any_way_name_one_child_each(corpus):
    cohort = {child for (child,) in corpus.query("select child_id from intermediate.int_cohort_children")}
    assert {cid(11), cid(12), cid(13), cid(14), cid(15), cid(16), cid(10, valid=False)} <= cohort
    assert cid(90) not in cohort and cid(92) not in cohort  # from rejected files


def test_no_message_and_no_published_page_shows_personal_data(corpus):
    [(detail,)] = corpus.query("select reason_detail from marts.fct_file_loads where file_name = ?",
                               ["obec_dmc/DMC_DROPOUT_25650210.csv"])
    assert cid(98) not in detail and "ใจดี" not in detail  # its first row is data, not a header
    assert personal_data_found(corpus) == []


def test_a_file_changed_under_its_old_name_is_rejected_and_the_loaded_one_kept(corpus):
    changed = corpus.landing / "ovec" / "ovec_dropout_2022-01-17.csv"
    original = changed.read_bytes()
    try:
        changed.write_bytes(ovec([ovec_row(cid(7)), ovec_row(cid(34))]))
        outcome = run_warehouse(corpus.landing, corpus.out, [FEB_28, MAR_31])
        assert outcome.ok, outcome.reason
        rows = corpus.query("select load_status, reason_code from raw.load_manifest where file_name = ?"
                            " order by loaded_at", ["ovec/ovec_dropout_2022-01-17.csv"])
        assert rows == [("loaded", None), ("rejected", "changed_file")]
        assert corpus.query("select count(*) from intermediate.int_cohort_children where child_id = ?", [cid(34)]) == [(0,)]
    finally:
        changed.write_bytes(original)


def test_rows_reconcile_per_file(corpus):
    assert corpus.query(
        "select file_name from marts.fct_file_loads where load_status = 'loaded' and rows_in <> rows_used + rows_quarantined"
    ) == []


def test_the_other_agencies_still_load(corpus):
    by_agency = dict(corpus.query(
        "select source_agency, sum(children) from marts.status_summary where report_date = ? group by 1", [MAR_31]))
    assert set(by_agency) == {"obec_dmc", "eef", "ops", "ovec", "msdhs"}
    # ovec: the baseline's one and the file with a BOM; eef: the baseline's two (the aged-40 row quarantined); ops: two + the Thai-digit row + the good row
    # beside the malformed one
    assert by_agency["eef"] == 2 and by_agency["ops"] == 4 and by_agency["ovec"] == 2 and by_agency["msdhs"] == 1


def test_statuses_from_the_tracking_export(corpus):
    status = dict(corpus.query(
        "select c.child_id, f.status_code from marts.fct_child_status f join intermediate.int_cohort_children c"
        " using (child_key) where f.report_date = ?", [FEB_28]))
    assert status[cid(1)] == 1 and status[cid(3)] == 3
    assert status[cid(7)] == 1  # 23:59 on the report date, Thailand time
    assert status[cid(5)] == 4  # its only event had no valid status
    assert status[cid(32)] == 4  # its only event predates its listing


def test_a_later_list_brings_newer_details_from_its_date(corpus):
    rows = corpus.query(
        "select f.report_date, f.education_stage, f.province_code from marts.fct_child_status f"
        " join intermediate.int_cohort_children c using (child_key) where c.child_id = ? order by 1", [cid(2)])
    assert rows == [(FEB_28, "compulsory", "44"), (MAR_31, "post_compulsory", "40")]


def test_text_typed_into_a_delivery_is_kept_and_never_runs(corpus):
    [(school,)] = corpus.query("select school_name from intermediate.int_child_listings where child_id = ?", [cid(26)])
    assert SCRIPT in school
    for page in (corpus.out / "bulletins").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert SCRIPT not in text, page
        if page.parent.name != "docs":  # the dbt docs are dbt's own script app, built from the project
            assert "<script" not in text, page


def test_loading_the_same_corpus_again_changes_nothing(corpus):
    tables = ("raw.load_manifest", "intermediate.int_quarantined_rows", "marts.status_summary", "marts.fct_file_loads")
    before = {table: corpus.query(f"select * from {table} order by all") for table in tables}
    raw_rows = corpus.query("select count(*) from raw.obec_dmc__dropouts")
    outcome = run_warehouse(corpus.landing, corpus.out, [FEB_28, MAR_31])
    assert outcome.ok, outcome.reason
    assert {table: corpus.query(f"select * from {table} order by all") for table in tables} == before
    assert corpus.query("select count(*) from raw.obec_dmc__dropouts") == raw_rows

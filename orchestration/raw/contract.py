"""The extract contract, as data: how each source names, encodes and lays out its files.

Everything the raw loader needs to know about a source lives in its ``SourceSpec``;
the loader itself has no per-source branches. Raw column names are the contract's
headers translated to snake_case English; the dbt sources YAML documents them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

BUDDHIST_ERA_OFFSET = 543

FileFormat = Literal["csv", "xlsx", "jsonl"]


@dataclass(frozen=True)
class SourceSpec:
    source: str  # landing folder name, e.g. "obec_dmc"
    table: str  # raw table name, e.g. "obec_dmc__dropouts"
    description: str
    file_name_template: str  # e.g. "DMC_DROPOUT_{y}{m}{d}.csv": the date in the file_date_era
    file_date_era: Literal["BE", "CE"]
    file_format: FileFormat
    columns: tuple[tuple[str, str], ...]  # (header as delivered, raw column name)
    encoding: str = "utf-8"
    delimiter: str = ","
    quoted: bool = True
    header_row: int = 1  # 1-based row of the header (EEF: 3)
    sheet_name: str | None = None
    # A source whose latest delivery is older than this (in days before the report date)
    # raises a freshness warning: lists come every few months, tracking exports weekly.
    freshness_days: int = 120

    @property
    def raw_columns(self) -> list[str]:
        return [name for _, name in self.columns]

    @property
    def file_pattern(self) -> re.Pattern[str]:
        parts = re.split(r"(\{[ymd]\})", self.file_name_template)
        groups = {"{y}": r"(?P<y>\d{4})", "{m}": r"(?P<m>\d{2})", "{d}": r"(?P<d>\d{2})"}
        return re.compile("".join(groups.get(part, re.escape(part)) for part in parts))

    @property
    def file_name_format(self) -> str:
        """The name as the contract states it, for messages: DMC_DROPOUT_<B.E. yyyymmdd>.csv."""
        era = "B.E." if self.file_date_era == "BE" else "C.E."
        date_part = re.search(r"\{y\}.*\{d\}", self.file_name_template).group(0)
        spelled = date_part.replace("{y}", "yyyy").replace("{m}", "mm").replace("{d}", "dd")
        return self.file_name_template.replace(date_part, f"<{era} {spelled}>")

    def file_name_for(self, day: date) -> str:
        """The contract's file name for a list or export dated ``day``."""
        year = day.year + (BUDDHIST_ERA_OFFSET if self.file_date_era == "BE" else 0)
        return self.file_name_template.format(y=f"{year:04d}", m=f"{day.month:02d}", d=f"{day.day:02d}")

    def file_date(self, file_name: str) -> date | None:
        """The list/export date carried in the file name, or None if the name does not fit."""
        match = self.file_pattern.fullmatch(file_name)
        if not match:
            return None
        year = int(match["y"]) - (BUDDHIST_ERA_OFFSET if self.file_date_era == "BE" else 0)
        try:
            return date(year, int(match["m"]), int(match["d"]))
        except ValueError:
            return None


OBEC_DMC = SourceSpec(
    source="obec_dmc",
    table="obec_dmc__dropouts",
    description="OBEC Data Management Center: dropouts from OBEC schools",
    file_name_template="DMC_DROPOUT_{y}{m}{d}.csv",
    file_date_era="BE",
    file_format="csv",
    encoding="utf-8-sig",
    columns=(
        ("เลขประจำตัวประชาชน", "citizen_id"),
        ("คำนำหน้า", "name_prefix"),
        ("ชื่อ", "first_name"),
        ("นามสกุล", "last_name"),
        ("เพศ", "sex"),
        ("วันเกิด", "birth_date"),
        ("ชั้น", "grade"),
        ("รหัสโรงเรียน", "school_code"),
        ("ชื่อโรงเรียน", "school_name"),
        ("จังหวัด", "province"),
        ("อำเภอ", "district"),
        ("ตำบล", "subdistrict"),
        ("สาเหตุ", "reason"),
        ("วันที่จำหน่าย", "dropout_date"),
    ),
)

EEF = SourceSpec(
    source="eef",
    table="eef__out_of_school_children",
    description="Equitable Education Fund field surveys: out-of-school children",
    file_name_template="EEF_OOSC_{y}-{m}-{d}.xlsx",
    file_date_era="CE",
    file_format="xlsx",
    sheet_name="รายชื่อ",
    header_row=3,
    columns=(
        ("ลำดับ", "sequence_no"),
        ("เลขบัตรประชาชน", "citizen_id"),
        ("ชื่อ-นามสกุล", "full_name"),
        ("เพศ", "sex"),
        ("อายุ (ปี)", "age_years"),
        ("ระดับชั้นล่าสุด", "grade"),
        ("จังหวัด", "province"),
        ("อำเภอ", "district"),
        ("ตำบล", "subdistrict"),
        ("สาเหตุที่ไม่ได้เรียน", "reason"),
    ),
)

OPS = SourceSpec(
    source="ops",
    table="ops__students",
    description="Office of the Permanent Secretary: private schools and non-formal education",
    file_name_template="OPS_{y}{m}{d}.csv",
    file_date_era="BE",
    file_format="csv",
    encoding="cp874",
    delimiter="|",
    quoted=False,
    columns=(
        ("เลขประจำตัว13หลัก", "citizen_id"),
        ("ชื่อ", "first_name"),
        ("สกุล", "last_name"),
        ("เพศ", "sex"),
        ("วัน/เดือน/ปีเกิด", "birth_date"),
        ("ระดับ", "grade"),
        ("สถานศึกษา", "school_name"),
        ("จังหวัด", "province"),
        ("อำเภอ", "district"),
        ("สาเหตุ", "reason"),
    ),
)

OVEC = SourceSpec(
    source="ovec",
    table="ovec__dropouts",
    description="Office of the Vocational Education Commission: vocational dropouts",
    file_name_template="ovec_dropout_{y}-{m}-{d}.csv",
    file_date_era="CE",
    file_format="csv",
    columns=(
        ("CITIZEN_ID", "citizen_id"),
        ("TITLE", "name_prefix"),
        ("FNAME", "first_name"),
        ("LNAME", "last_name"),
        ("GENDER", "sex"),
        ("BIRTH_DATE", "birth_date"),
        ("PROGRAM", "program"),
        ("YEAR", "program_year"),
        ("COLLEGE_CODE", "college_code"),
        ("COLLEGE_NAME", "college_name"),
        ("PROVINCE_CODE", "province_code"),
        ("DROPOUT_DATE", "dropout_date"),
        ("REASON_CODE", "reason_code"),
    ),
)

MSDHS = SourceSpec(
    source="msdhs",
    table="msdhs__disabled_children",
    description="Ministry of Social Development and Human Security: disabled children out of school",
    file_name_template="MSDHS_disabled_{y}-{m}-{d}.xlsx",
    file_date_era="BE",
    file_format="xlsx",
    sheet_name="Sheet1",
    columns=(
        ("เลขประจำตัวประชาชน", "citizen_id"),
        ("ชื่อ-สกุล", "full_name"),
        ("วันเดือนปีเกิด", "birth_date"),
        ("ประเภทความพิการ", "disability_type"),
        ("จังหวัด", "province"),
        ("อำเภอ", "district"),
    ),
)

TRACKING = SourceSpec(
    source="tracking",
    table="tracking__events",
    description='Field app "ตามน้องกลับมาเรียน": status events',
    file_name_template="tracking_{y}-{m}-{d}.jsonl",
    freshness_days=14,
    file_date_era="CE",
    file_format="jsonl",
    columns=tuple(
        (key, key)
        for key in (
            "event_id",
            "citizen_id",
            "recorded_at",
            "status",
            "tracker_org",
            "placement",
            "reason_code",
            "assistance",
            "note",
        )
    ),
)

SOURCES: tuple[SourceSpec, ...] = (OBEC_DMC, EEF, OPS, OVEC, MSDHS, TRACKING)
SOURCES_BY_NAME = {spec.source: spec for spec in SOURCES}

# Columns the loader adds to every raw table, after the contract's columns.
META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_file_name", "VARCHAR"),  # <source>/<file>, relative to the landing folder
    ("_row_number", "INTEGER"),  # as a person sees it: CSV/JSONL line, Excel row
    ("_file_sha256", "VARCHAR"),
    ("_file_date", "DATE"),  # list date or export date, from the file name
    ("_row_problem", "VARCHAR"),  # null, or why the row's fields could not be aligned
    ("_loaded_at", "TIMESTAMP"),
)
